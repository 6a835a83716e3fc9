/* Tiny assertion helpers shared by the C tests (C11 and C++17 clean). */
#ifndef ZY_TEST_CHECK_H
#define ZY_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "zhiyuan.h"

static int zy_failures = 0;

static const char *zy_msg(void) {
    const char *m = zy_last_error_message();
    return m ? m : "(none)";
}

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, \
                    __LINE__, #cond, zy_msg());                                     \
            zy_failures++;                                                          \
        }                                                                           \
    } while (0)

/* `call` must return `want`; a failure must leave a message, success none. */
#define CHECK_STATUS(call, want)                                                   \
    do {                                                                           \
        zy_status got_ = (call);                                                   \
        if (got_ != (want)) {                                                      \
            fprintf(stderr, "%s:%d: %s returned %u (%s), want %u; last error: %s\n", \
                    __FILE__, __LINE__, #call, (unsigned)got_, zy_status_str(got_), \
                    (unsigned)(want), zy_msg());                                   \
            zy_failures++;                                                         \
        } else if ((got_ == ZY_STATUS_OK) != (zy_last_error_message() == NULL)) {  \
            fprintf(stderr, "%s:%d: %s: last error message inconsistent: %s\n",    \
                    __FILE__, __LINE__, #call, zy_msg());                          \
            zy_failures++;                                                         \
        }                                                                          \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, ZY_STATUS_OK)

/* The last error message must contain `needle`. */
#define CHECK_MSG(needle)                                                         \
    do {                                                                          \
        const char *m_ = zy_last_error_message();                                 \
        if (m_ == NULL || strstr(m_, (needle)) == NULL) {                         \
            fprintf(stderr, "%s:%d: last error %s lacks \"%s\"\n", __FILE__,      \
                    __LINE__, m_ ? m_ : "(none)", (needle));                      \
            zy_failures++;                                                        \
        }                                                                         \
    } while (0)

/* `s` (an owned string variable) must equal `want`; frees it and sets it to NULL. */
#define CHECK_STR_FREE(s, want)                                                   \
    do {                                                                          \
        char *s_ = (s);                                                           \
        if (s_ == NULL || strcmp(s_, (want)) != 0) {                              \
            fprintf(stderr, "%s:%d: got %s\n  want %s\n", __FILE__, __LINE__,     \
                    s_ ? s_ : "(null)", (want));                                  \
            zy_failures++;                                                        \
        }                                                                         \
        zy_string_free(s_);                                                       \
        (s) = NULL;                                                               \
    } while (0)

static int zy_report(const char *name) {
    if (zy_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, zy_failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

#endif /* ZY_TEST_CHECK_H */
