/* Batch kernels over record columns: hours by period, minutes per unit,
 * overlaps, the merges, library-allocated results and their free calls. */
#include <stdint.h>

#include "check.h"
#include "fixtures.h"

#define MIN_US INT64_C(60000000)
/* 2024-03-03T16:00:00Z: Monday 4 March 00:00 in Beijing, opening 2024-W10. */
#define W10 INT64_C(1709481600000000)
#define WEEK_US (7 * 24 * HOUR_US)

static void hours(const zy_policy *p) {
    /* Volunteer 42: 150 min in W10, 90 min in W11 (one overlapping record
     * rejected); volunteer 7: one 59-second record in W10. */
    const uint64_t id[4] = {1, 2, 3, 4};
    const uint64_t vol[4] = {42, 7, 42, 42};
    const int64_t start[4] = {T_0100, T_0100, T_0100 + WEEK_US, T_0100 + 30 * MIN_US};
    const int64_t end[4] = {T_0100 + 150 * MIN_US, T_0100 + 59000000, T_0100 + WEEK_US + 90 * MIN_US,
                            T_0100 + 60 * MIN_US};
    const uint8_t status[4] = {1, 1, 1, 2}; /* approved ×3, rejected */
    zy_record_columns cols;
    zy_period_minutes *out = NULL, *again = NULL, *merged = NULL;
    const zy_period_minutes *parts[2];

    memset(&cols, 0, sizeof cols);
    cols.id = id;
    cols.volunteer = vol;
    cols.start = start;
    cols.end = end;
    cols.status = status;
    CHECK_OK(zy_hours_by_period_columns(p, &cols, 4, ZY_GRAIN_WEEK, 0, &out));
    CHECK(out != NULL && out->len == 3);
    if (out != NULL && out->len == 3) {
        CHECK(out->volunteer[0] == 7 && out->minutes[0] == 0 && out->period_start[0] == W10);
        CHECK(out->volunteer[1] == 42 && out->minutes[1] == 150 && out->period_start[1] == W10);
        CHECK(out->volunteer[2] == 42 && out->minutes[2] == 90 &&
              out->period_start[2] == W10 + WEEK_US);
    }
    /* Two threads, same answer; merging a result with itself doubles it. */
    CHECK_OK(zy_hours_by_period_columns(p, &cols, 4, ZY_GRAIN_WEEK, 2, &again));
    CHECK(again != NULL && out != NULL && again->len == out->len &&
          memcmp(again->minutes, out->minutes, out->len * sizeof(int64_t)) == 0);
    parts[0] = out;
    parts[1] = again;
    CHECK_OK(zy_period_minutes_merge(parts, 2, &merged));
    CHECK(merged != NULL && merged->len == 3 && merged->minutes[1] == 300);
    zy_period_minutes_free(merged);
    zy_period_minutes_free(again);

    /* Errors: end before start names the row; a bad grain or status code;
     * a NULL column that is read; the output untouched on failure. */
    again = NULL;
    {
        int64_t bad_end[4] = {T_0100 + 150 * MIN_US, T_0100 - 1, 0, 0};
        cols.end = bad_end;
        CHECK_STATUS(zy_hours_by_period_columns(p, &cols, 2, ZY_GRAIN_DAY, 0, &again),
                     ZY_STATUS_INVALID_INPUT);
        CHECK_MSG("end[1]: ");
        CHECK(again == NULL);
        cols.end = end;
    }
    CHECK_STATUS(zy_hours_by_period_columns(p, &cols, 4, 9, 0, &again), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("grain: unknown code 9");
    {
        const uint8_t bad_status[4] = {1, 7, 1, 1};
        cols.status = bad_status;
        CHECK_STATUS(zy_hours_by_period_columns(p, &cols, 4, ZY_GRAIN_WEEK, 0, &again),
                     ZY_STATUS_INVALID_INPUT);
        CHECK_MSG("status[1]: unknown code 7 (expected 0..=3)");
        cols.status = status;
    }
    cols.volunteer = NULL;
    CHECK_STATUS(zy_hours_by_period_columns(p, &cols, 4, ZY_GRAIN_WEEK, 0, &again),
                 ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("columns.volunteer");
    cols.volunteer = vol;
    CHECK_STATUS(zy_hours_by_period_columns(p, NULL, 4, ZY_GRAIN_WEEK, 0, &again), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_hours_by_period_columns(p, &cols, 4, ZY_GRAIN_WEEK, 0, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(again == NULL);

    /* Overlaps: record 4 (rejected) never counts; without the status column
     * it overlaps record 1. */
    {
        zy_overlaps *ov = NULL;
        CHECK_OK(zy_find_overlaps_columns(&cols, 4, 1, &ov));
        CHECK(ov != NULL && ov->len == 0);
        zy_overlaps_free(ov);
        ov = NULL;
        cols.status = NULL;
        CHECK_OK(zy_find_overlaps_columns(&cols, 4, 3, &ov));
        CHECK(ov != NULL && ov->len == 1 && ov->volunteer[0] == 42 && ov->id[0] == 4 &&
              ov->overlaps[0] == 1);
        zy_overlaps_free(ov);
        cols.status = status;
        {
            const uint64_t dup[4] = {1, 2, 1, 4};
            ov = NULL;
            cols.id = dup;
            CHECK_STATUS(zy_find_overlaps_columns(&cols, 4, 0, &ov), ZY_STATUS_INVALID_INPUT);
            CHECK_MSG("id[2]: duplicate id 1");
            CHECK(ov == NULL);
            cols.id = id;
        }
    }
    zy_period_minutes_free(out);
    zy_period_minutes_free(NULL);
    zy_overlaps_free(NULL);
}

static void units(void) {
    zy_unit_tree *t = NULL;
    zy_unit_minutes *out = NULL, *merged = NULL;
    const zy_unit_minutes *parts[1];
    const uint64_t unit[3] = {100, 10, 100};
    const int64_t start[3] = {T_0100, T_0100, T_0100 + HOUR_US};
    const int64_t end[3] = {T_0100 + 30 * MIN_US, T_0100 + 20 * MIN_US, T_0100 + 2 * HOUR_US};
    const uint8_t kind[3] = {0, 0, 1}; /* service, service, training */
    zy_record_columns cols;

    CHECK_OK(zy_unit_tree_from_json(TREE_JSON, &t));
    memset(&cols, 0, sizeof cols);
    cols.unit = unit;
    cols.start = start;
    cols.end = end;
    cols.kind = kind;
    CHECK_OK(zy_unit_minutes_columns(t, &cols, 3, 0, &out));
    CHECK(out != NULL && out->len == 3);
    if (out != NULL && out->len == 3) {
        CHECK(out->unit[0] == 1 && out->own_minutes[0] == 0 && out->total_minutes[0] == 50);
        CHECK(out->unit[1] == 10 && out->own_minutes[1] == 20 && out->total_minutes[1] == 50);
        CHECK(out->unit[2] == 100 && out->own_minutes[2] == 30 && out->total_minutes[2] == 30);
    }
    parts[0] = out;
    CHECK_OK(zy_unit_minutes_merge(t, parts, 1, &merged));
    CHECK(merged != NULL && out != NULL && merged->len == 3 &&
          memcmp(merged->total_minutes, out->total_minutes, 3 * sizeof(int64_t)) == 0);
    zy_unit_minutes_free(merged);
    {
        const uint64_t bad[3] = {100, 55, 100};
        zy_unit_minutes *none = NULL;
        cols.unit = bad;
        CHECK_STATUS(zy_unit_minutes_columns(t, &cols, 3, 0, &none), ZY_STATUS_INVALID_INPUT);
        CHECK_MSG("unit[1]: unknown unit 55");
        CHECK(none == NULL);
    }
    zy_unit_minutes_free(out);
    zy_unit_minutes_free(NULL);
    zy_unit_tree_free(t);
}

int main(void) {
    zy_policy *p = NULL;
    CHECK_OK(zy_policy_default(&p));
    hours(p);
    units();
    zy_policy_free(p);
    return zy_report("hours_table");
}
