/*
 * retention.c: when a circle's personal data goes, as the dashboard and
 * a participant's page say it: the date its retention expires (in the
 * circle's time zone), "kept until purged by hand", or the day it was
 * purged. The dates are the retention module's.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/retention.h"
#include "mingle/schedule.h"

#include "banned.h"

/* The date of `t` in the circle's time zone ("2027-05-05"). */
static void day_of(char *out, size_t n, const struct mg_circle *c, int64_t t)
{
    char *space;

    mg_schedule_local_text(out, n, c->time_zone, t, ' ');
    if (!out[0])
        mg_schedule_local_text(out, n, "UTC", t, ' ');
    space = strchr(out, ' ');
    if (space)
        *space = '\0';
}

/* What happens to the data, in a few words, into out. */
static int words(char *out, size_t n, struct mg_store *st,
                 const struct mg_circle *c, int *kept_summaries)
{
    struct mg_retention r;
    char day[40];

    if (mg_retention_get(&r, st, c->id) < 0)
        return -1;
    *kept_summaries = r.keep_summaries;
    if (r.purged_at) {
        day_of(day, sizeof(day), c, r.purged_at);
        /* TRANSLATORS: %s is a date */
        snprintf(out, n, _("purged on %s"), day);
    } else if (r.expires_at) {
        day_of(day, sizeof(day), c, r.expires_at);
        /* TRANSLATORS: %s is a date; %d days */
        snprintf(out, n,
                 mg_ngettext("kept until %s (%d day after the last call)",
                             "kept until %s (%d days after the last call)",
                             (unsigned long)r.days),
                 day, r.days);
    } else {
        snprintf(out, n, "%s", _("kept until purged by hand"));
    }
    return 0;
}

void web_retention_cell(struct mg_html *h, struct mg_store *st,
                        const struct mg_circle *c)
{
    char text[160];
    int keep = 0;

    mg_html(h, "<td>");
    if (words(text, sizeof(text), st, c, &keep) == 0)
        mg_html_text(h, text);
    mg_html(h, "</td>");
}

void web_retention_row(struct mg_html *h, struct mg_store *st,
                       const struct mg_circle *c)
{
    char text[160];
    int keep = 0;

    if (words(text, sizeof(text), st, c, &keep) < 0)
        return;
    web_row(h, _("Personal data"), text);
    web_row(h, _("Summaries after the purge"),
            keep ? _("kept without names") : _("erased with the people"));
}

void web_retention_sentence(struct mg_html *h, struct mg_store *st,
                            const struct mg_circle *c)
{
    struct mg_retention r;
    char day[40];

    if (mg_retention_get(&r, st, c->id) < 0 || r.purged_at)
        return;
    mg_html(h, "<p>");
    if (r.expires_at) {
        day_of(day, sizeof(day), c, r.expires_at);
        mg_html_textf(h,
                      mg_ngettext("Your details, answers and attendance are "
                                  "kept until %s, %d day after the circle's "
                                  "last call, and then erased.",
                                  "Your details, answers and attendance are "
                                  "kept until %s, %d days after the circle's "
                                  "last call, and then erased.",
                                  (unsigned long)r.days),
                      day, r.days);
    } else {
        mg_html_text(h, _("Your details, answers and attendance are kept "
                          "until the coordinator erases the circle's data."));
    }
    mg_html(h, "</p>\n");
}
