/* Happy paths of policy, star levels and the unit tree: column calls and
 * their JSON twins agree with the core's numbers. */
#include <stdint.h>

#include "check.h"
#include "fixtures.h"

static void policy_round_trips(void) {
    zy_policy *p = NULL, *q = NULL, *custom = NULL;
    char *hash = NULL, *hash2 = NULL, *json = NULL, *toml = NULL;
    size_t i;

    CHECK_OK(zy_policy_default(&p));
    CHECK_OK(zy_policy_hash(p, &hash));
    CHECK(hash != NULL && strlen(hash) == 64);
    for (i = 0; hash && hash[i]; i++) {
        CHECK((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f'));
    }
    CHECK_OK(zy_policy_to_json(p, &json));
    CHECK(json != NULL && strstr(json, "\"thresholds_hours\":[100,300,600,1000,1500]") != NULL);
    CHECK_OK(zy_policy_from_json(json, &q));
    CHECK_OK(zy_policy_hash(q, &hash2));
    CHECK(hash && hash2 && strcmp(hash, hash2) == 0);
    zy_string_free(hash2);
    hash2 = NULL;

    CHECK_OK(zy_policy_to_toml(p, &toml));
    CHECK(toml != NULL && strstr(toml, "[stars]") != NULL);
    zy_policy_free(q);
    q = NULL;
    CHECK_OK(zy_policy_from_toml(toml, &q));
    CHECK_OK(zy_policy_hash(q, &hash2));
    CHECK(hash && hash2 && strcmp(hash, hash2) == 0);

    /* A different policy has a different hash. */
    CHECK_OK(zy_policy_from_toml("[stars]\nthresholds_hours = [1, 2]\n", &custom));
    zy_string_free(hash2);
    CHECK_OK(zy_policy_hash(custom, &hash2));
    CHECK(hash && hash2 && strcmp(hash, hash2) != 0);
    {
        const int64_t minutes[4] = {59, 60, 119, 120};
        uint8_t levels[4] = {9, 9, 9, 9};
        CHECK_OK(zy_star_levels(custom, minutes, 4, levels));
        CHECK(levels[0] == 0 && levels[1] == 1 && levels[2] == 1 && levels[3] == 2);
    }

    zy_string_free(hash);
    zy_string_free(hash2);
    zy_string_free(json);
    zy_string_free(toml);
    zy_policy_free(custom);
    zy_policy_free(q);
    zy_policy_free(p);
}

static void star_levels_at_the_edges(void) {
    /* 100/300/600/1000/1500 h: a level is reached exactly at its threshold. */
    const int64_t minutes[12] = {INT64_MIN, -5,    0,     5999,  6000,  17999,
                                 18000,     36000, 59999, 89999, 90000, INT64_MAX};
    const uint8_t want[12] = {0, 0, 0, 0, 1, 1, 2, 3, 3, 4, 5, 5};
    uint8_t got[12];
    zy_policy *p = NULL;
    char *out = NULL;
    size_t i;

    CHECK_OK(zy_policy_default(&p));
    CHECK_OK(zy_star_levels(p, minutes, 12, got));
    for (i = 0; i < 12; i++) {
        CHECK(got[i] == want[i]);
    }
    CHECK_OK(zy_star_levels_json(p, "[5999, 6000, 90000]", &out));
    CHECK_STR_FREE(out, "[0,1,5]");
    CHECK_OK(zy_star_levels_json(p, "[]", &out));
    CHECK_STR_FREE(out, "[]");
    zy_policy_free(p);
}

static void unit_tree_rollup(void) {
    zy_unit_tree *t = NULL;
    size_t n = 0;
    uint64_t ids[3] = {0, 0, 0};
    const int64_t own[3] = {5, 0, 30};
    int64_t totals[3] = {0, 0, 0};
    char *out = NULL;

    CHECK_OK(zy_unit_tree_from_json(TREE_JSON, &t));
    CHECK_OK(zy_unit_tree_len(t, &n));
    CHECK(n == 3);
    CHECK_OK(zy_unit_tree_ids(t, ids, 3));
    CHECK(ids[0] == 1 && ids[1] == 10 && ids[2] == 100);
    CHECK_OK(zy_unit_tree_rollup(t, own, 3, totals));
    CHECK(totals[0] == 35 && totals[1] == 30 && totals[2] == 30);
    CHECK_OK(zy_unit_tree_rollup_json(t, "{\"100\": 30, \"1\": 5, \"999\": 7}", &out));
    CHECK_STR_FREE(out, "{\"1\":35,\"10\":30,\"100\":30}");
    zy_unit_tree_free(t);

    /* An empty tree has empty columns. */
    CHECK_OK(zy_unit_tree_from_json("{\"units\": []}", &t));
    CHECK_OK(zy_unit_tree_len(t, &n));
    CHECK(n == 0);
    CHECK_OK(zy_unit_tree_rollup(t, NULL, 0, NULL));
    zy_unit_tree_free(t);
}

int main(void) {
    policy_round_trips();
    star_levels_at_the_edges();
    unit_tree_rollup();
    return zy_report("basics");
}
