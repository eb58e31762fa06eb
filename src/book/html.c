/* html.c: placeholder until the html parser lands. */
#include "internal.h"

int mg_book_parse_html(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err)
{
    (void)out;
    (void)data;
    (void)len;
    mg_error_set(err, "book", "html books are not supported yet");
    return MG_EINVAL;
}
