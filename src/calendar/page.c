/*
 * page.c: the secret URL of a participant's own page (/p/<token>) and
 * the calendar feed that goes with it. Only hashes are stored: the feed
 * token is derived from the page token, so whoever holds the page URL
 * can always be shown the feed URL, and the feed URL reveals nothing of
 * the page's. Rendering the page is `http`'s job.
 */
#include "mingle/calendar.h"

#include <string.h>

#include "mingle/people.h"

#include "banned.h"

#define PAGE_FEED_PURPOSE "mingle participant page: calendar feed v1"

void mg_calendar_page_feed_token(char *feed, const char *page_token)
{
    mg_auth_derive_hex(feed, MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN, page_token,
                       PAGE_FEED_PURPOSE);
}

int mg_calendar_page_feed_set(struct mg_store *st, const char *page_token,
                              int64_t circle_id, int64_t participant_id)
{
    char feed[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int rc;

    mg_calendar_page_feed_token(feed, page_token);
    rc = mg_calendar_parse_feed_token(id, hash, feed);
    if (rc == 0)
        rc =
            mg_store_feed_token_set(st, id, hash, circle_id, participant_id, 0);
    memset(feed, 0, sizeof(feed));
    return rc;
}

int mg_calendar_page_feed_live(int *live, struct mg_store *st,
                               const char *page_token, int64_t participant_id)
{
    char feed[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int64_t circle = 0, person = 0, group = 0;
    int rc;

    *live = 0;
    mg_calendar_page_feed_token(feed, page_token);
    rc = mg_calendar_parse_feed_token(id, hash, feed);
    if (rc == 0)
        rc = mg_store_feed_token_check(&circle, &person, &group, st, id, hash);
    memset(feed, 0, sizeof(feed));
    if (rc == MG_EAUTH)
        return 0;
    if (rc < 0)
        return rc;
    *live = person == participant_id;
    return 0;
}

int mg_calendar_page_token(char *token, struct mg_store *st, int64_t circle_id,
                           int64_t participant_id)
{
    struct mg_participant *p = NULL;
    char api[MG_TOKEN_LEN + 1], id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int rc = mg_store_participant_get(&p, st, circle_id, participant_id);

    mg_participants_free(p, p ? 1 : 0);
    if (rc < 0)
        return rc;
    mg_auth_token_new(api, id, hash);
    /* mgt_<id>_<secret> -> <id><secret>, the shape of a feed token */
    memcpy(token, id, MG_TOKEN_ID_LEN);
    memcpy(token + MG_TOKEN_ID_LEN, api + 5 + MG_TOKEN_ID_LEN,
           MG_TOKEN_SECRET_LEN + 1);
    memset(api, 0, sizeof(api));
    rc =
        mg_store_secret_set(st, "page", id, hash, circle_id, participant_id, 0);
    if (rc == 0)
        rc = mg_calendar_page_feed_set(st, token, circle_id, participant_id);
    return rc;
}

int mg_calendar_page_check(int64_t *circle_id, int64_t *participant_id,
                           struct mg_store *st, const char *token)
{
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int64_t group = 0;
    int rc = mg_calendar_parse_feed_token(id, hash, token);

    if (rc == 0)
        rc = mg_store_secret_check(circle_id, participant_id, &group, st,
                                   "page", id, hash);
    if (rc == 0 && *participant_id == 0)
        rc = MG_EAUTH;
    return rc;
}

int mg_calendar_page_retired(int *retired, struct mg_store *st,
                             const char *token)
{
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int rc = mg_calendar_parse_feed_token(id, hash, token);

    *retired = 0;
    if (rc == 0)
        rc = mg_store_secret_retired(retired, st, "page", id, hash);
    return rc;
}
