/*
 * export.c: everything mingle holds about one person, as JSON, for a
 * person's request to see their data. The store builds the document
 * (export.c); this checks it parses and sends it. The audit log records
 * each export (src/api/audit.c).
 */
#include "api.h"

#include <stdlib.h>

#include "banned.h"

void handle_person_export(struct request *r)
{
    char *text = NULL;
    json_t *doc;
    int rc = mg_store_person_export(&text, r->srv->store, r->params[0],
                                    r->params[1]);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    doc = json_loads(text, 0, NULL);
    free(text);
    if (!doc) {
        mg_log(MG_LOG_ERROR, "a person's export is not JSON", NULL);
        reply_code(r, MG_EDB, NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, doc);
}
