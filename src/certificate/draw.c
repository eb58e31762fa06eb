/*
 * draw.c: a certificate of participation as one A4 landscape PDF page,
 * drawn with cairo and laid out by pango, so any name comes out right
 * (macrons, right-to-left scripts, whatever fontconfig can find a font
 * for). The words come from the thread's catalog; the figures and names
 * from the caller. Nothing here reads the store.
 */
#include "mingle/certificate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "mingle/i18n.h"

#include "banned.h"

#define PAGE_W 841.89 /* A4 landscape, points */
#define PAGE_H 595.28
#define MARGIN 56.0
#define SERIF "DejaVu Serif"
#define SANS "DejaVu Sans"

static const double ink[3] = {0.10, 0.16, 0.30};
static const double accent[3] = {0.12, 0.31, 0.60};

static cairo_status_t to_buf(void *closure, const unsigned char *data,
                             unsigned int length)
{
    mg_buf_add(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

/*
 * Lay `text` out centred in `width` points at `size` points (bold when
 * asked), wrapping at words; while it needs more than `max_lines` lines
 * it shrinks, down to `min_size`, where what still does not fit is cut
 * with an ellipsis. Draw it at `x`, its top at `y`, and return its
 * height.
 */
static double text_fit(cairo_t *cr, const char *family, int bold, double size,
                       double min_size, int max_lines, double x, double width,
                       PangoAlignment align, double y, const char *text)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_new();
    int w = 0, h = 0;

    pango_font_description_set_family(font, family);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD
                                                 : PANGO_WEIGHT_NORMAL);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, align);
    pango_layout_set_text(layout, text, -1);
    for (;;) {
        pango_font_description_set_size(font, (int)(size * PANGO_SCALE));
        pango_layout_set_font_description(layout, font);
        if (pango_layout_get_line_count(layout) <= max_lines)
            break;
        if (size <= min_size) {
            /* still too long: the last line that fits ends in "…" */
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
            pango_layout_set_height(layout, -max_lines);
            break;
        }
        size = size * 0.9 < min_size ? min_size : size * 0.9;
    }
    pango_layout_get_size(layout, &w, &h);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    pango_font_description_free(font);
    g_object_unref(layout);
    return (double)h / PANGO_SCALE;
}

/* text_fit() centred on the page. */
static double text_block(cairo_t *cr, const char *family, int bold, double size,
                         double min_size, int max_lines, double width, double y,
                         const char *text)
{
    return text_fit(cr, family, bold, size, min_size, max_lines,
                    (PAGE_W - width) / 2, width, PANGO_ALIGN_CENTER, y, text);
}

/* One line of `text` at (x, y), left-aligned (or right-aligned so it
 * ends at x when `right`); returns its height. */
static double text_at(cairo_t *cr, const char *family, double size, double x,
                      double y, int right, const char *text)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_new();
    int w = 0, h = 0;

    pango_font_description_set_family(font, family);
    pango_font_description_set_size(font, (int)(size * PANGO_SCALE));
    pango_layout_set_font_description(layout, font);
    pango_layout_set_text(layout, text, -1);
    pango_layout_get_size(layout, &w, &h);
    cairo_move_to(cr, right ? x - (double)w / PANGO_SCALE : x, y);
    pango_cairo_show_layout(cr, layout);
    pango_font_description_free(font);
    g_object_unref(layout);
    return (double)h / PANGO_SCALE;
}

static void colour(cairo_t *cr, const double rgb[3])
{
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
}

static void frame(cairo_t *cr)
{
    colour(cr, accent);
    cairo_set_line_width(cr, 3);
    cairo_rectangle(cr, 24, 24, PAGE_W - 48, PAGE_H - 48);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, 32, 32, PAGE_W - 64, PAGE_H - 64);
    cairo_stroke(cr);
}

static int empty(const char *s)
{
    return !s || !s[0];
}

/* "3 March 2027" from "2027-03-03", in the thread's language. */
static void date_words(char *out, size_t n, const char *ymd)
{
    static const char *const months[12] = {
        N_("January"),   N_("February"), N_("March"),    N_("April"),
        N_("May"),       N_("June"),     N_("July"),     N_("August"),
        N_("September"), N_("October"),  N_("November"), N_("December")};
    int y = 0, m = 0, d = 0;

    if (!ymd || sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 ||
        m > 12) {
        snprintf(out, n, "%s", ymd ? ymd : "");
        return;
    }
    /* TRANSLATORS: a date: day, month's name, year */
    snprintf(out, n, _("%d %s %d"), d, _(months[m - 1]), y);
}

/* The sentences of the body, each its own line of the page. */
static void body(cairo_t *cr, const struct mg_certificate *c, double y)
{
    char line[1024], from[64], to[64], hours[16], hmm[16];
    char calls[256], plenaries[256];
    double width = PAGE_W - 2 * MARGIN - 40;

    colour(cr, ink);
    y += text_block(cr, SANS, 0, 13, 13, 1, width, y,
                    c->facilitator ? _("This certifies that")
                                   : _("This certifies that"));
    y += 6;
    colour(cr, accent);
    y += text_block(cr, SERIF, 1, 34, 16, 2, width, y, c->name);
    y += 6;
    colour(cr, ink);
    y += text_block(cr, SANS, 0, 13, 13, 1, width, y,
                    c->facilitator ? _("took part as facilitator in")
                                   : _("took part in"));
    y += 4;
    y += text_block(cr, SERIF, 1, 22, 12, 2, width, y, c->circle_title);
    y += 4;
    if (!empty(c->book_title)) {
        if (!empty(c->book_author))
            snprintf(line, sizeof(line), _("reading “%s” by %s"), c->book_title,
                     c->book_author);
        else
            snprintf(line, sizeof(line), _("reading “%s”"), c->book_title);
        y += text_block(cr, SERIF, 0, 14, 10, 2, width, y, line);
    }
    y += 10;
    if (!empty(c->first_date)) {
        date_words(from, sizeof(from), c->first_date);
        date_words(to, sizeof(to), c->last_date);
        if (strcmp(c->first_date, c->last_date ? c->last_date : "") == 0)
            snprintf(line, sizeof(line), _("on %s"), from);
        else
            snprintf(line, sizeof(line), _("from %s to %s"), from, to);
        y += text_block(cr, SANS, 0, 13, 10, 1, width, y, line);
        y += 4;
    }
    snprintf(calls, sizeof(calls),
             mg_ngettext("%d group call", "%d group calls",
                         (unsigned long)c->group_calls),
             c->group_calls);
    if (c->plenary_calls > 0) {
        snprintf(plenaries, sizeof(plenaries),
                 mg_ngettext("%d whole-circle call", "%d whole-circle calls",
                             (unsigned long)c->plenary_calls),
                 c->plenary_calls);
        /* TRANSLATORS: "2 group calls and 1 whole-circle call" */
        snprintf(line, sizeof(line), _("Calls attended: %s and %s"), calls,
                 plenaries);
    } else {
        snprintf(line, sizeof(line), _("Calls attended: %s"), calls);
    }
    y += text_block(cr, SANS, 1, 13, 10, 2, width, y, line);
    y += 2;
    mg_certificate_hours(hours, sizeof(hours), c->minutes);
    mg_certificate_hmm(hmm, sizeof(hmm), c->minutes);
    snprintf(line, sizeof(line), _("Total time: %s hours (%s)"), hours, hmm);
    text_block(cr, SANS, 1, 13, 10, 1, width, y, line);
}

/* The issuer's name over a line at the bottom left, the date of issue
 * at the bottom right, the code and where to check it under both. */
static void footer(cairo_t *cr, const struct mg_certificate *c)
{
    char line[512], when[64];
    double x = MARGIN + 20, base = PAGE_H - 120;

    colour(cr, ink);
    if (!empty(c->issuer))
        text_fit(cr, SERIF, 0, 14, 8, 1, x, 300, PANGO_ALIGN_LEFT, base - 26,
                 c->issuer);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, x, base);
    cairo_line_to(cr, x + 240, base);
    cairo_stroke(cr);
    text_at(cr, SANS, 9, x, base + 4, 0,
            !empty(c->signature_title) ? c->signature_title : _("Issued by"));
    date_words(when, sizeof(when), c->issued_on);
    snprintf(line, sizeof(line), _("Issued on %s"), when);
    text_at(cr, SANS, 10, PAGE_W - MARGIN - 20, base - 16, 1, line);
    snprintf(line, sizeof(line), _("Verification code: %s"), c->code);
    text_at(cr, SANS, 9, x, PAGE_H - 78, 0, line);
    snprintf(line, sizeof(line), _("Check it at %s"), c->verify_url);
    text_at(cr, SANS, 9, x, PAGE_H - 64, 0, line);
}

static int utf8_or_empty(const char *s)
{
    return !s || g_utf8_validate(s, -1, NULL);
}

int mg_certificate_pdf(char **out, size_t *len, const struct mg_certificate *c,
                       struct mg_error *err)
{
    const char *fields[] = {c->name,        c->circle_title, c->book_title,
                            c->book_author, c->issuer,       c->signature_title,
                            c->code,        c->verify_url};
    const char *names[] = {"name",        "circle_title", "book_title",
                           "book_author", "issuer",       "signature_title",
                           "code",        "verify_url"};
    struct mg_buf b = MG_BUF_INIT;
    cairo_surface_t *surface;
    cairo_t *cr;
    char title[512];
    size_t i;
    int rc = 0;

    *out = NULL;
    *len = 0;
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (!utf8_or_empty(fields[i])) {
            mg_error_set(err, names[i], "not UTF-8");
            return MG_EINVAL;
        }
    if (empty(c->name)) {
        mg_error_set(err, "name", "no name");
        return MG_EINVAL;
    }
    surface = cairo_pdf_surface_create_for_stream(to_buf, &b, PAGE_W, PAGE_H);
    snprintf(title, sizeof(title), _("Certificate of participation: %s"),
             c->name);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    if (!empty(c->issuer))
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR,
                                       c->issuer);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                   "mingle");
    cr = cairo_create(surface);
    frame(cr);
    colour(cr, accent);
    text_block(cr, SERIF, 1, 30, 20, 1, PAGE_W - 2 * MARGIN, 64,
               _("Certificate of participation"));
    body(cr, c, 128);
    footer(cr, c);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        mg_error_set(err, "pdf", "cairo: %s",
                     cairo_status_to_string(cairo_surface_status(surface)));
        rc = MG_EIO;
    }
    cairo_surface_destroy(surface);
    if (rc < 0) {
        mg_buf_release(&b);
        return rc;
    }
    *len = b.len;
    *out = b.data ? b.data : mg_xstrdup("");
    return 0;
}

void mg_certificate_hours(char *out, size_t n, int minutes)
{
    int tenths = mg_tenths_of_hour(minutes);

    snprintf(out, n, "%d.%d", tenths / 10, tenths % 10);
}

void mg_certificate_hmm(char *out, size_t n, int minutes)
{
    if (minutes < 0)
        minutes = 0;
    snprintf(out, n, "%d:%02d", minutes / 60, minutes % 60);
}
