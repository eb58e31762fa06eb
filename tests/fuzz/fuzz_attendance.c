/*
 * fuzz_attendance.c: libFuzzer target for participant reports (Zoom and
 * Teams CSV, UTF-8 or UTF-16): parsing never crashes, and what it returns
 * holds together (names given, sane minutes and lines, a match for
 * every person against a small fixed group).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/attendance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char n1[] = "Ana Cole", e1[] = "ana@example.org";
    static char n2[] = "Ben Lee", e2[] = "ben@example.org";
    struct mg_participant members[2];
    struct mg_attendance_report r;
    struct mg_attendance_match *m;
    struct mg_error err;
    size_t i;

    memset(members, 0, sizeof(members));
    members[0].name = n1;
    members[0].email = e1;
    members[1].name = n2;
    members[1].email = e2;
    memset(&err, 0, sizeof(err));
    if (mg_attendance_parse(&r, (const char *)data, size, &err) < 0) {
        if (!err.message[0] || r.people)
            __builtin_trap();
        return 0;
    }
    if (strcmp(r.format, "zoom") != 0 && strcmp(r.format, "teams") != 0)
        __builtin_trap();
    for (i = 0; i < r.n; i++) {
        const struct mg_attendee *a = &r.people[i];
        char *key = mg_attendance_name_key(a->name);
        if (!a->name[0] || a->minutes < 0 || a->line < 1 ||
            (a->email && !a->email[0]) || a->last_leave < 0)
            __builtin_trap();
        free(key);
    }
    m = calloc(r.n + 1, sizeof(*m));
    if (!m)
        abort();
    mg_attendance_match(m, &r, members, 2);
    for (i = 0; i < r.n; i++)
        if (m[i].member < -1 || m[i].member > 1 ||
            (m[i].member >= 0) != (m[i].by != MG_MATCH_NONE))
            __builtin_trap();
    free(m);
    mg_attendance_report_release(&r);
    return 0;
}
