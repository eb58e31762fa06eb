/*
 * store/rooms.h: each group's call room (its own link, and the random
 * part of the room name its circle's template makes, made when the group
 * is and carried through re-plans with the group's other secrets) and
 * each plenary's own link.
 */
#ifndef MINGLE_STORE_ROOMS_H
#define MINGLE_STORE_ROOMS_H

#include <stddef.h>
#include <stdint.h>

struct mg_store;

#define MG_ROOM_SECRET_LEN 24 /* hex characters: 96 random bits */

struct mg_group_room {
    int64_t group_id;
    char *call_url; /* the group's own link; NULL: none */
    char secret[MG_ROOM_SECRET_LEN + 1];
};

void mg_store_group_rooms_free(struct mg_group_room *rows, size_t n);

/*
 * The rooms of the circle's groups `ids` (`n_ids` of them; ids NULL:
 * every group of the circle), by group id; free with
 * mg_store_group_rooms_free(). A group missing from the answer has none.
 */
int mg_store_group_rooms(struct mg_group_room **out, size_t *n,
                         struct mg_store *st, int64_t circle_id,
                         const int64_t *ids, size_t n_ids);

/* The room of `group_id` in `rooms` (by group id, as above), or NULL. */
const struct mg_group_room *
mg_store_group_room_find(const struct mg_group_room *rooms, size_t n,
                         int64_t group_id);

/*
 * Set the group's own call link (NULL or "": none, the template's or the
 * circle's is used). When it changed, the group's sequence goes up in the
 * same transaction, so its members are sent the update; *changed says
 * whether it did. MG_ENOTFOUND when the circle has no such group.
 */
int mg_store_group_call_url_set(int *changed, struct mg_store *st,
                                int64_t circle_id, int64_t group_id,
                                const char *url);

/*
 * The circle's template changed: the groups without a link of their own
 * have their sequence up in one transaction; *ids (free()) and *n say
 * which, for the updates to go to their members only.
 */
int mg_store_groups_bump_templated(int64_t **ids, size_t *n,
                                   struct mg_store *st, int64_t circle_id);

/*
 * A plenary's own call link (NULL or "": none, the circle's video_url
 * is used), in the plenary change's transaction (mg_store_tx_plenary_save
 * calls it).
 */
struct mg_store_tx;
int mg_store_tx_plenary_call_url(struct mg_store_tx *tx, int64_t plenary_id,
                                 const char *url);

#endif
