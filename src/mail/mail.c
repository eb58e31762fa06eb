/*
 * mail.c: the GMime lifecycle. GMime keeps process-wide state (charset
 * tables, registered types), so it is initialised exactly once, from
 * whichever thread gets there first, and shut down once at exit; it
 * cannot be initialised again after that.
 */
#include "mingle/mail.h"

#include <pthread.h>

#include <gmime/gmime.h>

#include "banned.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialised;

static void init_gmime(void)
{
    g_mime_init();
    pthread_mutex_lock(&state_lock);
    initialised = 1;
    pthread_mutex_unlock(&state_lock);
}

void mg_mail_init(void)
{
    pthread_once(&init_once, init_gmime);
}

/* Safe when mg_mail_init() never ran, and when called twice. */
void mg_mail_shutdown(void)
{
    pthread_mutex_lock(&state_lock);
    if (initialised)
        g_mime_shutdown();
    initialised = 0;
    pthread_mutex_unlock(&state_lock);
}
