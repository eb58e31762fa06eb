/* epub.c: placeholder until the epub parser lands. */
#include "internal.h"

int mg_book_parse_epub(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err)
{
    (void)out;
    (void)data;
    (void)len;
    mg_error_set(err, "book", "epub books are not supported yet");
    return MG_EINVAL;
}
