/* Shared inputs for the C tests. */
#ifndef ZY_TEST_FIXTURES_H
#define ZY_TEST_FIXTURES_H

#include <string.h>

#include "zhiyuan.h"

/* 江宁区 centre (1) > 东山 institute (10) > 佘村 station (100), team 5 at 100. */
static const char TREE_JSON[] =
    "{\"units\": ["
    "{\"id\": 1, \"parent\": null, \"name\": \"江宁区新时代文明实践中心\", \"level\": \"centre\"},"
    "{\"id\": 10, \"parent\": 1, \"name\": \"东山实践所\", \"level\": \"institute\"},"
    "{\"id\": 100, \"parent\": 10, \"name\": \"佘村实践站\", \"level\": \"station\"}],"
    " \"teams\": [{\"id\": 5, \"unit\": 100, \"name\": \"佘村医疗志愿队\", \"skills\": [\"medical\"]}]}";

/* 2024-03-04T01:00:00Z and friends, in microseconds since the epoch. */
#define T_0100 INT64_C(1709514000000000)
#define HOUR_US INT64_C(3600000000)

/* A 150-minute service record of volunteer 42 at station 100, recorded at 04:00. */
static inline zy_service_record make_record(uint64_t id, int64_t start_us, int64_t minutes) {
    zy_service_record r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.volunteer = 42;
    r.unit = 100;
    r.team = 5;
    r.has_team = true;
    r.activity = 1;
    r.start_us = start_us;
    r.end_us = start_us + minutes * INT64_C(60000000);
    r.kind = ZY_RECORD_KIND_SERVICE;
    r.recorded_by = 900;
    r.recorded_at_us = r.end_us + HOUR_US / 2;
    return r;
}

#endif /* ZY_TEST_FIXTURES_H */
