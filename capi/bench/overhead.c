/* Per-call overhead of the C boundary (not a test; see docs/c-api.md).
 *
 *   cargo build --release -p zhiyuan-capi
 *   cc -O2 -std=c11 -Icapi/include capi/bench/overhead.c \
 *      target/release/libzhiyuan_capi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o overhead
 *   ./overhead
 *
 * Reports the best of 5 runs of: a trivial call (zy_unit_tree_len), a
 * one-element zy_star_levels call, and zy_star_levels per element over a
 * 1,000,000-element column; then, once each into a fresh ledger, 100,000
 * submissions through the struct call and through the JSON call (JSON text
 * prepared before timing; the output string freed inside the timing). */
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

int main(void) {
    enum { CALLS = 5000000, N = 1000000 };
    zy_policy *p = NULL;
    zy_unit_tree *t = NULL;
    int64_t *minutes = (int64_t *)malloc(sizeof(int64_t) * N);
    uint8_t *levels = (uint8_t *)malloc(N);
    double best_trivial = 1e300, best_one = 1e300, best_col = 1e300;
    unsigned long long sink = 0;
    size_t len = 0;
    int r, i;

    if (!minutes || !levels || zy_policy_default(&p) != ZY_STATUS_OK ||
        zy_unit_tree_from_json("{\"units\": []}", &t) != ZY_STATUS_OK) {
        return 1;
    }
    srand(42);
    for (i = 0; i < N; i++) {
        minutes[i] = (int64_t)(rand() % (2000 * 60)); /* 0..2000 h */
    }
    for (r = 0; r < BEST_OF; r++) {
        double t0 = now_ns(), t1, t2, t3;
        for (i = 0; i < CALLS; i++) {
            sink += zy_unit_tree_len(t, &len);
            sink += len;
        }
        t1 = now_ns();
        for (i = 0; i < CALLS; i++) {
            sink += zy_star_levels(p, &minutes[i % N], 1, &levels[0]);
            sink += levels[0];
        }
        t2 = now_ns();
        sink += zy_star_levels(p, minutes, N, levels);
        t3 = now_ns();
        sink += levels[N / 2];
        if ((t1 - t0) / CALLS < best_trivial) best_trivial = (t1 - t0) / CALLS;
        if ((t2 - t1) / CALLS < best_one) best_one = (t2 - t1) / CALLS;
        if ((t3 - t2) / N < best_col) best_col = (t3 - t2) / N;
    }
    printf("trivial call (zy_unit_tree_len):      %6.2f ns/call\n", best_trivial);
    printf("zy_star_levels, n = 1:                %6.2f ns/call\n", best_one);
    printf("zy_star_levels, n = %d:          %6.2f ns/element\n", N, best_col);
    {
        enum { R = 100000 };
        const int64_t t0_us = INT64_C(1709514000000000);
        zy_ledger *ls = NULL, *lj = NULL;
        char **texts = (char **)malloc(sizeof(char *) * R);
        zy_receipt receipt;
        double a, b, c;
        zy_unit_tree_free(t);
        t = NULL;
        if (!texts || zy_unit_tree_from_json(
                          "{\"units\": [{\"id\": 1, \"parent\": null, \"name\": \"c\", "
                          "\"level\": \"centre\"}]}", &t) != ZY_STATUS_OK ||
            zy_ledger_new(p, t, &ls) != ZY_STATUS_OK || zy_ledger_new(p, t, &lj) != ZY_STATUS_OK) {
            return 1;
        }
        for (i = 0; i < R; i++) {
            texts[i] = (char *)malloc(320);
            snprintf(texts[i], 320,
                     "{\"id\": %d, \"volunteer\": %d, \"unit\": 1, \"team\": null, "
                     "\"activity\": 1, \"start\": \"2024-03-04T01:00:00Z\", "
                     "\"end\": \"2024-03-04T03:30:00Z\", \"kind\": \"service\", "
                     "\"recorded_by\": 900, \"recorded_at\": \"2024-03-04T04:00:00Z\"}",
                     i + 1, i + 1);
        }
        a = now_ns();
        for (i = 0; i < R; i++) {
            zy_service_record r;
            memset(&r, 0, sizeof r);
            r.id = (uint64_t)i + 1;
            r.volunteer = (uint64_t)i + 1;
            r.unit = 1;
            r.activity = 1;
            r.start_us = t0_us;
            r.end_us = t0_us + INT64_C(150) * 60000000;
            r.kind = ZY_RECORD_KIND_SERVICE;
            r.recorded_by = 900;
            r.recorded_at_us = t0_us + INT64_C(180) * 60000000;
            sink += zy_ledger_submit(ls, &r, &receipt);
            sink += (unsigned long long)receipt.minutes;
        }
        b = now_ns();
        for (i = 0; i < R; i++) {
            char *out = NULL;
            sink += zy_ledger_submit_json(lj, texts[i], &out);
            sink += strlen(out);
            zy_string_free(out);
        }
        c = now_ns();
        printf("zy_ledger_submit (struct), %d new records:  %7.1f ns/call\n", R, (b - a) / R);
        printf("zy_ledger_submit_json,     %d new records:  %7.1f ns/call\n", R, (c - b) / R);
        for (i = 0; i < R; i++) {
            free(texts[i]);
        }
        free(texts);
        zy_ledger_free(ls);
        zy_ledger_free(lj);
    }
    printf("(sink %llu)\n", sink);
    zy_unit_tree_free(t);
    zy_policy_free(p);
    free(minutes);
    free(levels);
    return 0;
}
