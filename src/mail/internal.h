/*
 * internal.h: what the mail module's files share.
 */
#ifndef MINGLE_MAIL_INTERNAL_H
#define MINGLE_MAIL_INTERNAL_H

#include "mingle/core.h"

/* A fresh Message-ID (no brackets): 128 random bits at the domain of
 * `from_email`, which must hold an '@'. free() it. */
char *mail_message_id_new(const char *from_email);

/* The caller's Message-ID ("<left@right>" or without brackets) in *out
 * without brackets (free()); MG_EINVAL when it is not one. */
int mail_message_id_copy(char **out, const char *id, struct mg_error *err);

#endif
