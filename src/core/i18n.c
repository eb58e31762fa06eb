/*
 * i18n.c: gettext with a language per thread. Each language is its own
 * text domain ("mingle-mi"), bound to the catalog directory the first time
 * it is used; LC_MESSAGES is C.UTF-8 for the whole process, so gettext
 * looks in <dir>/C.UTF-8/LC_MESSAGES/ and no system locale needs to be
 * installed for a circle's language.
 */
#define _GNU_SOURCE
#include "mingle/i18n.h"

#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mingle/core.h"

#include "banned.h"

#ifndef MINGLE_LOCALE_DIR
#define MINGLE_LOCALE_DIR "/usr/local/share/mingle/locale"
#endif

static char locale_dir[1024] = MINGLE_LOCALE_DIR;
static pthread_mutex_t bind_lock = PTHREAD_MUTEX_INITIALIZER;

/* The thread's language and its text domain ("" for English). */
static _Thread_local char thread_lang[MG_I18N_LANG_MAX] = "en";
static _Thread_local char thread_domain[48] = "";

void mg_i18n_init(const char *dir)
{
    if (dir && *dir)
        snprintf(locale_dir, sizeof(locale_dir), "%s", dir);
    setlocale(LC_MESSAGES, "C.UTF-8");
}

int mg_i18n_valid(const char *lang)
{
    size_t i = 0, n = 0;

    if (!lang)
        return 0;
    while (lang[i] >= 'a' && lang[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return 0;
    while (lang[i]) {
        if (lang[i] != '-' && lang[i] != '_')
            return 0;
        i++;
        for (n = 0; (lang[i] >= 'a' && lang[i] <= 'z') ||
                    (lang[i] >= 'A' && lang[i] <= 'Z') ||
                    (lang[i] >= '0' && lang[i] <= '9');
             n++)
            i++;
        if (n < 2 || n > 8)
            return 0;
    }
    return i < sizeof(thread_lang);
}

static void catalog_path(char *out, size_t n, const char *lang)
{
    snprintf(out, n, "%s/C.UTF-8/LC_MESSAGES/mingle-%s.mo", locale_dir, lang);
}

int mg_i18n_available(const char *lang)
{
    char path[1200];

    if (!mg_i18n_valid(lang))
        return 0;
    if (strcmp(lang, "en") == 0)
        return 1;
    catalog_path(path, sizeof(path), lang);
    return access(path, R_OK) == 0;
}

void mg_i18n_use(const char *lang)
{
    char domain[48];

    if (!lang || !*lang || strcmp(lang, "en") == 0 ||
        !mg_i18n_available(lang)) {
        snprintf(thread_lang, sizeof(thread_lang), "en");
        thread_domain[0] = '\0';
        return;
    }
    snprintf(domain, sizeof(domain), "mingle-%s", lang);
    /* bindtextdomain() copies its arguments and is safe to call again;
     * the lock only keeps two first uses from racing on our side. */
    pthread_mutex_lock(&bind_lock);
    bindtextdomain(domain, locale_dir);
    bind_textdomain_codeset(domain, "UTF-8");
    pthread_mutex_unlock(&bind_lock);
    snprintf(thread_lang, sizeof(thread_lang), "%s", lang);
    snprintf(thread_domain, sizeof(thread_domain), "%s", domain);
}

const char *mg_i18n_lang(void)
{
    return thread_lang;
}

void mg_i18n_switch(char saved[MG_I18N_LANG_MAX], const char *lang)
{
    snprintf(saved, MG_I18N_LANG_MAX, "%s", thread_lang);
    mg_i18n_use(lang);
}

void mg_i18n_restore(const char saved[MG_I18N_LANG_MAX])
{
    mg_i18n_use(saved);
}

const char *mg_gettext(const char *msgid)
{
    if (!msgid || !thread_domain[0] || !*msgid)
        return msgid;
    return dgettext(thread_domain, msgid);
}

const char *mg_ngettext(const char *one, const char *many, unsigned long n)
{
    if (!thread_domain[0])
        return n == 1 ? one : many;
    return dngettext(thread_domain, one, many, n);
}
