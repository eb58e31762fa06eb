/*
 * cpd.c: the export `cpd`: every person's CPD journal rows (one for the
 * circle's group calls they attended, one per plenary), with their id
 * and name first, as src/cpd/ builds them.
 */
#include "mingle/cpd.h"

#include "internal.h"

#include "banned.h"

int export_cpd(struct mg_sheet ***out, size_t *n, struct mg_store *st,
               int64_t circle_id)
{
    struct mg_cpd_row *rows = NULL;
    size_t n_rows = 0;
    int rc = mg_cpd_load(&rows, &n_rows, st, circle_id, 0);

    if (rc < 0)
        return rc;
    export_add(out, n, mg_cpd_sheet(rows, n_rows, 1));
    mg_cpd_rows_free(rows, n_rows);
    return 0;
}
