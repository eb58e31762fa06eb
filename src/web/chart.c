/*
 * chart.c: the one bar-chart renderer of the pages. It takes plain data
 * (bars of stacked segments, labels, reference lines) and writes an
 * accessible SVG through the HTML writer: a title and a description in
 * words, every bar's number as text, so colour is never the only carrier.
 * What the bars mean (group sizes, attendance, retention) is the caller's,
 * and so are its words, but for "none" and how a reference line is named.
 */
#include "web.h"

#include <stdio.h>

#include "banned.h"

#define TEXT_FILL "#1a1a1a"

static double bar_total(const struct web_bar *b)
{
    double t = 0;
    size_t i;

    for (i = 0; i < b->n_segments; i++)
        t += b->segments[i].value;
    return t;
}

/* x="..." style attributes: ` name="v"` with `decimals` digits. */
#define NUM_ATTR(h, name, v, decimals)                                         \
    do {                                                                       \
        mg_html((h), " " name "=\"");                                          \
        mg_html_num((h), (v), (decimals));                                     \
        mg_html((h), "\"");                                                    \
    } while (0)

static void key_attr(struct mg_html *h, const struct web_chart *c,
                     const struct web_bar *b)
{
    switch (c->key) {
    case WEB_CHART_GROUP:
        mg_html(h, " data-group=\"");
        break;
    case WEB_CHART_WEEK:
        mg_html(h, " data-week=\"");
        break;
    case WEB_CHART_ANSWER:
        mg_html(h, " data-answer=\"");
        break;
    }
    mg_html_int(h, b->key);
    mg_html(h, "\"");
}

/* A label under the axis or above a bar. */
static void label(struct mg_html *h, double x, double y, int size,
                  const char *anchor_middle_or_end, const char *text)
{
    mg_html(h, "<text");
    NUM_ATTR(h, "x", x, 2);
    NUM_ATTR(h, "y", y, 2);
    mg_html(h, " font-size=\"");
    mg_html_int(h, size);
    mg_html(h, "\"");
    if (anchor_middle_or_end && anchor_middle_or_end[0] == 'm')
        mg_html(h, " text-anchor=\"middle\"");
    else if (anchor_middle_or_end && anchor_middle_or_end[0] == 'e')
        mg_html(h, " text-anchor=\"end\"");
    mg_html(h, " fill=\"" TEXT_FILL "\">");
    mg_html_text(h, text);
    mg_html(h, "</text>");
}

static void hline(struct mg_html *h, double x1, double x2, double y, int dashed)
{
    mg_html(h, "<line");
    NUM_ATTR(h, "x1", x1, 0);
    NUM_ATTR(h, "y1", y, 2);
    NUM_ATTR(h, "x2", x2, 0);
    NUM_ATTR(h, "y2", y, 2);
    if (dashed)
        mg_html(h, " stroke=\"" TEXT_FILL "\" stroke-dasharray=\"5 4\"/>");
    else
        mg_html(h, " stroke=\"#4a4a4a\"/>");
}

void web_chart_bars(struct mg_html *h, const struct web_chart *c)
{
    const double top = 16, left = 34, right = 70;
    const double plot_h = c->plot_height > 0 ? c->plot_height : 200;
    const double bar_w = c->bar_width > 0 ? c->bar_width : 34;
    const double gap = c->gap > 0 ? c->gap : 18;
    const double base = top + plot_h;
    double w = left + gap + (double)c->n_bars * (bar_w + gap) + right;
    double ymax = c->ymax > 1 ? c->ymax : 1, unit;
    char text[128];
    size_t i, k;

    for (i = 0; i < c->n_bars; i++)
        if (bar_total(&c->bars[i]) > ymax)
            ymax = bar_total(&c->bars[i]);
    for (k = 0; k < c->n_refs; k++)
        if (c->refs[k].value > ymax)
            ymax = c->refs[k].value;
    unit = plot_h / ymax;

    mg_html(h, "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\""
               " viewBox=\"0 0 ");
    mg_html_num(h, w, 0);
    mg_html(h, " ");
    mg_html_num(h, base + 40, 0);
    mg_html(h, "\" role=\"img\" aria-labelledby=\"");
    mg_html_attr(h, c->id);
    mg_html(h, "-t ");
    mg_html_attr(h, c->id);
    mg_html(h, "-d\" style=\"max-width:");
    mg_html_num(h, w * 1.6, 0);
    mg_html(h, "px\">\n<title id=\"");
    mg_html_attr(h, c->id);
    mg_html(h, "-t\">");
    mg_html_text(h, c->title);
    mg_html(h, "</title>\n<desc id=\"");
    mg_html_attr(h, c->id);
    mg_html(h, "-d\">");
    mg_html_text(h, c->desc);
    mg_html(h, "</desc>\n");

    /* the axis, and the reference lines (a minimum, a target) */
    hline(h, left, w - right + 4, base, 0);
    label(h, left - 6, base + 4, 11, "end", "0");
    mg_html(h, "\n");
    for (k = 0; k < c->n_refs; k++) {
        const struct web_ref *ref = &c->refs[k];
        double y = base - ref->value * unit;

        mg_html(h, "<g class=\"ref\" data-ref=\"");
        mg_html_attr(h, ref->name);
        mg_html(h, "\" data-value=\"");
        mg_html_textf(h, "%g", ref->value);
        mg_html(h, "\">");
        hline(h, left, w - right + 4, y, 1);
        snprintf(text, sizeof(text), "%g", ref->value);
        label(h, left - 6, y + 4, 11, "end", text);
        /* TRANSLATORS: a chart line's name and value ("min 3") */
        snprintf(text, sizeof(text), _("%s %g"),
                 ref->label ? ref->label : ref->name, ref->value);
        label(h, w - right + 8, y + 4, 11, NULL, text);
        mg_html(h, "</g>\n");
    }

    for (i = 0; i < c->n_bars; i++) {
        const struct web_bar *b = &c->bars[i];
        double x = left + gap + (double)i * (bar_w + gap), y = base;
        double total = bar_total(b);

        mg_html(h, "<g class=\"bar\"");
        key_attr(h, c, b);
        mg_html(h, " data-size=\"");
        mg_html_num(h, total, c->decimals);
        mg_html(h, "\">\n");
        if (b->title) {
            mg_html(h, "<title>");
            mg_html_text(h, b->title);
            mg_html(h, "</title>\n");
        }
        for (k = 0; b->known && k < b->n_segments; k++) {
            const struct web_segment *s = &b->segments[k];
            double sh = s->value * unit;

            if (s->value <= 0)
                continue;
            y -= sh;
            mg_html(h, "<rect");
            NUM_ATTR(h, "x", x, 2);
            NUM_ATTR(h, "y", y, 2);
            NUM_ATTR(h, "width", bar_w, 0);
            NUM_ATTR(h, "height", sh, 2);
            mg_html(h, " fill=\"");
            mg_html_attr(h, s->colour ? s->colour : WEB_CHART_COLOUR);
            mg_html(h, "\" stroke=\"#fff\" stroke-width=\"1\"");
            if (s->name) {
                mg_html(h, " data-segment=\"");
                mg_html_attr(h, s->name);
                mg_html(h, "\"");
            }
            mg_html(h, "/>\n");
        }
        if (b->known) {
            snprintf(text, sizeof(text), "%.*f", c->decimals, total);
            label(h, x + bar_w / 2, y - 4, 12, "middle", text);
        } else {
            /* TRANSLATORS: a chart's bar for a week with no record */
            label(h, x + bar_w / 2, base - 4, 11, "middle", _("none"));
        }
        mg_html(h, "\n");
        label(h, x + bar_w / 2, base + 16, 12, "middle", b->label);
        mg_html(h, "\n</g>\n");
    }
    mg_html(h, "</svg></div>\n");
}

void web_chart_legend(struct mg_html *h, const char *aria_label,
                      const struct web_legend_item *items, size_t n)
{
    size_t i;

    mg_html(h, "<ul class=\"legend\" aria-label=\"");
    mg_html_attr(h, aria_label);
    mg_html(h, "\">\n");
    for (i = 0; i < n; i++) {
        mg_html(h, "<li><svg width=\"14\" height=\"14\" aria-hidden=\"true\">"
                   "<rect width=\"14\" height=\"14\" fill=\"");
        mg_html_attr(h, items[i].colour);
        mg_html(h, "\"/></svg>");
        mg_html_text(h, items[i].name);
        mg_html(h, " <span class=\"muted\">(");
        mg_html_int(h, items[i].count);
        mg_html(h, ")</span></li>\n");
    }
    mg_html(h, "</ul>\n");
}
