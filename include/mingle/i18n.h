/*
 * i18n: what people read, in their circle's language, through GNU
 * gettext. Every string a person reads on a page or in a mail is written
 * _("English text") and found in data/locale/mingle.pot; each language's
 * catalog is data/locale/<lang>.po, compiled at build time. A circle has a
 * language; a request or a mail job says which with mg_i18n_use() before
 * writing, and the choice holds for the calling thread only, so threads
 * serving circles in different languages never see each other's.
 *
 * English is the source language: its catalog (en.po) is complete by
 * construction and a missing translation falls back to the English text.
 */
#ifndef MINGLE_I18N_H
#define MINGLE_I18N_H

/*
 * Where the compiled catalogs are: `dir`/C.UTF-8/LC_MESSAGES/mingle-
 * <lang>.mo (one text domain per language, so a thread chooses its
 * language by domain, not by process locale). NULL keeps the directory
 * built in (the build tree's, or the installed one). Call once at start,
 * before any thread translates; it sets LC_MESSAGES to C.UTF-8.
 */
void mg_i18n_init(const char *dir);

/* Whether `lang` is a well-formed language tag ("en", "mi", "pt_BR",
 * "en-NZ": 2-3 letters, then subtags of 2-8 letters or digits). */
int mg_i18n_valid(const char *lang);

/* Whether a catalog for `lang` is installed ("en" always is). */
int mg_i18n_available(const char *lang);

/*
 * Translate into `lang` from now on, in this thread. NULL, "" and an
 * unknown language mean English. The string is copied.
 */
void mg_i18n_use(const char *lang);
/* The calling thread's language ("en" unless mg_i18n_use() said). */
const char *mg_i18n_lang(void);

/* Room for a language tag and its NUL. */
#define MG_I18N_LANG_MAX 32

/*
 * For a function that writes in a circle's language on its caller's
 * thread: mg_i18n_switch() copies the thread's language into `saved` and
 * uses `lang` (as mg_i18n_use()); mg_i18n_restore(saved) puts the
 * caller's back, so a page or a command goes on in its own language.
 */
void mg_i18n_switch(char saved[MG_I18N_LANG_MAX], const char *lang);
void mg_i18n_restore(const char saved[MG_I18N_LANG_MAX]);

/* `msgid` in the thread's language; never NULL for a non-NULL msgid.
 * The result is the catalog's (or msgid itself): do not free it. */
const char *mg_gettext(const char *msgid) __attribute__((format_arg(1)));
/* The plural form for `n`: `one` and `many` are the English forms. */
const char *mg_ngettext(const char *one, const char *many, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));

#define _(s) mg_gettext(s)
#define N_(s) (s)

#endif
