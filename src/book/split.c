/* split.c: placeholder until the splitter lands. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int mg_book_threads(struct mg_thread **out, size_t *n, const struct mg_book *b)
{
    (void)out;
    (void)n;
    (void)b;
    return MG_EINVAL;
}

void mg_threads_free(struct mg_thread *t, size_t n)
{
    size_t i;

    for (i = 0; t && i < n; i++)
        free(t[i].title);
    free(t);
}

int mg_book_plan(struct mg_reading **out, size_t *n, const struct mg_book *b,
                 size_t first, size_t end, int weeks, struct mg_error *err)
{
    (void)out;
    (void)n;
    (void)b;
    (void)first;
    (void)end;
    (void)weeks;
    mg_error_set(err, "weeks", "not yet");
    return MG_EINVAL;
}

void mg_partition(size_t *cuts, const uint64_t *w, size_t n, size_t k)
{
    (void)w;
    (void)n;
    memset(cuts, 0, k * sizeof(*cuts));
}
