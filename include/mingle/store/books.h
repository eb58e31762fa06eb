/*
 * books: a circle's imported book, its threads and its weekly readings,
 * replaced whole so a reader never sees half of a new plan.
 */
#ifndef MINGLE_STORE_BOOKS_H
#define MINGLE_STORE_BOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/book.h"

struct mg_store;

/*
 * Books. A circle has at most one book; storing one replaces the old
 * book with its sections, threads and readings in one transaction, so a
 * reader sees the old plan or the new one, never a mix.
 */
struct mg_book_upload {
    const struct mg_book *book;
    const char *source_name; /* file name, may be NULL */
    const char *sha256;      /* hex digest of the file, may be NULL */
    const struct mg_thread *threads;
    size_t n_threads;
    const struct mg_reading *same_pace; /* the whole book over the weeks */
    size_t n_same_pace;
    /* per_thread[i] has n_per_thread[i] readings of threads[i] */
    const struct mg_reading *const *per_thread;
    const size_t *n_per_thread;
};

/* Fill `up` with book `b`, its split `s`, the file's name and digest
 * (all borrowed: they must outlive `up`). */
void mg_book_upload_init(struct mg_book_upload *up, const struct mg_book *b,
                         const struct mg_book_split *s, const char *source_name,
                         const char *sha256);

/* Store upload `up` as circle `circle_id`'s book (nothing in `up` is kept
 * after the call); *book_id is the new book's id. */
int mg_store_book_replace(int64_t *book_id, struct mg_store *st,
                          int64_t circle_id, const struct mg_book_upload *up);

/* A stored book's summary. */
struct mg_book_info {
    int64_t id;
    char *title;  /* may be NULL */
    char *author; /* may be NULL */
    char format[16];
    char *source_name; /* may be NULL */
    char sha256[65];
    int64_t words;
    int64_t sections;
    int no_structure;
    int utf8_repaired;
    int64_t created_at;
};

/* The circle's book into *out, whose strings are then the caller's:
 * release them with mg_store_book_info_release(). MG_ENOTFOUND if the
 * circle has no book. */
int mg_store_book_get(struct mg_book_info *out, struct mg_store *st,
                      int64_t circle_id);
void mg_store_book_info_release(struct mg_book_info *info);

/* A stored thread or reading, with the titles of the sections it spans. */
struct mg_span {
    int64_t id;
    int64_t thread_id; /* readings: the thread followed, 0 for same pace */
    int position;      /* threads: 1-based order; readings: the week */
    char *title;       /* threads: the title; readings: NULL */
    int64_t words;
    int64_t first_section_id;
    int64_t last_section_id;
    char *first_title;
    char *last_title;
    int64_t text_start; /* -1 unless cut inside a text */
    int64_t text_end;
    /* readings: a section cut over several weeks is read in `parts`
     * parts, this one `part` (1-based); both 0 when it is not cut */
    int part, parts;
};

/* Threads of the circle's book in order; free with mg_store_spans_free. */
int mg_store_threads(struct mg_span **out, size_t *n, struct mg_store *st,
                     int64_t circle_id);

/*
 * Readings of plan "same_pace" or "thread" (ordered by thread, then
 * week); free with mg_store_spans_free.
 */
int mg_store_readings(struct mg_span **out, size_t *n, struct mg_store *st,
                      int64_t circle_id, const char *plan);
/* Free an array of `n` spans with their titles; NULL is fine. */
void mg_store_spans_free(struct mg_span *s, size_t n);

#endif
