/* text.c: placeholder until the text parser lands. */
#include "internal.h"

int mg_book_parse_text(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err)
{
    (void)out;
    (void)data;
    (void)len;
    mg_error_set(err, "book", "text books are not supported yet");
    return MG_EINVAL;
}
