/* The hours ledger through both faces: #[repr(C)] struct and column calls,
 * and the JSON rich calls (exact output text). */
#include <stdint.h>

#include "check.h"
#include "fixtures.h"

static zy_ledger *new_ledger(void) {
    zy_policy *p = NULL;
    zy_unit_tree *t = NULL;
    zy_ledger *l = NULL;
    CHECK_OK(zy_policy_default(&p));
    CHECK_OK(zy_unit_tree_from_json(TREE_JSON, &t));
    CHECK_OK(zy_ledger_new(p, t, &l));
    /* The ledger keeps its own copies. */
    zy_unit_tree_free(t);
    zy_policy_free(p);
    return l;
}

static void struct_calls(void) {
    zy_ledger *l = new_ledger();
    zy_service_record batch[3];
    zy_receipt r[3];
    const uint64_t vols[2] = {42, 43};
    int64_t mins[2] = {-1, -1};
    uint8_t stars[2] = {9, 9};
    int64_t day = 24 * HOUR_US;
    char *out = NULL;

    batch[0] = make_record(1, T_0100, 150);
    batch[1] = make_record(2, T_0100 + day, 60);
    batch[1].has_team = false;
    batch[2] = make_record(3, T_0100 + 2 * day, 45);
    batch[2].kind = ZY_RECORD_KIND_TRAINING;
    CHECK_OK(zy_ledger_submit_batch(l, batch, 3, r));
    CHECK(r[0].id == 1 && r[0].minutes == 150 && r[1].minutes == 60 && r[2].minutes == 45);
    /* Idempotent: the same record again returns the same receipt. */
    CHECK_OK(zy_ledger_submit(l, &batch[0], &r[0]));
    CHECK(r[0].id == 1 && r[0].minutes == 150 && r[0].flags == 0);

    CHECK_OK(zy_ledger_approve(l, 1, 7, T_0100 + 4 * HOUR_US, false));
    CHECK_OK(zy_ledger_approve(l, 2, 7, T_0100 + day + 4 * HOUR_US, false));
    CHECK_OK(zy_ledger_approve(l, 3, 7, T_0100 + 2 * day + 4 * HOUR_US, false));
    CHECK_OK(zy_ledger_approved_minutes(l, vols, 2, T_0100 + 3 * day, mins));
    CHECK(mins[0] == 210 && mins[1] == 0); /* training is kept apart */
    /* As of before the second approval only the first counts. */
    CHECK_OK(zy_ledger_approved_minutes(l, vols, 1, T_0100 + day, mins));
    CHECK(mins[0] == 150);

    /* Revocation with a reason code takes the minutes out from then on. */
    CHECK_OK(zy_ledger_revoke(l, 2, ZY_REVOKE_REASON_DUPLICATE, 8, T_0100 + 5 * day, "twice"));
    CHECK_OK(zy_ledger_approved_minutes(l, vols, 1, T_0100 + 6 * day, mins));
    CHECK(mins[0] == 150);
    CHECK_OK(zy_ledger_approved_minutes(l, vols, 1, T_0100 + 4 * day, mins));
    CHECK(mins[0] == 210);
    CHECK_OK(zy_ledger_record_json(l, "{\"id\": 2}", &out));
    CHECK(out && strstr(out, "\"status\":\"revoked\"") && strstr(out, "\"revoke_reason\":\"duplicate\""));
    zy_string_free(out);

    /* Reject needs a reason; with one it works. */
    batch[0] = make_record(4, T_0100 + 3 * day, 30);
    CHECK_OK(zy_ledger_submit(l, &batch[0], &r[0]));
    CHECK_STATUS(zy_ledger_reject(l, 4, 7, T_0100 + 4 * day, ""), ZY_STATUS_INVALID_INPUT);
    CHECK_OK(zy_ledger_reject(l, 4, 7, T_0100 + 4 * day, "无活动记录"));

    /* Late records carry the flag and need late_ok. */
    batch[0] = make_record(5, T_0100 + 7 * day, 60);
    batch[0].recorded_at_us = T_0100 + 60 * day;
    CHECK_OK(zy_ledger_submit(l, &batch[0], &r[0]));
    CHECK(r[0].flags == ZY_FLAG_LATE);
    CHECK_STATUS(zy_ledger_approve(l, 5, 7, T_0100 + 61 * day, false), ZY_STATUS_INVALID_STATE);
    CHECK_MSG("approve it with late_ok");
    CHECK_OK(zy_ledger_approve(l, 5, 7, T_0100 + 61 * day, true));

    CHECK_OK(zy_ledger_star_levels(l, vols, 2, T_0100 + 61 * day, stars));
    CHECK(stars[0] == 0 && stars[1] == 0);
    zy_ledger_free(l);
}

static void json_calls(void) {
    zy_ledger *l = new_ledger();
    zy_ledger *restored = NULL;
    char *out = NULL, *snap = NULL, *snap2 = NULL;

    CHECK_OK(zy_ledger_submit_json(l,
        "{\"id\": 1, \"volunteer\": 42, \"unit\": 100, \"team\": 5, \"activity\": 1,"
        " \"start\": \"2024-03-04T01:00:00Z\", \"end\": \"2024-03-04T03:30:00Z\","
        " \"kind\": \"service\", \"recorded_by\": 900, \"recorded_at\": \"2024-03-04T04:00:00Z\"}",
        &out));
    CHECK_STR_FREE(out, "{\"id\":1,\"minutes\":150,\"flags\":[]}");
    CHECK_OK(zy_ledger_approve_json(l, "{\"id\": 1, \"by\": 901, \"at\": \"2024-03-04T05:00:00Z\"}", &out));
    CHECK_STR_FREE(out, "null");
    CHECK_OK(zy_ledger_approved_minutes_json(l, "{\"volunteer\": 42, \"as_of\": \"2024-03-05T00:00:00Z\"}", &out));
    CHECK_STR_FREE(out, "150");
    CHECK_OK(zy_ledger_star_level_json(l, "{\"volunteer\": 42, \"as_of\": \"2024-03-05T00:00:00Z\"}", &out));
    CHECK_STR_FREE(out, "0");
    CHECK_OK(zy_ledger_totals_json(l,
        "{\"scope\": {\"scope\": \"unit\", \"id\": 1}, \"grain\": \"month\", \"as_of\": \"2024-04-01T00:00:00Z\"}",
        &out));
    CHECK_STR_FREE(out, "[{\"period\":\"2024-03\",\"service_minutes\":150,\"training_minutes\":0,\"records\":1}]");
    CHECK_STATUS(zy_ledger_totals_json(l,
        "{\"scope\": {\"scope\": \"unit\", \"id\": 404}, \"grain\": \"day\", \"as_of\": \"2024-04-01T00:00:00Z\"}",
        &out), ZY_STATUS_NOT_FOUND);
    CHECK_MSG("scope.unit: unknown unit 404");
    CHECK(out == NULL);
    CHECK_OK(zy_ledger_history_json(l, "{\"id\": 1}", &out));
    CHECK(out && strstr(out, "\"approve\""));
    zy_string_free(out);

    /* Snapshot and restore reproduce the ledger. */
    CHECK_OK(zy_ledger_snapshot(l, &snap));
    CHECK_OK(zy_ledger_restore(snap, &restored));
    CHECK_OK(zy_ledger_snapshot(restored, &snap2));
    CHECK(snap && snap2 && strcmp(snap, snap2) == 0);
    CHECK_STATUS(zy_ledger_restore("{\"format\": 1}", &restored), ZY_STATUS_INVALID_INPUT);
    zy_string_free(snap);
    zy_string_free(snap2);
    zy_ledger_free(restored);
    zy_ledger_free(l);
}

int main(void) {
    struct_calls();
    json_calls();
    return zy_report("ledger");
}
