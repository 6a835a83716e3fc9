/* Per-call cost of the 文明贷 struct call zy_credit_decide (not a test; see
 * docs/c-api.md). Issue 9 targets <= 200 ns/call.
 *
 *   cargo build --release -p zhiyuan-capi
 *   cc -O2 -std=c11 -Icapi/include capi/bench/credit.c \
 *      target/release/libzhiyuan_capi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o credit
 *   ./credit
 *
 * Best of 5 runs of 10,000,000 calls under the default policy, cycling over
 * 1,024 prepared facts rows (0..2,000 hours, ages 14..80, a few barred or
 * with fraud) so branches are not all predicted; the policy's compiled
 * engine is built by a warm-up call before timing. Also reports the
 * column call per row over the same rows, 1,000,000 at a time. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zhiyuan.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define BEST_OF 5
#define ROWS 1024
#define CALLS 10000000L
#define COL_N 1000000

int main(void) {
    zy_policy *p = NULL;
    zy_facts rows[ROWS];
    zy_credit_result r;
    static int64_t cum[COL_N], last12[COL_N], year[COL_N], age[COL_N], months[COL_N],
        fraud[COL_N], sanctions[COL_N];
    static bool active[COL_N];
    static uint32_t status[COL_N];
    static zy_credit_result out[COL_N];
    zy_facts_columns cols;
    double best = 1e300, best_col = 1e300;
    unsigned long long sink = 0, eligible = 0;
    long i;
    int k;

    if (zy_policy_default(&p) != ZY_STATUS_OK) {
        return 1;
    }
    srand(42);
    for (i = 0; i < ROWS; i++) {
        zy_facts *f = &rows[i];
        memset(f, 0, sizeof *f);
        f->cumulative_minutes = (int64_t)(rand() % (2000 * 60));
        f->minutes_last_12_months = f->cumulative_minutes / 3;
        f->minutes_this_year = f->cumulative_minutes / 4;
        f->age = 14 + rand() % 67;
        f->months_registered = rand() % 120;
        f->fraud_revocations = (rand() % 50 == 0);
        f->active = true;
        f->status = (rand() % 40 == 0) ? ZY_VOLUNTEER_STATUS_SUSPENDED : ZY_VOLUNTEER_STATUS_ACTIVE;
    }
    if (zy_credit_decide(p, &rows[0], &r) != ZY_STATUS_OK) { /* warm-up: compiles the engine */
        fprintf(stderr, "%s\n", zy_last_error_message());
        return 1;
    }
    for (k = 0; k < BEST_OF; k++) {
        double t0 = now_ns(), dt;
        for (i = 0; i < CALLS; i++) {
            if (zy_credit_decide(p, &rows[i & (ROWS - 1)], &r) != ZY_STATUS_OK) {
                return 1;
            }
            sink += (unsigned long long)r.limit_fen;
            eligible += r.eligible;
        }
        dt = (now_ns() - t0) / (double)CALLS;
        if (dt < best) {
            best = dt;
        }
    }

    for (i = 0; i < COL_N; i++) {
        const zy_facts *f = &rows[i & (ROWS - 1)];
        cum[i] = f->cumulative_minutes;
        last12[i] = f->minutes_last_12_months;
        year[i] = f->minutes_this_year;
        age[i] = f->age;
        months[i] = f->months_registered;
        fraud[i] = f->fraud_revocations;
        sanctions[i] = f->sanctions;
        active[i] = f->active;
        status[i] = f->status;
    }
    memset(&cols, 0, sizeof cols);
    cols.cumulative_minutes = cum;
    cols.minutes_last_12_months = last12;
    cols.minutes_this_year = year;
    cols.age = age;
    cols.months_registered = months;
    cols.fraud_revocations = fraud;
    cols.sanctions = sanctions;
    cols.active = active;
    cols.status = status;
    for (k = 0; k < BEST_OF; k++) {
        double t0 = now_ns(), dt;
        if (zy_credit_decide_columns(p, &cols, COL_N, out) != ZY_STATUS_OK) {
            fprintf(stderr, "%s\n", zy_last_error_message());
            return 1;
        }
        dt = (now_ns() - t0) / (double)COL_N;
        sink += (unsigned long long)out[COL_N - 1].limit_fen;
        if (dt < best_col) {
            best_col = dt;
        }
    }
    printf("zy_credit_decide (struct):      %.1f ns/call (best of %d x %ld calls; %llu eligible)\n",
           best, BEST_OF, CALLS, eligible / BEST_OF);
    printf("zy_credit_decide_columns:       %.1f ns/row (best of %d x %d rows)\n", best_col,
           BEST_OF, COL_N);
    zy_policy_free(p);
    return sink == 42 ? 2 : 0;
}
