/*
 * progress.c: progress of long CLI work (people imports, book loads,
 * invitations for thousands) on stderr, rewritten in place with `\r`,
 * at most ten times a second, and only when stderr is a terminal: piped
 * or redirected output stays exactly what it was.
 */
#include "cli.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

/* Seconds between two lines. */
#define PROGRESS_INTERVAL 0.1

/* The progress whose line is on the terminal without its newline. */
static struct cli_progress *open_line;

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show(struct cli_progress *p, size_t done, const char *end)
{
    size_t total = p->total;

    if (total && done > total)
        done = total;
    if (total)
        fprintf(stderr, "\r%s: %zu/%zu (%d%%)%s", p->label, done, total,
                (int)(done * 100.0 / (double)total), end);
    else
        fprintf(stderr, "\r%s: %zu%s", p->label, done, end);
    fflush(stderr);
    p->shown = 1;
    open_line = *end ? NULL : p;
}

void cli_progress_start(struct cli_progress *p, const char *label, size_t total)
{
    p->label = label;
    p->total = total;
    p->tty = isatty(STDERR_FILENO);
    p->shown = 0;
    p->last = 0;
}

void cli_progress_update(struct cli_progress *p, size_t done, size_t total)
{
    double t;

    if (!p || !p->tty)
        return;
    if (total)
        p->total = total;
    t = now_seconds();
    if (p->shown && t - p->last < PROGRESS_INTERVAL)
        return;
    p->last = t;
    show(p, done, "");
}

void cli_progress_callback(size_t done, size_t total, void *arg)
{
    cli_progress_update(arg, done, total);
}

void cli_progress_end(struct cli_progress *p, size_t done)
{
    if (!p || !p->tty)
        return;
    show(p, done, "\n");
}

void cli_progress_abandon(struct cli_progress *p)
{
    if (p && p == open_line)
        cli_progress_interrupt();
}

void cli_progress_interrupt(void)
{
    if (!open_line)
        return;
    /* End the line an update left open, so a message starts afresh; the
     * next update writes a new line. */
    fputc('\n', stderr);
    open_line->shown = 0;
    open_line = NULL;
}
