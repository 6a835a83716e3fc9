/* The error contract: NULL for every pointer argument, invalid UTF-8, bad
 * JSON, out-of-range codes, outputs untouched on failure, handles usable
 * after a failing call, NULL frees. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

static char sentinel_byte;
#define SENTINEL ((void *)&sentinel_byte)

typedef zy_status (*ledger_query_json)(const zy_ledger *, const char *, char **);
typedef zy_status (*ledger_command_json)(zy_ledger *, const char *, char **);

static void version_and_status_strings(void) {
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", ZY_VERSION_MAJOR, ZY_VERSION_MINOR, ZY_VERSION_PATCH);
    CHECK(strcmp(zy_version(), want) == 0);
    CHECK(strcmp(zy_status_str(ZY_STATUS_OK), "ok") == 0);
    CHECK(strcmp(zy_status_str(ZY_STATUS_PANIC), zy_status_str(ZY_STATUS_NULL_ARGUMENT)) != 0);
    CHECK(strcmp(zy_status_str(12345), "unknown status") == 0);
    CHECK(ZY_STATUS_OK == 0 && ZY_STATUS_NULL_ARGUMENT == 1 && ZY_STATUS_INVALID_UTF8 == 2 &&
          ZY_STATUS_INVALID_JSON == 3 && ZY_STATUS_INVALID_INPUT == 4 && ZY_STATUS_CONFLICT == 5 &&
          ZY_STATUS_NOT_FOUND == 6 && ZY_STATUS_INVALID_STATE == 7 &&
          ZY_STATUS_POLICY_INVALID == 8 && ZY_STATUS_PANIC == 255);
    CHECK(zy_last_error_message() == NULL);
}

static void null_frees(void) {
    zy_policy_free(NULL);
    zy_policy_free(NULL);
    zy_unit_tree_free(NULL);
    zy_ledger_free(NULL);
    zy_ledger_free(NULL);
    zy_string_free(NULL);
}

static void null_arguments(zy_policy *p, zy_unit_tree *t, zy_ledger *l) {
    zy_policy *po = (zy_policy *)SENTINEL;
    zy_unit_tree *to = (zy_unit_tree *)SENTINEL;
    zy_ledger *lo = (zy_ledger *)SENTINEL;
    char *s = (char *)SENTINEL;
    size_t len = 7;
    const int64_t minutes[2] = {0, 6000};
    uint8_t levels[2] = {9, 9};
    uint64_t ids[3] = {0, 0, 0};
    int64_t own[3] = {1, 2, 3}, totals[3] = {0, 0, 0};
    zy_service_record rec = make_record(77, T_0100, 30);
    zy_receipt receipt;
    const uint64_t vols[1] = {42};
    int64_t mins[1] = {-1};
    size_t i;

    CHECK_STATUS(zy_policy_from_toml(NULL, &po), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("toml: must not be NULL");
    CHECK_STATUS(zy_policy_from_toml("", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_from_json(NULL, &po), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_from_json("{}", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_default(NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(po == (zy_policy *)SENTINEL);

    CHECK_STATUS(zy_policy_hash(NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_hash(p, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_to_json(NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_to_json(p, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_to_toml(NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_policy_to_toml(p, NULL), ZY_STATUS_NULL_ARGUMENT);

    CHECK_STATUS(zy_star_levels(NULL, minutes, 2, levels), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_star_levels(p, NULL, 2, levels), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("minutes: must not be NULL");
    CHECK_STATUS(zy_star_levels(p, minutes, 2, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(levels[0] == 9 && levels[1] == 9);
    CHECK_OK(zy_star_levels(p, NULL, 0, NULL)); /* an empty column may be NULL */
    CHECK_STATUS(zy_star_levels_json(NULL, "[1]", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_star_levels_json(p, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_star_levels_json(p, "[1]", NULL), ZY_STATUS_NULL_ARGUMENT);

    CHECK_STATUS(zy_unit_tree_from_json(NULL, &to), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_from_json(TREE_JSON, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(to == (zy_unit_tree *)SENTINEL);
    CHECK_STATUS(zy_unit_tree_len(NULL, &len), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_len(t, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(len == 7);
    CHECK_STATUS(zy_unit_tree_ids(NULL, ids, 3), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_ids(t, NULL, 3), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_rollup(NULL, own, 3, totals), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_rollup(t, NULL, 3, totals), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_rollup(t, own, 3, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(totals[0] == 0 && ids[0] == 0);
    CHECK_STATUS(zy_unit_tree_rollup_json(NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_rollup_json(t, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_tree_rollup_json(t, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);

    CHECK_STATUS(zy_ledger_new(NULL, t, &lo), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_new(p, NULL, &lo), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_new(p, t, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_restore(NULL, &lo), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_restore("{}", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(lo == (zy_ledger *)SENTINEL);
    CHECK_STATUS(zy_ledger_snapshot(NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_snapshot(l, NULL), ZY_STATUS_NULL_ARGUMENT);

    CHECK_STATUS(zy_ledger_submit(NULL, &rec, &receipt), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_submit(l, NULL, &receipt), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_submit(l, &rec, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_submit_batch(NULL, &rec, 1, &receipt), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_submit_batch(l, NULL, 1, &receipt), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_submit_batch(l, &rec, 1, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_approve(NULL, 1, 1, T_0100, false), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_reject(NULL, 1, 1, T_0100, "x"), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_reject(l, 1, 1, T_0100, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_revoke(NULL, 1, ZY_REVOKE_REASON_ERROR, 1, T_0100, ""),
                 ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_revoke(l, 1, ZY_REVOKE_REASON_ERROR, 1, T_0100, NULL),
                 ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_approved_minutes(NULL, vols, 1, T_0100, mins), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_approved_minutes(l, NULL, 1, T_0100, mins), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_approved_minutes(l, vols, 1, T_0100, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_star_levels(NULL, vols, 1, T_0100, levels), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_star_levels(l, NULL, 1, T_0100, levels), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_ledger_star_levels(l, vols, 1, T_0100, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(mins[0] == -1 && levels[0] == 9);

    {
        const ledger_command_json commands[] = {
            zy_ledger_submit_json, zy_ledger_submit_batch_json, zy_ledger_approve_json,
            zy_ledger_reject_json, zy_ledger_revoke_json,       zy_ledger_amend_json,
        };
        const ledger_query_json queries[] = {
            zy_ledger_record_json,     zy_ledger_history_json, zy_ledger_approved_minutes_json,
            zy_ledger_star_level_json, zy_ledger_totals_json,  zy_ledger_totals_by_json,
        };
        for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
            CHECK_STATUS(commands[i](NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
            CHECK_STATUS(commands[i](l, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
            CHECK_STATUS(commands[i](l, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);
        }
        for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
            CHECK_STATUS(queries[i](NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
            CHECK_STATUS(queries[i](l, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
            CHECK_STATUS(queries[i](l, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);
        }
    }
    CHECK(s == (char *)SENTINEL);
}

static void bad_text(zy_policy *p, zy_unit_tree *t, zy_ledger *l) {
    static const char bad_utf8[] = "[stars]\nthresholds_hours = [1]\n# \xff\xfe\n";
    zy_policy *po = NULL;
    zy_unit_tree *to = NULL;
    char *s = NULL;

    CHECK_STATUS(zy_policy_from_toml(bad_utf8, &po), ZY_STATUS_INVALID_UTF8);
    CHECK_MSG("toml: invalid UTF-8 at byte");
    CHECK_STATUS(zy_policy_from_json("{\"x\": \"\xc3\x28\"}", &po), ZY_STATUS_INVALID_UTF8);
    CHECK_STATUS(zy_star_levels_json(p, "[\xff]", &s), ZY_STATUS_INVALID_UTF8);
    CHECK_STATUS(zy_ledger_reject(l, 1, 1, T_0100, "\xe4\xb8"), ZY_STATUS_INVALID_UTF8);
    CHECK_STATUS(zy_ledger_record_json(l, "{\"id\": \xff}", &s), ZY_STATUS_INVALID_UTF8);
    CHECK(po == NULL && s == NULL);

    /* Policy text errors are policy errors, naming the path. */
    CHECK_STATUS(zy_policy_from_toml("[stars]\nthresholds_hours = [100, 300, 300]\n", &po),
                 ZY_STATUS_POLICY_INVALID);
    CHECK_MSG("stars.thresholds_hours[2]: must be greater than 300");
    CHECK_STATUS(zy_policy_from_json("{\"hours\": ", &po), ZY_STATUS_POLICY_INVALID);
    CHECK_STATUS(zy_policy_from_json("{\"nope\": 1}", &po), ZY_STATUS_POLICY_INVALID);
    CHECK(po == NULL);

    /* JSON arguments: syntax and schema errors. */
    CHECK_STATUS(zy_star_levels_json(p, "[1,", &s), ZY_STATUS_INVALID_JSON);
    CHECK_STATUS(zy_star_levels_json(p, "", &s), ZY_STATUS_INVALID_JSON);
    CHECK_STATUS(zy_star_levels_json(p, "[1, \"x\"]", &s), ZY_STATUS_INVALID_JSON);
    CHECK_MSG("in_json at [1]: invalid type");
    CHECK_STATUS(zy_star_levels_json(p, "[1] [2]", &s), ZY_STATUS_INVALID_JSON);
    CHECK_STATUS(zy_unit_tree_rollup_json(t, "{\"x\": 1}", &s), ZY_STATUS_INVALID_JSON);
    CHECK_STATUS(zy_unit_tree_from_json("{\"units\": [], \"extra\": 1}", &to), ZY_STATUS_INVALID_JSON);
    CHECK_STATUS(zy_unit_tree_from_json("{\"units\": [{\"id\": 1}]}", &to), ZY_STATUS_INVALID_JSON);
    CHECK_MSG("json at units[0]");
    CHECK_STATUS(zy_ledger_submit_json(l, "{\"id\": 1}", &s), ZY_STATUS_INVALID_JSON);
    CHECK_STATUS(zy_ledger_approve_json(l, "{\"id\": 1, \"by\": 2, \"at\": \"2024-03-04T01:00:00\"}", &s),
                 ZY_STATUS_INVALID_JSON); /* a naive timestamp is refused */
    CHECK_STATUS(zy_ledger_totals_json(l, "{\"scope\": {\"scope\": \"galaxy\"}, \"grain\": \"day\", "
                                          "\"as_of\": \"2024-03-04T01:00:00Z\"}", &s),
                 ZY_STATUS_INVALID_JSON);
    CHECK(to == NULL && s == NULL);

    /* Tree-building errors keep their core kinds. */
    CHECK_STATUS(zy_unit_tree_from_json("{\"units\": [{\"id\": 1, \"parent\": 9, \"name\": \"a\", "
                                        "\"level\": \"x\"}]}", &to),
                 ZY_STATUS_NOT_FOUND);
    CHECK_MSG("units[id=1].parent: unknown parent unit 9");
    CHECK_STATUS(zy_unit_tree_from_json("{\"units\": [{\"id\": 1, \"parent\": null, \"name\": \"a\", "
                                        "\"level\": \"x\"}, {\"id\": 1, \"parent\": null, "
                                        "\"name\": \"b\", \"level\": \"x\"}]}", &to),
                 ZY_STATUS_CONFLICT);
    CHECK(to == NULL);
}

static void out_of_range_codes(zy_unit_tree *t, zy_ledger *l) {
    zy_service_record rec = make_record(50, T_0100, 30);
    zy_receipt receipt;
    uint64_t ids[2];
    int64_t own[2] = {1, 2}, out[2] = {0, 0};
    memset(&receipt, 0xab, sizeof receipt);

    rec.kind = 7;
    CHECK_STATUS(zy_ledger_submit(l, &rec, &receipt), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("record.kind: unknown code 7 (expected 0..=1)");
    rec.kind = ZY_RECORD_KIND_SERVICE;
    rec.end_us = INT64_MAX;
    CHECK_STATUS(zy_ledger_submit(l, &rec, &receipt), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("record.end_us:");
    CHECK(receipt.id == UINT64_C(0xabababababababab));
    CHECK_STATUS(zy_ledger_revoke(l, 1, 99, 1, T_0100, ""), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("reason: unknown code 99");
    CHECK_STATUS(zy_ledger_approve(l, 1, 1, INT64_MIN, false), ZY_STATUS_INVALID_INPUT);

    /* Columns of the wrong length. */
    CHECK_STATUS(zy_unit_tree_ids(t, ids, 2), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("out: has 2 elements, the tree has 3 units");
    CHECK_STATUS(zy_unit_tree_rollup(t, own, 2, out), ZY_STATUS_INVALID_INPUT);
    CHECK(out[0] == 0 && out[1] == 0);
}

/* A call that fails leaves the handle as it was and usable. */
static void failure_leaves_handle_usable(zy_ledger *l) {
    zy_service_record a = make_record(1, T_0100, 150);
    zy_service_record b = make_record(2, T_0100 + HOUR_US, 60); /* overlaps a */
    zy_service_record batch[2];
    zy_receipt receipts[2];
    char *before = NULL, *after = NULL;
    const uint64_t vol[1] = {42};
    int64_t mins[1] = {0};

    CHECK_OK(zy_ledger_submit(l, &a, &receipts[0]));
    CHECK(receipts[0].id == 1 && receipts[0].minutes == 150 && receipts[0].flags == 0);
    CHECK_OK(zy_ledger_snapshot(l, &before));

    CHECK_STATUS(zy_ledger_submit(l, &b, &receipts[0]), ZY_STATUS_CONFLICT);
    CHECK_MSG("record 2: overlaps live record 1 of volunteer 42");
    a.end_us += 60000000; /* same id, different body */
    CHECK_STATUS(zy_ledger_submit(l, &a, &receipts[0]), ZY_STATUS_CONFLICT);
    CHECK_MSG("record 1.end: id already used with a different value");
    CHECK_STATUS(zy_ledger_approve(l, 999, 1, T_0100 + 5 * HOUR_US, false), ZY_STATUS_NOT_FOUND);
    CHECK_STATUS(zy_ledger_revoke(l, 1, ZY_REVOKE_REASON_FRAUD, 1, T_0100 + 5 * HOUR_US, ""),
                 ZY_STATUS_INVALID_STATE);
    /* All or nothing: the second record is refused, so the first is not stored. */
    batch[0] = make_record(3, T_0100 + 24 * HOUR_US, 30);
    batch[1] = make_record(4, T_0100 + 24 * HOUR_US, 30);
    memset(receipts, 0, sizeof receipts);
    CHECK_STATUS(zy_ledger_submit_batch(l, batch, 2, receipts), ZY_STATUS_CONFLICT);
    CHECK_MSG("records[1]: record 4: overlaps live record 3");
    CHECK(receipts[0].id == 0 && receipts[1].id == 0);

    CHECK_OK(zy_ledger_snapshot(l, &after));
    CHECK(before && after && strcmp(before, after) == 0);
    zy_string_free(before);
    zy_string_free(after);

    /* ...and still works. */
    CHECK_OK(zy_ledger_approve(l, 1, 7, T_0100 + 5 * HOUR_US, false));
    CHECK_OK(zy_ledger_approved_minutes(l, vol, 1, T_0100 + 6 * HOUR_US, mins));
    CHECK(mins[0] == 150);
}

/* ---- every capability after the ledger --------------------------------- */

/* The three NULL cases of a (handle, in_json, out_json) call. */
#define NULL3(fn, h, in)                                                  \
    do {                                                                  \
        CHECK_STATUS(fn(NULL, (in), &s), ZY_STATUS_NULL_ARGUMENT);        \
        CHECK_STATUS(fn((h), NULL, &s), ZY_STATUS_NULL_ARGUMENT);         \
        CHECK_STATUS(fn((h), (in), NULL), ZY_STATUS_NULL_ARGUMENT);       \
    } while (0)

/* The two NULL cases of an (in_json, out_json) call. */
#define NULL2(fn, in)                                                     \
    do {                                                                  \
        CHECK_STATUS(fn(NULL, &s), ZY_STATUS_NULL_ARGUMENT);              \
        CHECK_STATUS(fn((in), NULL), ZY_STATUS_NULL_ARGUMENT);            \
    } while (0)

/* Invalid UTF-8, broken JSON and a wrong JSON type, through any JSON call
 * `call(in)` that writes `s`. */
#define BAD_TEXT(call_with_in)                                            \
    do {                                                                  \
        const char *in_;                                                  \
        in_ = "{\"x\": \"\xff\"}";                                        \
        CHECK_STATUS(call_with_in, ZY_STATUS_INVALID_UTF8);               \
        in_ = "{";                                                        \
        CHECK_STATUS(call_with_in, ZY_STATUS_INVALID_JSON);               \
        in_ = "\"x\"";                                                    \
        CHECK_STATUS(call_with_in, ZY_STATUS_INVALID_JSON);               \
        (void)in_;                                                        \
    } while (0)

typedef struct handles {
    zy_policy *p;
    zy_unit_tree *t;
    zy_ledger *l;
    zy_honours *h;
    zy_points *pts;
    zy_perks *perks;
    zy_certificates *certs;
    zy_feed *feed;
    zy_order_book *book;
} handles;

static void null_frees_more(void) {
    zy_honours_free(NULL);
    zy_points_free(NULL);
    zy_perks_free(NULL);
    zy_certificates_free(NULL);
    zy_feed_free(NULL);
    zy_order_book_free(NULL);
}

static void null_arguments_more(const handles *x) {
    char *s = (char *)SENTINEL;
    zy_honours *ho = (zy_honours *)SENTINEL;
    zy_points *po = (zy_points *)SENTINEL;
    zy_perks *pe = (zy_perks *)SENTINEL;
    zy_certificates *co = (zy_certificates *)SENTINEL;
    zy_feed *fo = (zy_feed *)SENTINEL;
    zy_order_book *bo = (zy_order_book *)SENTINEL;
    zy_facts facts;
    zy_facts_columns cols;
    zy_credit_result r[2];
    const uint64_t ids[2] = {1, 2}, sizes[2] = {10, 20}, caps[2] = {ZY_NO_CAP, ZY_NO_CAP};
    uint64_t seats[2] = {7, 7}, unfilled = 7;
    memset(&facts, 0, sizeof facts);
    memset(&cols, 0, sizeof cols);
    memset(r, 0xab, sizeof r);

    /* Constructors. */
    CHECK_STATUS(zy_honours_new(NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_points_new(NULL, &po), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_points_new(x->p, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_new(NULL, &pe), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_new(x->p, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_certificates_new(NULL, "PZ", &co), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_certificates_new(x->p, NULL, &co), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("prefix: must not be NULL");
    CHECK_STATUS(zy_certificates_new(x->p, "PZ", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_feed_new(NULL, &fo), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_feed_new(x->p, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_order_book_new(NULL, x->t, &bo), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_order_book_new(x->p, NULL, &bo), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_order_book_new(x->p, x->t, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(ho == (zy_honours *)SENTINEL && po == (zy_points *)SENTINEL &&
          pe == (zy_perks *)SENTINEL && co == (zy_certificates *)SENTINEL &&
          fo == (zy_feed *)SENTINEL && bo == (zy_order_book *)SENTINEL);

    /* Credit: struct, columns, rows. */
    CHECK_STATUS(zy_credit_decide(NULL, &facts, r), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide(x->p, NULL, r), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("facts: must not be NULL");
    CHECK_STATUS(zy_credit_decide(x->p, &facts, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide_columns(NULL, &cols, 0, r), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide_columns(x->p, NULL, 0, r), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide_columns(x->p, &cols, 2, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide_rows(NULL, &facts, 1, r), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide_rows(x->p, NULL, 1, r), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_credit_decide_rows(x->p, &facts, 1, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(r[0].tier == 0xabababab);
    /* NULL columns the default policy reads: an error naming the column. */
    CHECK_STATUS(zy_credit_decide_columns(x->p, &cols, 2, r), ZY_STATUS_INVALID_INPUT);
    CHECK(r[0].tier == 0xabababab);

    /* Apportionment columns. */
    CHECK_STATUS(zy_apportion(NULL, sizes, caps, 2, 3, 0, seats, &unfilled), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_apportion(ids, NULL, caps, 2, 3, 0, seats, &unfilled), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_apportion(ids, sizes, NULL, 2, 3, 0, seats, &unfilled), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_apportion(ids, sizes, caps, 2, 3, 0, NULL, &unfilled), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_apportion(ids, sizes, caps, 2, 3, 0, seats, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_apportion(ids, sizes, caps, 2, 3, 9, seats, &unfilled), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("method: unknown code 9 (expected 0..=3)");
    CHECK(seats[0] == 7 && unfilled == 7);

    /* Policy-level JSON calls. */
    NULL3(zy_credit_decide_json, x->p, "{}");
    NULL3(zy_credit_decide_batch_json, x->p, "{}");
    NULL3(zy_facts_derive_json, x->p, "{}");
    NULL3(zy_like_batch_json, x->p, "{}");
    NULL3(zy_weekly_boards_json, x->p, "{}");
    NULL3(zy_monthly_stars_json, x->p, "{}");
    NULL3(zy_monthly_count_votes_json, x->p, "{}");
    NULL3(zy_annual_selection_json, x->p, "{}");
    NULL3(zy_dispatch_rank_json, x->p, "{}");
    /* Stateless JSON calls. */
    NULL2(zy_like_partial_merge_json, "{}");
    NULL2(zy_like_partial_boards_json, "{}");
    NULL2(zy_like_partial_exhibition_json, "{}");
    NULL2(zy_apportion_json, "{}");
    NULL2(zy_distance_m_json, "{}");
    NULL2(zy_certificate_verify_json, "{}");
    NULL2(zy_certificate_verify_text_json, "{}");
    /* Handle JSON calls. */
    NULL3(zy_honours_grant_json, x->h, "{}");
    NULL3(zy_honours_record_winners_json, x->h, "{}");
    NULL3(zy_honours_revoke_json, x->h, "{}");
    NULL3(zy_honours_of_json, x->h, "{}");
    NULL3(zy_points_sync_hours_json, x->pts, "{}");
    NULL3(zy_points_redeem_json, x->pts, "{}");
    NULL3(zy_points_expire_json, x->pts, "{}");
    NULL3(zy_points_account_json, x->pts, "{}");
    NULL3(zy_points_entries_json, x->pts, "{}");
    CHECK_STATUS(zy_points_sync_honours_json(NULL, x->h, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_points_sync_honours_json(x->pts, NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("honours: must not be NULL");
    CHECK_STATUS(zy_points_sync_honours_json(x->pts, x->h, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_points_sync_honours_json(x->pts, x->h, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_eligible_json(NULL, x->pts, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_eligible_json(x->perks, NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_eligible_json(x->perks, x->pts, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_eligible_json(x->perks, x->pts, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_claim_json(NULL, x->pts, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_claim_json(x->perks, NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_claim_json(x->perks, x->pts, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_perks_claim_json(x->perks, x->pts, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);
    NULL3(zy_certificates_issue_json, x->certs, "{}");
    NULL3(zy_certificates_revoke_json, x->certs, "{}");
    NULL3(zy_certificates_check_json, x->certs, "{}");
    NULL3(zy_feed_register_json, x->feed, "{}");
    NULL3(zy_feed_add_post_json, x->feed, "{}");
    NULL3(zy_feed_like_json, x->feed, "{}");
    NULL3(zy_feed_add_comment_json, x->feed, "{}");
    NULL3(zy_feed_comments_json, x->feed, "{}");
    NULL3(zy_feed_topic_json, x->feed, "{}");
    NULL3(zy_feed_topics_json, x->feed, "{}");
    NULL3(zy_feed_weeks_json, x->feed, "{}");
    NULL3(zy_feed_board_json, x->feed, "{}");
    NULL3(zy_feed_exhibition_json, x->feed, "{}");
    NULL3(zy_feed_verdicts_json, x->feed, "{}");
    NULL3(zy_feed_partial_json, x->feed, "{}");
    NULL3(zy_order_book_place_json, x->book, "{}");
    NULL3(zy_order_book_apply_json, x->book, "{}");
    NULL3(zy_order_book_order_json, x->book, "{}");
    NULL3(zy_order_book_events_of_json, x->book, "{}");
    NULL3(zy_order_book_order_of_record_json, x->book, "{}");
    NULL3(zy_order_book_overdue_json, x->book, "{}");
    NULL3(zy_order_book_sweep_json, x->book, "{}");
    NULL3(zy_order_book_metrics_json, x->book, "{}");
    NULL3(zy_order_book_service_list_json, x->book, "{}");
    CHECK_STATUS(zy_order_book_fulfil_json(NULL, x->l, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_order_book_fulfil_json(x->book, NULL, "{}", &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("ledger: must not be NULL");
    CHECK_STATUS(zy_order_book_fulfil_json(x->book, x->l, NULL, &s), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_order_book_fulfil_json(x->book, x->l, "{}", NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(s == (char *)SENTINEL);
}

/* Every new JSON call refuses invalid UTF-8, broken JSON and wrong types. */
static void bad_text_more(const handles *x) {
    char *s = NULL;
    BAD_TEXT(zy_credit_decide_json(x->p, in_, &s));
    BAD_TEXT(zy_credit_decide_batch_json(x->p, in_, &s));
    BAD_TEXT(zy_facts_derive_json(x->p, in_, &s));
    BAD_TEXT(zy_like_batch_json(x->p, in_, &s));
    BAD_TEXT(zy_weekly_boards_json(x->p, in_, &s));
    BAD_TEXT(zy_monthly_stars_json(x->p, in_, &s));
    BAD_TEXT(zy_monthly_count_votes_json(x->p, in_, &s));
    BAD_TEXT(zy_annual_selection_json(x->p, in_, &s));
    BAD_TEXT(zy_dispatch_rank_json(x->p, in_, &s));
    BAD_TEXT(zy_like_partial_merge_json(in_, &s));
    BAD_TEXT(zy_like_partial_boards_json(in_, &s));
    BAD_TEXT(zy_like_partial_exhibition_json(in_, &s));
    BAD_TEXT(zy_apportion_json(in_, &s));
    BAD_TEXT(zy_distance_m_json(in_, &s));
    BAD_TEXT(zy_certificate_verify_json(in_, &s));
    BAD_TEXT(zy_certificate_verify_text_json(in_, &s));
    BAD_TEXT(zy_honours_grant_json(x->h, in_, &s));
    BAD_TEXT(zy_honours_record_winners_json(x->h, in_, &s));
    BAD_TEXT(zy_honours_revoke_json(x->h, in_, &s));
    BAD_TEXT(zy_honours_of_json(x->h, in_, &s));
    BAD_TEXT(zy_points_sync_hours_json(x->pts, in_, &s));
    BAD_TEXT(zy_points_sync_honours_json(x->pts, x->h, in_, &s));
    BAD_TEXT(zy_points_redeem_json(x->pts, in_, &s));
    BAD_TEXT(zy_points_expire_json(x->pts, in_, &s));
    BAD_TEXT(zy_points_account_json(x->pts, in_, &s));
    BAD_TEXT(zy_points_entries_json(x->pts, in_, &s));
    BAD_TEXT(zy_perks_eligible_json(x->perks, x->pts, in_, &s));
    BAD_TEXT(zy_perks_claim_json(x->perks, x->pts, in_, &s));
    BAD_TEXT(zy_certificates_issue_json(x->certs, in_, &s));
    BAD_TEXT(zy_certificates_revoke_json(x->certs, in_, &s));
    BAD_TEXT(zy_certificates_check_json(x->certs, in_, &s));
    BAD_TEXT(zy_feed_register_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_add_post_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_like_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_add_comment_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_comments_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_topic_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_topics_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_weeks_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_board_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_exhibition_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_verdicts_json(x->feed, in_, &s));
    BAD_TEXT(zy_feed_partial_json(x->feed, in_, &s));
    BAD_TEXT(zy_order_book_place_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_apply_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_fulfil_json(x->book, x->l, in_, &s));
    BAD_TEXT(zy_order_book_order_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_events_of_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_order_of_record_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_overdue_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_sweep_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_metrics_json(x->book, in_, &s));
    BAD_TEXT(zy_order_book_service_list_json(x->book, in_, &s));
    CHECK(s == NULL);
    CHECK_STATUS(zy_certificates_new(x->p, "P\xffZ", (zy_certificates **)&s), ZY_STATUS_INVALID_UTF8);
    CHECK(s == NULL);
    /* Unknown fields are refused, naming the path. */
    CHECK_STATUS(zy_points_account_json(x->pts, "{\"volunteer\": 7, \"extra\": 1}", &s),
                 ZY_STATUS_INVALID_JSON);
    CHECK_MSG("in_json");
    CHECK_STATUS(zy_feed_topics_json(x->feed, "{\"x\": 1}", &s), ZY_STATUS_INVALID_JSON);
    CHECK(s == NULL);
}

/* Failing calls keep each handle as it was, and it keeps working. */
static void failures_leave_handles_usable_more(const handles *x) {
    char *before = NULL, *after = NULL, *s = NULL;
    zy_facts f;
    zy_credit_result r;
    memset(&f, 0, sizeof f);

    /* Points: redeeming more than the balance is refused; the account is unchanged. */
    CHECK_OK(zy_points_sync_hours_json(
        x->pts, "{\"volunteer\": 7, \"approved_minutes\": 600, \"at\": \"2024-01-01T00:00:00Z\"}", &s));
    CHECK_STR_FREE(s, "100");
    CHECK_OK(zy_points_account_json(x->pts, "{\"volunteer\": 7}", &before));
    CHECK_STATUS(zy_points_redeem_json(x->pts,
                                       "{\"volunteer\": 7, \"points\": 5000, \"merchant\": \"m\", "
                                       "\"order_code\": \"A\", \"at\": \"2024-01-02T00:00:00Z\"}",
                                       &s),
                 ZY_STATUS_INVALID_STATE);
    CHECK(s == NULL);
    CHECK_OK(zy_points_account_json(x->pts, "{\"volunteer\": 7}", &after));
    CHECK(before && after && strcmp(before, after) == 0);
    zy_string_free(before);
    zy_string_free(after);
    CHECK_OK(zy_points_redeem_json(x->pts,
                                   "{\"volunteer\": 7, \"points\": 60, \"merchant\": \"m\", "
                                   "\"order_code\": \"A\", \"at\": \"2024-01-02T00:00:00Z\"}",
                                   &s));
    CHECK(s && strstr(s, "\"balance_after\":40"));
    zy_string_free(s);
    s = NULL;

    /* Honours: revoking an unknown honour is NOT_FOUND; grants still work. */
    CHECK_STATUS(zy_honours_revoke_json(x->h,
                                        "{\"volunteer\": 7, \"kind\": \"monthly_star\", \"period\": "
                                        "\"2024-03\", \"by\": 1, \"at\": \"2024-05-01T00:00:00Z\", "
                                        "\"reason\": \"x\"}",
                                        &s),
                 ZY_STATUS_NOT_FOUND);
    CHECK_OK(zy_honours_grant_json(x->h,
                                   "{\"volunteer\": 7, \"kind\": \"monthly_star\", \"period\": "
                                   "\"2024-03\", \"grantor\": 1, \"granted_on\": \"2024-04-02\"}",
                                   &s));
    CHECK_STR_FREE(s, "true");

    /* Feed: a like on an unknown post fails; the feed still takes posts. */
    CHECK_STATUS(zy_feed_like_json(x->feed,
                                   "{\"id\": 1, \"post\": 99, \"liker\": 2, \"action\": \"like\", "
                                   "\"time\": \"2024-03-05T01:00:00Z\"}",
                                   &s),
                 ZY_STATUS_NOT_FOUND);
    CHECK_OK(zy_feed_register_json(x->feed, "{\"volunteer\": 1, \"registered_at\": \"2024-01-01T00:00:00Z\"}", &s));
    CHECK_STR_FREE(s, "null");
    CHECK_OK(zy_feed_weeks_json(x->feed, "{}", &s));
    CHECK_STR_FREE(s, "[]");

    /* Orders: applying to an unknown order fails; placing still works. */
    CHECK_STATUS(zy_order_book_apply_json(x->book,
                                          "{\"order\": 5, \"actor\": 9, \"at\": "
                                          "\"2024-03-04T02:00:00Z\", \"action\": \"start_review\"}",
                                          &s),
                 ZY_STATUS_NOT_FOUND);
    CHECK_OK(zy_order_book_place_json(x->book,
                                      "{\"id\": 1, \"requester\": 101, \"unit\": 100, \"category\": "
                                      "\"medical_fitness\", \"description_len\": 42, \"at\": "
                                      "\"2024-03-04T01:00:00Z\"}",
                                      &s));
    CHECK(s && strstr(s, "\"state\":\"placed\""));
    zy_string_free(s);
    s = NULL;

    /* Certificates: checking an unknown serial is an answer, not an error. */
    CHECK_STATUS(zy_certificates_revoke_json(x->certs,
                                             "{\"serial\": \"PZ-1\", \"by\": 1, \"at\": "
                                             "\"2024-01-01T00:00:00Z\", \"reason\": \"x\"}",
                                             &s),
                 ZY_STATUS_NOT_FOUND);
    CHECK_OK(zy_certificates_check_json(x->certs, "{\"serial\": \"PZ-1\", \"code\": \"0\"}", &s));
    CHECK(s && strstr(s, "\"found\":false"));
    zy_string_free(s);
    s = NULL;

    /* Credit: a bad status code is refused, then the call works. */
    f.status = 3;
    CHECK_STATUS(zy_credit_decide(x->p, &f, &r), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("facts.status: unknown code 3 (expected 0..=2)");
    f.status = ZY_VOLUNTEER_STATUS_ACTIVE;
    CHECK_OK(zy_credit_decide(x->p, &f, &r));
    CHECK(!r.eligible && r.tier == 0 && r.limit_fen == 0);
}

/* The batch kernels over record columns: NULL handles, columns, outputs
 * and tables, each refused with the output left untouched. */
static void null_arguments_kernels(zy_policy *p, zy_unit_tree *t) {
    const uint64_t ids[1] = {1};
    const int64_t times[1] = {T_0100};
    zy_record_columns cols;
    zy_period_minutes *pm = (zy_period_minutes *)SENTINEL;
    zy_unit_minutes *um = (zy_unit_minutes *)SENTINEL;
    zy_overlaps *ov = (zy_overlaps *)SENTINEL;
    const zy_period_minutes *no_pm[1] = {NULL};
    const zy_unit_minutes *no_um[1] = {NULL};

    memset(&cols, 0, sizeof cols);
    cols.id = ids;
    cols.volunteer = ids;
    cols.unit = ids;
    cols.start = times;
    cols.end = times;
    CHECK_STATUS(zy_hours_by_period_columns(NULL, &cols, 1, ZY_GRAIN_WEEK, 0, &pm), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("policy: must not be NULL");
    CHECK_STATUS(zy_hours_by_period_columns(p, NULL, 1, ZY_GRAIN_WEEK, 0, &pm), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_hours_by_period_columns(p, &cols, 1, ZY_GRAIN_WEEK, 0, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_period_minutes_merge(NULL, 1, &pm), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_period_minutes_merge(no_pm, 1, &pm), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("tables[0]: must not be NULL");
    CHECK_STATUS(zy_period_minutes_merge(NULL, 0, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK(pm == (zy_period_minutes *)SENTINEL);
    CHECK_STATUS(zy_unit_minutes_columns(NULL, &cols, 1, 0, &um), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_minutes_columns(t, NULL, 1, 0, &um), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_minutes_columns(t, &cols, 1, 0, NULL), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_minutes_merge(NULL, no_um, 0, &um), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_minutes_merge(t, no_um, 1, &um), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_unit_minutes_merge(t, NULL, 1, &um), ZY_STATUS_NULL_ARGUMENT);
    CHECK(um == (zy_unit_minutes *)SENTINEL);
    CHECK_STATUS(zy_find_overlaps_columns(NULL, 1, 0, &ov), ZY_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(zy_find_overlaps_columns(&cols, 1, 0, NULL), ZY_STATUS_NULL_ARGUMENT);
    cols.start = NULL;
    CHECK_STATUS(zy_find_overlaps_columns(&cols, 1, 0, &ov), ZY_STATUS_NULL_ARGUMENT);
    CHECK_MSG("columns.start: must not be NULL");
    CHECK(ov == (zy_overlaps *)SENTINEL);
    {
        /* Like columns: each struct, the policy and the output are checked
         * first; a NULL column with rows is named; no output on failure. */
        const uint64_t one = 1;
        const int64_t when = 1709600400000000LL;
        const uint8_t like = 0;
        const zy_post_columns posts = {&one, &one, &when};
        zy_like_columns likes = {&one, &one, &one, &when, &like};
        const zy_registration_columns regs = {&one, &when};
        char *boards = (char *)SENTINEL;
        CHECK_STATUS(zy_weekly_boards_columns(NULL, &posts, 1, &likes, 1, &regs, 1, 10, 0, &boards),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("policy: must not be NULL");
        CHECK_STATUS(zy_weekly_boards_columns(p, NULL, 1, &likes, 1, &regs, 1, 10, 0, &boards),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("posts: must not be NULL");
        CHECK_STATUS(zy_weekly_boards_columns(p, &posts, 1, NULL, 1, &regs, 1, 10, 0, &boards),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("likes: must not be NULL");
        CHECK_STATUS(zy_weekly_boards_columns(p, &posts, 1, &likes, 1, NULL, 1, 10, 0, &boards),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("registrations: must not be NULL");
        CHECK_STATUS(zy_weekly_boards_columns(p, &posts, 1, &likes, 1, &regs, 1, 10, 0, NULL),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("out_json: must not be NULL");
        likes.time = NULL;
        CHECK_STATUS(zy_weekly_boards_columns(p, &posts, 1, &likes, 1, &regs, 1, 10, 0, &boards),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("likes.time: must not be NULL");
        CHECK(boards == (char *)SENTINEL);
    }
    zy_period_minutes_free(NULL);
    zy_unit_minutes_free(NULL);
    zy_overlaps_free(NULL);
}

int main(void) {
    zy_policy *p = NULL;
    zy_unit_tree *t = NULL;
    zy_ledger *l = NULL;

    version_and_status_strings();
    null_frees();
    CHECK_OK(zy_policy_default(&p));
    CHECK_OK(zy_unit_tree_from_json(TREE_JSON, &t));
    CHECK_OK(zy_ledger_new(p, t, &l));
    if (!p || !t || !l) {
        return zy_report("contract");
    }
    null_arguments(p, t, l);
    null_arguments_kernels(p, t);
    bad_text(p, t, l);
    out_of_range_codes(t, l);
    failure_leaves_handle_usable(l);
    {
        handles x;
        memset(&x, 0, sizeof x);
        x.p = p;
        x.t = t;
        x.l = l;
        null_frees_more();
        CHECK_OK(zy_honours_new(&x.h));
        CHECK_OK(zy_points_new(p, &x.pts));
        CHECK_OK(zy_perks_new(p, &x.perks));
        CHECK_OK(zy_certificates_new(p, "PZ", &x.certs));
        CHECK_OK(zy_feed_new(p, &x.feed));
        CHECK_OK(zy_order_book_new(p, t, &x.book));
        if (x.h && x.pts && x.perks && x.certs && x.feed && x.book) {
            null_arguments_more(&x);
            bad_text_more(&x);
            failures_leave_handles_usable_more(&x);
        }
        zy_order_book_free(x.book);
        zy_feed_free(x.feed);
        zy_certificates_free(x.certs);
        zy_perks_free(x.perks);
        zy_points_free(x.pts);
        zy_honours_free(x.h);
    }

    zy_ledger_free(l);
    zy_unit_tree_free(t);
    zy_policy_free(p);
    return zy_report("contract");
}
