/* Happy paths of every capability after the ledger: the credit struct,
 * column and row calls agree with the JSON decision; each handle's JSON
 * calls return the golden-vector schema. */
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

/* `call` must succeed and its owned output `s` contain `needle`; frees it. */
#define CHECK_OUT_HAS(call, needle)                                                 \
    do {                                                                            \
        s = NULL;                                                                   \
        CHECK_OK(call);                                                             \
        if (s == NULL || strstr(s, (needle)) == NULL) {                             \
            fprintf(stderr, "%s:%d: output %s lacks %s\n", __FILE__, __LINE__,      \
                    s ? s : "(null)", (needle));                                    \
            zy_failures++;                                                          \
        }                                                                           \
        zy_string_free(s);                                                          \
        s = NULL;                                                                   \
    } while (0)

static zy_facts base_facts(int64_t hours) {
    zy_facts f;
    memset(&f, 0, sizeof f);
    f.cumulative_minutes = hours * 60;
    f.minutes_last_12_months = 20 * 60;
    f.minutes_this_year = 20 * 60;
    f.age = 30;
    f.months_registered = 12;
    f.active = true;
    f.status = ZY_VOLUNTEER_STATUS_ACTIVE;
    return f;
}

static void credit(const zy_policy *p) {
    zy_facts rows[3];
    zy_credit_result r, out[3], out2[3];
    int64_t cum[3], last12[3], year[3], age[3], months[3], zeros[3] = {0, 0, 0};
    bool active[3] = {true, true, true};
    uint32_t status[3];
    zy_facts_columns cols;
    char *s = NULL;
    size_t i;

    rows[0] = base_facts(99);  /* one hour short of tier 1 */
    rows[1] = base_facts(100); /* tier 1 */
    rows[2] = base_facts(100);
    rows[2].status = ZY_VOLUNTEER_STATUS_SUSPENDED; /* a failing gate */

    CHECK_OK(zy_credit_decide(p, &rows[0], &r));
    CHECK(!r.eligible && r.tier == 0 && r.limit_fen == 0 && r.rate_discount_bp == 0);
    CHECK_OK(zy_credit_decide(p, &rows[1], &r));
    CHECK(r.eligible && r.tier == 1 && r.limit_fen == 10000000 && r.rate_discount_bp == 25);
    CHECK_OK(zy_credit_decide(p, &rows[2], &r));
    CHECK(!r.eligible && r.tier == 0);

    CHECK_OK(zy_credit_decide_rows(p, rows, 3, out));
    memset(&cols, 0, sizeof cols);
    for (i = 0; i < 3; i++) {
        cum[i] = rows[i].cumulative_minutes;
        last12[i] = rows[i].minutes_last_12_months;
        year[i] = rows[i].minutes_this_year;
        age[i] = rows[i].age;
        months[i] = rows[i].months_registered;
        status[i] = rows[i].status;
    }
    cols.cumulative_minutes = cum;
    cols.minutes_last_12_months = last12;
    cols.minutes_this_year = year;
    cols.age = age;
    cols.months_registered = months;
    cols.fraud_revocations = zeros;
    cols.sanctions = zeros;
    cols.active = active;
    cols.status = status;
    CHECK_OK(zy_credit_decide_columns(p, &cols, 3, out2));
    for (i = 0; i < 3; i++) {
        CHECK(out[i].tier == out2[i].tier && out[i].limit_fen == out2[i].limit_fen &&
              out[i].eligible == out2[i].eligible);
    }
    CHECK(out[1].tier == 1 && out[0].tier == 0 && out[2].tier == 0);
    CHECK_OK(zy_credit_decide_columns(p, &cols, 0, NULL)); /* no rows */

    /* The JSON call: same tier, plus reasons. */
    CHECK_OUT_HAS(zy_credit_decide_json(p,
                                        "{\"facts\": {\"cumulative_minutes\": 5940, "
                                        "\"minutes_last_12_months\": 1200, \"age\": 30, "
                                        "\"months_registered\": 12, \"active\": true}, "
                                        "\"as_of\": \"2024-06-01T00:00:00Z\"}",
                                        &s),
                  "\"needs\":\"needs 1 more hour\"");
    CHECK_OUT_HAS(zy_credit_decide_batch_json(p,
                                              "{\"columns\": {\"cumulative_minutes\": [6000, 0], "
                                              "\"minutes_last_12_months\": [1200, 0], \"minutes_this_year\": [1200, 0], "
                                              "\"age\": [30, 30], \"months_registered\": [12, 12], "
                                              "\"fraud_revocations\": [0, 0], \"sanctions\": [0, 0], "
                                              "\"active\": [true, true], \"status\": [\"active\", \"active\"]}, "
                                              "\"as_of\": \"2024-06-01T00:00:00Z\"}",
                                              &s),
                  "\"tier\":[1,0]");
    CHECK_OUT_HAS(zy_facts_derive_json(p,
                                       "{\"as_of\": \"2024-05-31T16:00:00Z\", \"inputs\": "
                                       "{\"minutes_this_year\": 1199}, \"profile\": {\"birth_date\": "
                                       "\"2002-06-01\", \"home_unit\": 1, \"id\": 7, \"registered_at\": "
                                       "\"2023-12-01T00:00:00Z\", \"skills\": [\"medical\"], "
                                       "\"status\": \"active\"}}",
                                       &s),
                  "\"age\":22,");
}

static void rewards(const zy_policy *p) {
    zy_honours *h = NULL;
    zy_points *pts = NULL;
    zy_perks *perks = NULL;
    zy_certificates *certs = NULL;
    char *s = NULL;
    static const char key[] = "\"key\": {\"id\": \"k2024\", \"secret\": \"0123456789abcdef-secret\"}";
    char buf[2048];

    CHECK_OK(zy_honours_new(&h));
    CHECK_OK(zy_points_new(p, &pts));
    CHECK_OK(zy_perks_new(p, &perks));
    CHECK_OK(zy_certificates_new(p, "PZ", &certs));
    if (!h || !pts || !perks || !certs) {
        return;
    }
    CHECK_OUT_HAS(zy_honours_record_winners_json(h,
                                                 "{\"granted_on\": \"2024-04-02\", \"grantor\": 1, "
                                                 "\"kind\": \"monthly_star\", \"period\": \"2024-03\", "
                                                 "\"winners\": [8, 9, 7, 8]}",
                                                 &s),
                  "3");
    CHECK_OUT_HAS(zy_honours_of_json(h, "{\"volunteer\": 7}", &s), "\"kind\":\"monthly_star\"");
    CHECK_OUT_HAS(zy_points_sync_hours_json(pts,
                                            "{\"volunteer\": 7, \"approved_minutes\": 10200, "
                                            "\"at\": \"2024-02-01T00:00:00Z\"}",
                                            &s),
                  "1700");
    CHECK_OUT_HAS(zy_points_sync_honours_json(pts, h, "{\"volunteer\": 7, \"at\": \"2024-04-03T00:00:00Z\"}", &s),
                  "");
    CHECK_OUT_HAS(zy_points_account_json(pts, "{\"volunteer\": 7}", &s), "\"hours_points\":1700");
    CHECK_OUT_HAS(zy_points_entries_json(pts, "{\"volunteer\": 7}", &s), "\"source\":\"hours\"");
    CHECK_OUT_HAS(zy_points_expire_json(pts, "{\"volunteer\": 7, \"at\": \"2024-05-01T00:00:00Z\"}", &s), "0");
    /* The default catalogue is empty. */
    CHECK_OUT_HAS(zy_perks_eligible_json(perks, pts,
                                         "{\"at\": \"2024-03-01T00:00:00Z\", \"facts\": {}, "
                                         "\"volunteer\": 7, \"with_points\": true}",
                                         &s),
                  "[]");
    CHECK_STATUS(zy_perks_claim_json(perks, pts,
                                     "{\"claim\": {\"at\": \"2024-03-01T00:00:00Z\", \"claim_code\": "
                                     "\"c1\", \"perk\": \"nope\", \"volunteer\": 7}, \"facts\": {}}",
                                     &s),
                 ZY_STATUS_NOT_FOUND);

    snprintf(buf, sizeof buf,
             "{\"at\": \"2025-01-05T02:00:00Z\", %s, \"request\": {\"content\": "
             "\"社区助老、文明交通劝导\", \"issuer\": 9, \"minutes\": 6030, \"period_from\": "
             "\"2024-01-01\", \"period_to\": \"2024-12-31\", \"recording_unit\": 100, "
             "\"recording_unit_name\": \"佘村实践站\", \"volunteer\": 7, \"volunteer_name\": \"张三\"}}",
             key);
    s = NULL;
    CHECK_OK(zy_certificates_issue_json(certs, buf, &s));
    CHECK(s && strstr(s, "\"serial\":\"PZ-2025-00000001\"") &&
          strstr(s, "\"verification_code\":\"b106a29e2aadfa78e0c86e10081a078bce4cc6efc8babb44d6f2b16ca8647e65\""));
    if (s) {
        /* The issued certificate verifies as an object and as text. */
        char *cert = s, *in = (char *)malloc(strlen(cert) * 2 + 256);
        char *t = NULL;
        sprintf(in, "{\"certificate\": %s, %s}", cert, key);
        CHECK_OK(zy_certificate_verify_json(in, &t));
        CHECK_STR_FREE(t, "true");
        free(in);
        zy_string_free(cert);
        s = NULL;
    }
    CHECK_OUT_HAS(zy_certificate_verify_text_json("{\"text\": \"{}\", \"key\": {\"id\": \"k\", \"secret\": \"0123456789abcdef\"}}", &s),
                  "false");
    CHECK_OUT_HAS(zy_certificates_check_json(certs,
                                             "{\"code\": \"b106a29e2aadfa78e0c86e10081a078bce4cc6efc8babb44d6f2b16ca8647e65\", "
                                             "\"serial\": \"PZ-2025-00000001\"}",
                                             &s),
                  "\"valid\":true");
    CHECK_OUT_HAS(zy_certificates_revoke_json(certs,
                                              "{\"at\": \"2025-02-01T00:00:00Z\", \"by\": 9, \"reason\": "
                                              "\"hours revoked for fraud\", \"serial\": \"PZ-2025-00000001\"}",
                                              &s),
                  "null");
    CHECK_OUT_HAS(zy_honours_revoke_json(h,
                                         "{\"at\": \"2024-05-01T00:00:00Z\", \"by\": 1, \"kind\": "
                                         "\"monthly_star\", \"period\": \"2024-03\", \"reason\": \"x\", "
                                         "\"volunteer\": 9}",
                                         &s),
                  "null");
    CHECK_OUT_HAS(zy_honours_grant_json(h,
                                        "{\"granted_on\": \"2024-04-02\", \"grantor\": 1, \"kind\": "
                                        "\"monthly_star\", \"period\": \"2024-03\", \"volunteer\": 7}",
                                        &s),
                  "false"); /* already recorded: idempotent */
    CHECK_OUT_HAS(zy_points_redeem_json(pts,
                                        "{\"at\": \"2024-06-03T00:00:00Z\", \"merchant\": \"bakery\", "
                                        "\"order_code\": \"A1\", \"points\": 60, \"volunteer\": 7}",
                                        &s),
                  "\"order_code\":\"A1\"");

    zy_certificates_free(certs);
    zy_perks_free(perks);
    zy_points_free(pts);
    zy_honours_free(h);
}

static void boards(const zy_policy *p) {
    zy_feed *f = NULL;
    char *s = NULL, *partial = NULL;
    char buf[4096];

    CHECK_OK(zy_feed_new(p, &f));
    if (!f) {
        return;
    }
    CHECK_OUT_HAS(zy_feed_register_json(f, "{\"registered_at\": \"2024-01-01T00:00:00Z\", \"volunteer\": 1}", &s), "null");
    CHECK_OUT_HAS(zy_feed_register_json(f, "{\"registered_at\": \"2024-01-01T00:00:00Z\", \"volunteer\": 2}", &s), "null");
    CHECK_OUT_HAS(zy_feed_add_post_json(f, "{\"author\": 1, \"id\": 1, \"time\": \"2024-03-04T01:00:00Z\", \"topic\": \"环保\"}", &s), "null");
    CHECK_OUT_HAS(zy_feed_like_json(f, "{\"action\": \"like\", \"id\": 1, \"liker\": 2, \"post\": 1, \"time\": \"2024-03-05T01:00:00Z\"}", &s), "null");
    CHECK_OUT_HAS(zy_feed_add_comment_json(f, "{\"author\": 2, \"id\": 1, \"post\": 1, \"text\": \"好样的\", \"time\": \"2024-03-04T03:00:00Z\"}", &s), "null");
    CHECK_OUT_HAS(zy_feed_comments_json(f, "{\"post\": 1}", &s), "\"text\":\"好样的\"");
    CHECK_OUT_HAS(zy_feed_topic_json(f, "{\"topic\": \"环保\"}", &s), "\"id\":1");
    CHECK_OUT_HAS(zy_feed_topics_json(f, "{}", &s), "{\"topic\":\"环保\",\"posts\":1}");
    CHECK_OUT_HAS(zy_feed_weeks_json(f, "{}", &s), "[\"2024-W10\"]");
    CHECK_OUT_HAS(zy_feed_board_json(f, "{\"k\": 10, \"week\": \"2024-W10\"}", &s),
                  "{\"rank\":1,\"author\":1,\"weight\":1000,\"likes\":1,\"posts\":1,\"first_post_time\":\"2024-03-04T01:00:00Z\"}");
    CHECK_OUT_HAS(zy_feed_exhibition_json(f, "{\"month\": \"2024-03\", \"n\": 3}", &s), "\"works\":[{\"rank\":1,\"post\":1,\"author\":1");
    CHECK_OUT_HAS(zy_feed_verdicts_json(f, "{}", &s), "{\"event\":1,\"weight\":1000,\"reason\":null}");
    CHECK_OK(zy_feed_partial_json(f, "{}", &partial));
    if (partial) {
        snprintf(buf, sizeof buf, "{\"partials\": [%s, %s]}", partial, partial);
        CHECK_OUT_HAS(zy_like_partial_merge_json(buf, &s), "\"weight\":2000,\"likes\":2"); /* merged twice */
        snprintf(buf, sizeof buf, "{\"partial\": %s, \"k\": 3}", partial);
        CHECK_OUT_HAS(zy_like_partial_boards_json(buf, &s), "\"week\":\"2024-W10\"");
        snprintf(buf, sizeof buf, "{\"partial\": %s, \"month\": \"2024-03\", \"n\": 3}", partial);
        CHECK_OUT_HAS(zy_like_partial_exhibition_json(buf, &s), "\"month\":\"2024-03\"");
        zy_string_free(partial);
    }
    CHECK_STATUS(zy_like_partial_merge_json("{\"partials\": []}", &s), ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("partials: empty");

    {
        static const char tables[] =
            "{\"k\": 3, \"likes\": {\"action\": [\"like\", \"like\", \"like\"], \"event\": [1, 2, 1], "
            "\"liker\": [2, 2, 2], \"post\": [1, 2, 1], \"time\": [\"2024-03-05T01:00:00Z\", "
            "\"2024-03-05T01:00:00Z\", \"2024-03-05T01:00:00Z\"]}, \"posts\": {\"author\": [1, 1], "
            "\"id\": [1, 2], \"time\": [\"2024-03-04T01:00:00Z\", \"2024-03-04T01:00:00Z\"]}, "
            "\"registrations\": {\"registered_at\": [\"2024-01-01T00:00:00Z\", "
            "\"2024-01-01T00:00:00Z\"], \"volunteer\": [1, 2]}}";
        CHECK_OUT_HAS(zy_weekly_boards_json(p, tables, &s),
                      "{\"rank\":1,\"author\":1,\"weight\":2000,\"likes\":2,\"posts\":2,\"first_post_time\":\"2024-03-04T01:00:00Z\"}");
        /* like_batch takes the same tables without k. */
        CHECK_STATUS(zy_like_batch_json(p, tables, &s), ZY_STATUS_INVALID_JSON);
        CHECK_MSG("unknown field `k`");

        /* The column call over the same tables gives the same JSON. */
        char *from_json = NULL, *from_columns = NULL;
        const int64_t mar4 = 1709514000000000LL, mar5 = 1709600400000000LL, jan1 = 1704067200000000LL;
        const uint64_t post_id[2] = {1, 2}, author[2] = {1, 1};
        const int64_t post_time[2] = {mar4, mar4};
        uint64_t event[3] = {1, 2, 1};
        const uint64_t liker[3] = {2, 2, 2}, post[3] = {1, 2, 1};
        const int64_t like_time[3] = {mar5, mar5, mar5};
        uint8_t action[3] = {0, 0, 0};
        const uint64_t vol[2] = {1, 2};
        const int64_t reg[2] = {jan1, jan1};
        const zy_post_columns posts = {post_id, author, post_time};
        zy_like_columns likes = {event, liker, post, like_time, action};
        const zy_registration_columns regs = {vol, reg};
        CHECK_OK(zy_weekly_boards_json(p, tables, &from_json));
        CHECK_OK(zy_weekly_boards_columns(p, &posts, 2, &likes, 3, &regs, 2, 3, 2, &from_columns));
        CHECK(from_json != NULL && from_columns != NULL && strcmp(from_json, from_columns) == 0);
        zy_string_free(from_columns);
        from_columns = NULL;
        /* One thread, the same answer. */
        CHECK_OK(zy_weekly_boards_columns(p, &posts, 2, &likes, 3, &regs, 2, 3, 1, &from_columns));
        CHECK(from_columns != NULL && strcmp(from_json, from_columns) == 0);
        zy_string_free(from_columns);
        zy_string_free(from_json);
        /* A bad action code names its row; a NULL column with rows is named;
         * empty tables are fine with NULL columns; the output is untouched
         * on failure. */
        from_columns = NULL;
        action[2] = 7;
        CHECK_STATUS(zy_weekly_boards_columns(p, &posts, 2, &likes, 3, &regs, 2, 3, 0, &from_columns),
                     ZY_STATUS_INVALID_INPUT);
        CHECK_MSG("likes[2].action: code 7");
        action[2] = 0;
        likes.event = NULL;
        CHECK_STATUS(zy_weekly_boards_columns(p, &posts, 2, &likes, 3, &regs, 2, 3, 0, &from_columns),
                     ZY_STATUS_NULL_ARGUMENT);
        CHECK_MSG("likes.event");
        CHECK(from_columns == NULL);
        const zy_like_columns none = {NULL, NULL, NULL, NULL, NULL};
        CHECK_OK(zy_weekly_boards_columns(p, &posts, 2, &none, 0, &regs, 2, 3, 0, &from_columns));
        CHECK(from_columns != NULL && strcmp(from_columns, "[]") == 0);
        zy_string_free(from_columns);
        likes.event = event;
    }
    zy_feed_free(f);
}

static void selection(const zy_policy *p) {
    char *s = NULL;
    const uint64_t ids[3] = {9, 7, 8}, sizes[3] = {0, 900, 100}, caps[3] = {ZY_NO_CAP, 2, ZY_NO_CAP};
    uint64_t seats[3] = {0, 0, 0}, unfilled = 99;
    static const char districts[] =
        "{\"districts\": [{\"cap\": 2, \"id\": 7, \"size\": 900}, {\"id\": 8, \"size\": 100}, "
        "{\"id\": 9, \"size\": 0}], \"method\": \"sainte_lague\", \"total\": 5}";

    CHECK_OUT_HAS(zy_apportion_json(districts, &s), "\"allocated\":5,");
    CHECK_OUT_HAS(zy_apportion_json(districts, &s), "{\"id\":8,\"size\":100,\"cap\":null,\"quota\":\"1/2\",\"seats\":3,\"capped\":false}");
    /* Rows in any order: seats follow the input rows. */
    CHECK_OK(zy_apportion(ids, sizes, caps, 3, 5, ZY_APPORTION_METHOD_SAINTE_LAGUE, seats, &unfilled));
    CHECK(seats[0] == 0 && seats[1] == 2 && seats[2] == 3 && unfilled == 0);
    CHECK_OK(zy_apportion(ids, sizes, caps, 3, 5, ZY_APPORTION_METHOD_D_HONDT, seats, &unfilled));
    CHECK(seats[1] + seats[2] == 5);

    CHECK_OUT_HAS(zy_monthly_stars_json(p,
                                        "{\"candidates\": [1, 2], \"marks\": [{\"candidate\": 1, \"judge\": 1, \"mark\": 9}, "
                                        "{\"candidate\": 2, \"judge\": 1, \"mark\": 8}], \"month\": \"2024-03\"}",
                                        &s),
                  "\"month\":\"2024-03\"");
    CHECK_OUT_HAS(zy_monthly_count_votes_json(p, "{\"candidates\": [1, 2], \"month\": \"2024-03\"}", &s), "");
    CHECK_OUT_HAS(zy_annual_selection_json(p,
                                           "{\"candidates\": [{\"annual_minutes\": 1800, \"district\": 1, \"volunteer\": 5}, "
                                           "{\"annual_minutes\": 600, \"district\": 3, \"volunteer\": 9}], \"year\": \"2023\"}",
                                           &s),
                  "{\"rule\":\"min_minutes\",\"required\":1200,\"actual\":600}");
}

static void orders(const zy_policy *p, const zy_unit_tree *t) {
    zy_order_book *b = NULL;
    zy_ledger *l = NULL;
    char *s = NULL;
    const uint64_t vol[1] = {200};
    int64_t mins[1] = {0};

    CHECK_OK(zy_order_book_new(p, t, &b));
    CHECK_OK(zy_ledger_new(p, t, &l));
    if (!b || !l) {
        zy_order_book_free(b);
        zy_ledger_free(l);
        return;
    }
    CHECK_OUT_HAS(zy_order_book_place_json(b,
                                           "{\"at\": \"2024-03-04T01:00:00Z\", \"category\": \"medical_fitness\", "
                                           "\"description_len\": 42, \"id\": 1, \"requester\": 101, \"unit\": 100}",
                                           &s),
                  "\"state\":\"placed\"");
    CHECK_OUT_HAS(zy_order_book_apply_json(b,
                                           "{\"action\": \"start_review\", \"actor\": 9, \"at\": "
                                           "\"2024-03-04T02:00:00Z\", \"order\": 1}",
                                           &s),
                  "\"state\":\"under_review\"");
    CHECK_OUT_HAS(zy_order_book_apply_json(b,
                                           "{\"action\": \"dispatch\", \"to\": {\"volunteer\": 200}, \"actor\": 9, \"at\": "
                                           "\"2024-03-04T02:10:00Z\", \"order\": 1}",
                                           &s),
                  "\"state\":\"dispatched\"");
    CHECK_OUT_HAS(zy_order_book_apply_json(b,
                                           "{\"action\": \"accept\", \"by\": {\"volunteer\": 200}, \"actor\": 200, \"at\": "
                                           "\"2024-03-04T02:20:00Z\", \"order\": 1}",
                                           &s),
                  "\"state\":\"accepted\"");
    CHECK_OUT_HAS(zy_order_book_fulfil_json(b, l,
                                            "{\"actor\": 50, \"at\": \"2024-03-04T05:00:00Z\", \"order\": 1, "
                                            "\"records\": [{\"activity\": 1, \"end\": \"2024-03-04T04:00:00Z\", "
                                            "\"id\": 1, \"kind\": \"service\", \"recorded_at\": \"2024-03-04T04:00:00Z\", "
                                            "\"recorded_by\": 9, \"start\": \"2024-03-04T03:00:00Z\", \"team\": 5, "
                                            "\"unit\": 100, \"volunteer\": 200}], \"report_len\": 120}",
                                            &s),
                  "\"fulfilled_at\":\"2024-03-04T05:00:00Z\"");
    /* The fulfilment's record is in the ledger, submitted (not yet approved). */
    CHECK_OK(zy_ledger_approve(l, 1, 9, INT64_C(1709532000000000), false));
    CHECK_OK(zy_ledger_approved_minutes(l, vol, 1, INT64_C(1709600000000000), mins));
    CHECK(mins[0] == 60);
    CHECK_OUT_HAS(zy_order_book_order_json(b, "{\"id\": 1}", &s), "\"id\":1");
    CHECK_OUT_HAS(zy_order_book_events_of_json(b, "{\"id\": 1}", &s), "\"event\":\"placed\"");
    CHECK_OUT_HAS(zy_order_book_order_of_record_json(b, "{\"record\": 1}", &s), "1");
    CHECK_OUT_HAS(zy_order_book_order_of_record_json(b, "{\"record\": 77}", &s), "null");
    CHECK_OUT_HAS(zy_order_book_overdue_json(b, "{\"now\": \"2024-03-04T02:59:59Z\"}", &s), "[]");
    CHECK_OUT_HAS(zy_order_book_metrics_json(b, "{\"period\": \"2024-03\", \"unit\": 1}", &s), "\"fulfilled\":1");
    CHECK_OUT_HAS(zy_order_book_service_list_json(b, "{\"from\": \"2024-03-04T00:00:00Z\", \"to\": \"2024-03-11T00:00:00Z\"}", &s),
                  "\"from\":\"2024-03-04T00:00:00Z\"");
    CHECK_OUT_HAS(zy_order_book_sweep_json(b, "{\"actor\": 0, \"now\": \"2024-04-16T00:00:00Z\"}", &s), "\"event\":\"closed\"");

    CHECK_OUT_HAS(zy_distance_m_json("{\"a\": {\"lat\": 34.3, \"lon\": 117.95}, \"b\": {\"lat\": 34.30718556970616, \"lon\": 117.95}}", &s),
                  "799");
    CHECK_STATUS(zy_distance_m_json("{\"a\": {\"lat\": 91, \"lon\": 0}, \"b\": {\"lat\": 0, \"lon\": 0}}", &s),
                 ZY_STATUS_INVALID_INPUT);
    CHECK_MSG("a.lat");
    CHECK_OUT_HAS(zy_dispatch_rank_json(p,
                                        "{\"candidates\": [{\"location\": {\"lat\": 34.30008993203637, \"lon\": 117.95}, "
                                        "\"skills\": [\"medical\"], \"who\": {\"volunteer\": 1}}, {\"location\": "
                                        "{\"lat\": 34.30629524254607, \"lon\": 117.95}, \"skills\": [\"medical\", "
                                        "\"emergency\"], \"who\": {\"volunteer\": 2}}], \"limit\": 1, \"now\": "
                                        "\"2024-03-04T00:00:00Z\", \"query\": {\"category\": \"medical_fitness\", "
                                        "\"location\": {\"lat\": 34.3, \"lon\": 117.95}, \"order\": 1, \"requester\": 100, "
                                        "\"urgency\": \"emergency\"}}",
                                        &s),
                  "\"distance_m\":700");
    zy_ledger_free(l);
    zy_order_book_free(b);
}

int main(void) {
    zy_policy *p = NULL;
    zy_unit_tree *t = NULL;
    CHECK_OK(zy_policy_default(&p));
    CHECK_OK(zy_unit_tree_from_json(TREE_JSON, &t));
    if (p && t) {
        credit(p);
        rewards(p);
        boards(p);
        selection(p);
        orders(p, t);
    }
    zy_unit_tree_free(t);
    zy_policy_free(p);
    return zy_report("capabilities");
}
