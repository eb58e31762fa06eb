/*
 * bench_book.c: how fast mingle reads and splits a book, and how much
 * memory it takes. Parses each file given (default: the 4 MB Tom Sawyer
 * text and the Ubuntu packaging guide EPUB from Debian's packages) N
 * times, then splits it into threads and four weekly readings; prints
 * MB/s, ms per book and peak RSS. Figures only, no assertions.
 *
 *   ./build/tests/bench/bench_book [-n RUNS] [FILE...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mingle/book.h"

static const char *const default_files[] = {
    "/usr/share/gocode/src/github.com/pierrec/lz4/testdata/"
    "Mark.Twain-Tom.Sawyer_long.txt",
    "/usr/share/gocode/src/github.com/pierrec/lz4/testdata/"
    "Mark.Twain-Tom.Sawyer.txt",
    "/usr/share/doc/ubuntu-packaging-guide-epub/ubuntu-packaging-guide.epub",
    "/usr/share/doc/live-manual/epub/live-manual.en.epub"};

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct mg_buf b = MG_BUF_INIT;
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        mg_buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return mg_buf_detach(&b);
}

static void bench(const char *path, int runs)
{
    size_t len = 0;
    char *data = read_all(path, &len);
    double best = 1e9, total = 0, split_ms;
    long before = peak_rss_kb();
    struct mg_book *b = NULL;
    struct mg_book_split s;
    struct mg_error err;
    int i;

    if (!data) {
        printf("%s: cannot read (is its Debian package installed?)\n", path);
        return;
    }
    for (i = 0; i < runs; i++) {
        double t0 = mg_monotonic(), dt;
        if (mg_book_parse(&b, data, len, path, &err) < 0) {
            printf("%s: %s\n", path, err.message);
            free(data);
            return;
        }
        dt = mg_monotonic() - t0;
        total += dt;
        if (dt < best)
            best = dt;
        if (i + 1 < runs) {
            mg_book_free(b);
            b = NULL;
        }
    }
    {
        double t0 = mg_monotonic();
        if (mg_book_split(&s, b, 4, &err) < 0) {
            printf("%s: split: %s\n", path, err.message);
            mg_book_free(b);
            free(data);
            return;
        }
        split_ms = (mg_monotonic() - t0) * 1000;
    }
    printf("%-40s %s %7.2f MB  %5zu sections  parse best %7.2f ms "
           "(%7.1f MB/s), mean %7.2f ms  split %6.2f ms  peak RSS +%ld KiB "
           "(%.1fx input)\n",
           strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
           mg_book_format_name(b->format), (double)len / 1e6, b->n_sections,
           best * 1000, (double)len / 1e6 / best, total / runs * 1000, split_ms,
           peak_rss_kb() - before,
           (double)(peak_rss_kb() - before) * 1024 / (double)len);
    mg_book_split_release(&s);
    mg_book_free(b);
    free(data);
}

int main(int argc, char **argv)
{
    int runs = 20, i = 1;

    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        i = 3;
    }
    if (runs < 1)
        runs = 1;
    if (i < argc) {
        for (; i < argc; i++)
            bench(argv[i], runs);
    } else {
        size_t j;
        for (j = 0; j < sizeof(default_files) / sizeof(default_files[0]); j++)
            bench(default_files[j], runs);
    }
    return 0;
}
