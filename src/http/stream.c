/*
 * stream.c: an answer written as it is made. The handler hands over a
 * source that appends the next piece of the body when libmicrohttpd asks
 * for more (a batch of groups, of people, of sessions), so an answer
 * about a whole circle is never held in memory at once: the memory is a
 * piece's, whatever the circle's size. The headers are reply_send()'s.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define STREAM_BLOCK (32 * 1024)

struct stream {
    struct reply_source src;
    struct mg_buf piece;
    size_t sent; /* of piece */
    int done;    /* the source has nothing more */
    int failed;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    size_t n;

    (void)pos;
    while (s->sent == s->piece.len && !s->done) {
        int rc;

        s->piece.len = 0;
        s->sent = 0;
        rc = s->src.next(s->src.state, &s->piece);
        if (rc != 0)
            s->done = 1;
        if (rc < 0) {
            s->failed = 1;
            mg_log(MG_LOG_WARN, "answer cut short", "reason",
                   "the store failed while it was written", NULL);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    if (s->sent == s->piece.len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    n = s->piece.len - s->sent < max ? s->piece.len - s->sent : max;
    memcpy(buf, s->piece.data + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;

    if (s->src.release)
        s->src.release(s->src.state);
    mg_buf_release(&s->piece);
    free(s);
}

void reply_stream(struct request *r, unsigned int status,
                  const struct reply *rep, const struct reply_source *src)
{
    struct stream *s = mg_xcalloc(1, sizeof(*s));
    struct MHD_Response *resp;

    s->src = *src;
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
                                             stream_read, s, stream_free);
    if (!resp) {
        stream_free(s);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                    "could not start the answer", NULL);
        return;
    }
    if (rep->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                rep->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rep->page) {
        MHD_add_response_header(
            resp, "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    if (rep->disposition)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                                rep->disposition);
    if (atomic_load(&r->srv->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->status = (int)status;
}
