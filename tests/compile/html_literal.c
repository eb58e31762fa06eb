/*
 * html_literal.c: compiled, never run. Without HTML_VARIABLE_MARKUP it is
 * the control that must compile; with it, a page that passes a runtime
 * string as markup, which the HTML writer must refuse to compile
 * (tests/CMakeLists.txt: html_literal_only, html_literal_control).
 */
#include "mingle/html.h"

void write_name(struct mg_html *h, const char *name);

void write_name(struct mg_html *h, const char *name)
{
    mg_html(h, "<p>");
#ifdef HTML_VARIABLE_MARKUP
    mg_html(h, name);
#else
    mg_html_text(h, name);
#endif
    mg_html(h, "</p>");
}
