/*
 * system.c: the endpoints for operators and their tools: /healthz
 * for load balancers and supervisors, /metrics for Prometheus.
 */
#include "api.h"

#include "banned.h"

void handle_healthz(struct request *r)
{
    int version = 0;
    int rc = mg_store_schema_version(&version, r->srv->store);

    if (rc < 0 || version != mg_store_schema_latest()) {
        reply_json(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                   json_pack("{s:s, s:i}", "status", "unavailable", "schema",
                             version));
        return;
    }
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:s, s:i, s:s}", "status", "ok", "schema", version,
                         "version", MG_VERSION));
}

void handle_metrics(struct request *r)
{
    reply_text(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
               metrics_render(r->srv->metrics, r->srv));
}
