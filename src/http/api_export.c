/*
 * api_export.c: everything mingle holds about one person, as JSON.
 */
#include "internal.h"

void handle_person_export(struct request *r)
{
    reply_error(r, MHD_HTTP_NOT_IMPLEMENTED, "not_implemented",
                "export is not built yet", NULL);
}
