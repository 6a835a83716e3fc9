/* quickstart.c: record volunteer hours, approve them, read totals and star
 * levels through libzhiyuan.
 *
 * Build against an installed library:
 *     cc quickstart.c $(pkg-config --cflags --libs zhiyuan) -o quickstart
 *
 * Every call returns a zy_status; on failure zy_last_error_message() names
 * the field or record. Handles are freed with their zy_X_free, strings the
 * library returns with zy_string_free. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <zhiyuan.h>

/* Prints the failure and returns 1 when `status` is not ZY_STATUS_OK. */
static int failed(zy_status status, const char *what) {
    if (status == ZY_STATUS_OK) {
        return 0;
    }
    fprintf(stderr, "%s: %s (%s)\n", what, zy_last_error_message(), zy_status_str(status));
    return 1;
}

int main(void) {
    static const char policy_toml[] = "[stars]\n"
                                      "thresholds_hours = [1, 3, 6]\n"; /* a demo ladder */
    static const char units_json[] =
        "{\"units\": ["
        "{\"id\": 1, \"parent\": null, \"name\": \"江宁区新时代文明实践中心\", \"level\": \"centre\"},"
        "{\"id\": 100, \"parent\": 1, \"name\": \"佘村实践站\", \"level\": \"station\"}]}";
    const int64_t start = INT64_C(1709514000000000); /* 2024-03-04T01:00:00Z, µs */
    const int64_t hour = INT64_C(3600000000);
    zy_policy *policy = NULL;
    zy_unit_tree *tree = NULL;
    zy_ledger *ledger = NULL;
    zy_service_record records[2];
    zy_receipt receipts[2];
    const uint64_t volunteers[2] = {42, 43};
    int64_t minutes[2];
    uint8_t stars[2];
    char *hash = NULL, *totals = NULL;
    int rc = 1, i;

    if (failed(zy_policy_from_toml(policy_toml, &policy), "policy") ||
        failed(zy_unit_tree_from_json(units_json, &tree), "units") ||
        failed(zy_ledger_new(policy, tree, &ledger), "ledger") ||
        failed(zy_policy_hash(policy, &hash), "hash")) {
        goto done;
    }
    printf("libzhiyuan %s, policy %.12s…\n", zy_version(), hash);

    for (i = 0; i < 2; i++) {
        memset(&records[i], 0, sizeof records[i]);
        records[i].id = (uint64_t)(i + 1);
        records[i].volunteer = 42;
        records[i].unit = 100;
        records[i].activity = 1;
        records[i].start_us = start + i * 24 * hour;
        records[i].end_us = records[i].start_us + 2 * hour;
        records[i].kind = ZY_RECORD_KIND_SERVICE;
        records[i].recorded_by = 900;
        records[i].recorded_at_us = records[i].end_us;
    }
    if (failed(zy_ledger_submit_batch(ledger, records, 2, receipts), "submit")) {
        goto done;
    }
    for (i = 0; i < 2; i++) {
        if (failed(zy_ledger_approve(ledger, receipts[i].id, 901, records[i].end_us + hour, false),
                   "approve")) {
            goto done;
        }
    }

    /* A failing call explains itself and leaves the ledger as it was. */
    records[0].end_us += hour;
    if (zy_ledger_submit(ledger, &records[0], &receipts[0]) != ZY_STATUS_OK) {
        printf("refused as expected: %s\n", zy_last_error_message());
    }

    if (failed(zy_ledger_approved_minutes(ledger, volunteers, 2, start + 7 * 24 * hour, minutes),
               "minutes") ||
        failed(zy_ledger_star_levels(ledger, volunteers, 2, start + 7 * 24 * hour, stars), "stars") ||
        failed(zy_ledger_totals_json(ledger,
                                     "{\"scope\": {\"scope\": \"unit\", \"id\": 1}, "
                                     "\"grain\": \"week\", \"as_of\": \"2024-03-31T00:00:00Z\"}",
                                     &totals),
               "totals")) {
        goto done;
    }
    for (i = 0; i < 2; i++) {
        printf("volunteer %" PRIu64 ": %" PRId64 " approved minutes, %u star(s)\n", volunteers[i],
               minutes[i], (unsigned)stars[i]);
    }
    printf("weekly totals of unit 1: %s\n", totals);
    rc = 0;

done:
    zy_string_free(totals);
    zy_string_free(hash);
    zy_ledger_free(ledger);
    zy_unit_tree_free(tree);
    zy_policy_free(policy);
    return rc;
}
