/* Handles shared between threads: an immutable policy and unit tree used by
 * four threads at once, a ledger read concurrently, and error messages that
 * stay per thread. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include "fixtures.h"

enum { THREADS = 4, ROUNDS = 200 };

struct shared {
    const zy_policy *policy;
    const zy_unit_tree *tree;
    const zy_ledger *ledger;
};

struct job {
    const struct shared *shared;
    int index;
    int failures;
};

#define T_CHECK(job, cond)                                                          \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: thread %d: %s failed\n", __FILE__, __LINE__,    \
                    (job)->index, #cond);                                           \
            (job)->failures++;                                                      \
        }                                                                           \
    } while (0)

static void *work(void *arg) {
    struct job *job = (struct job *)arg;
    const struct shared *s = job->shared;
    const int64_t minutes[3] = {5999, 6000 + job->index, 90000};
    const uint64_t vols[2] = {42, 43};
    int64_t own[3] = {1, 2, 3}, totals[3];
    int64_t mins[2];
    uint8_t levels[3];
    char expected[64];
    const char *msg;
    int r;

    /* Each thread fails differently; its message must be its own. */
    snprintf(expected, sizeof expected, "out: has %d elements, the tree has 3 units", job->index + 4);
    for (r = 0; r < ROUNDS; r++) {
        uint64_t ids[8];
        T_CHECK(job, zy_star_levels(s->policy, minutes, 3, levels) == ZY_STATUS_OK);
        T_CHECK(job, levels[0] == 0 && levels[1] == 1 && levels[2] == 5);
        T_CHECK(job, zy_unit_tree_rollup(s->tree, own, 3, totals) == ZY_STATUS_OK);
        T_CHECK(job, totals[0] == 6 && totals[2] == 3);
        T_CHECK(job, zy_ledger_approved_minutes(s->ledger, vols, 2, T_0100 + 10 * HOUR_US, mins) ==
                         ZY_STATUS_OK);
        T_CHECK(job, mins[0] == 150 && mins[1] == 0);
        T_CHECK(job, zy_unit_tree_ids(s->tree, ids, (size_t)job->index + 4) == ZY_STATUS_INVALID_INPUT);
        msg = zy_last_error_message();
        T_CHECK(job, msg != NULL && strcmp(msg, expected) == 0);
    }
    return NULL;
}

int main(void) {
    zy_policy *p = NULL;
    zy_unit_tree *t = NULL;
    zy_ledger *l = NULL;
    zy_service_record rec = make_record(1, T_0100, 150);
    zy_receipt receipt;
    struct shared shared;
    struct job jobs[THREADS];
    pthread_t threads[THREADS];
    int i;

    CHECK_OK(zy_policy_default(&p));
    CHECK_OK(zy_unit_tree_from_json(TREE_JSON, &t));
    CHECK_OK(zy_ledger_new(p, t, &l));
    CHECK_OK(zy_ledger_submit(l, &rec, &receipt));
    CHECK_OK(zy_ledger_approve(l, 1, 7, T_0100 + 5 * HOUR_US, false));
    shared.policy = p;
    shared.tree = t;
    shared.ledger = l;

    /* The main thread's own failure stays visible while the others run. */
    CHECK_STATUS(zy_policy_hash(NULL, NULL), ZY_STATUS_NULL_ARGUMENT);
    for (i = 0; i < THREADS; i++) {
        jobs[i].shared = &shared;
        jobs[i].index = i;
        jobs[i].failures = 0;
        CHECK(pthread_create(&threads[i], NULL, work, &jobs[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        zy_failures += jobs[i].failures;
    }
    CHECK_MSG("policy: must not be NULL");

    zy_ledger_free(l);
    zy_unit_tree_free(t);
    zy_policy_free(p);
    return zy_report("threads");
}
