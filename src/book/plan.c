/*
 * plan.c: the two reading plans a circle can follow, built from the
 * threads and mg_book_plan(): the whole book at the same pace for every
 * group, and each thread over the weeks for the group that follows it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

int mg_book_split(struct mg_book_split *out, const struct mg_book *b, int weeks,
                  struct mg_error *err)
{
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = mg_book_threads(&out->threads, &out->n_threads, b);
    if (rc < 0) {
        mg_error_set(err, "book", "cannot find the book's threads");
        goto out;
    }
    rc = mg_book_plan(&out->same_pace, &out->n_same_pace, b, 0, b->n_sections,
                      weeks, err);
    if (rc < 0)
        goto out;
    out->per_thread = mg_xcalloc(out->n_threads, sizeof(*out->per_thread));
    out->n_per_thread = mg_xcalloc(out->n_threads, sizeof(*out->n_per_thread));
    for (i = 0; i < out->n_threads; i++) {
        rc = mg_book_plan(&out->per_thread[i], &out->n_per_thread[i], b,
                          out->threads[i].first, out->threads[i].end, weeks,
                          err);
        if (rc < 0)
            goto out;
    }
out:
    if (rc < 0)
        mg_book_split_release(out);
    return rc;
}

void mg_book_split_release(struct mg_book_split *s)
{
    size_t i;

    for (i = 0; s->per_thread && i < s->n_threads; i++)
        free(s->per_thread[i]);
    free(s->per_thread);
    free(s->n_per_thread);
    free(s->same_pace);
    mg_threads_free(s->threads, s->n_threads);
    memset(s, 0, sizeof(*s));
}
