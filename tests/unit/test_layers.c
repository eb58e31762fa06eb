/*
 * test_layers.c: the layers of DESIGN.md, checked rather than hoped for.
 * Every #include "..." under src/ and include/ is read and mapped to the
 * module it names; a domain module must not reach the store or a front
 * door, the store nothing above it, and the two front doors on HTTP (api,
 * web) never each other. Every source file includes banned.h after its
 * other headers. The checker is first run on a small tree of its own
 * with known faults, so a checker that finds nothing cannot pass.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef MINGLE_SOURCE_DIR
#error "MINGLE_SOURCE_DIR must be defined"
#endif

/* Pure domain: plain structs in and out (DESIGN.md, "Modules"). */
static const char *const domain[] = {"core",   "config", "auth",  "book",
                                     "people", "circle", "group", "schedule",
                                     "ical",   "mail",   "sheet", NULL};
/* What no domain module may include. */
static const char *const above_domain[] = {
    "store",    "http",   "api",           "web",    "cli",      "assign",
    "calendar", "notes",  "attendance",    "outbox", "overview", "signup",
    "jobs",     "export", "participation", NULL};
/* What the store may not include: everything above it. */
static const char *const above_store[] = {
    "http",     "api",   "web",    "cli",           "assign",
    "calendar", "notes", "outbox", "plenary",       "overview",
    "signup",   "jobs",  "export", "participation", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/*
 * The module a path belongs to: "src/<m>/..." or "include/mingle/<m>.h"
 * or "include/mingle/<m>/...". `out` gets "" for anything else (src's own
 * banned.h).
 */
static void module_of_path(char *out, size_t n, const char *rel)
{
    const char *p, *end;

    out[0] = '\0';
    if (strncmp(rel, "src/", 4) == 0)
        p = rel + 4;
    else if (strncmp(rel, "include/mingle/", 15) == 0)
        p = rel + 15;
    else
        return;
    end = p + strcspn(p, "/.");
    if (!*end || end - p >= (long)n)
        return;
    snprintf(out, n, "%.*s", (int)(end - p), p);
}

/* The module an #include "name" in file `rel` reaches. */
static void module_of_include(char *out, size_t n, const char *rel,
                              const char *name)
{
    char path[512];
    const char *dir_end;

    if (strncmp(name, "mingle/", 7) == 0) {
        snprintf(path, sizeof(path), "include/%s", name);
    } else if (strncmp(name, "../", 3) == 0) {
        /* relative to src/<m>/: "../api/api.h" */
        snprintf(path, sizeof(path), "src/%s", name + 3);
    } else if (strcmp(name, "banned.h") == 0) {
        out[0] = '\0';
        return;
    } else {
        dir_end = strrchr(rel, '/');
        snprintf(path, sizeof(path), "%.*s/%s",
                 (int)(dir_end ? dir_end - rel : 0), rel, name);
    }
    module_of_path(out, n, path);
}

struct findings {
    int n;
    char first[512];
};

static void found(struct findings *f, const char *fmt, ...)
{
    va_list ap;

    if (f->n++ == 0) {
        va_start(ap, fmt);
        vsnprintf(f->first, sizeof(f->first), fmt, ap);
        va_end(ap);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void check_file(struct findings *f, const char *root, const char *rel)
{
    char path[1024], line[1024], mod[64], inc_mod[64], last[300] = "";
    FILE *fp;
    int is_c = strlen(rel) > 2 && strcmp(rel + strlen(rel) - 2, ".c") == 0;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    fp = fopen(path, "r");
    assert_non_null(fp);
    module_of_path(mod, sizeof(mod), rel);
    while (fgets(line, sizeof(line), fp)) {
        char name[256];

        if (sscanf(line, "#include \"%255[^\"]\"", name) != 1) {
            if (sscanf(line, "#include <%255[^>]>", name) == 1)
                snprintf(last, sizeof(last), "<%s>", name);
            continue;
        }
        snprintf(last, sizeof(last), "%s", name);
        module_of_include(inc_mod, sizeof(inc_mod), rel, name);
        if (!mod[0] || !inc_mod[0] || strcmp(mod, inc_mod) == 0)
            continue;
        if (in_list(domain, mod) && in_list(above_domain, inc_mod))
            found(f, "%s: domain module '%s' includes '%s' (%s)", rel, mod,
                  inc_mod, name);
        if (strcmp(mod, "store") == 0 && in_list(above_store, inc_mod))
            found(f, "%s: the store includes '%s' (%s)", rel, inc_mod, name);
        if ((strcmp(mod, "api") == 0 && strcmp(inc_mod, "web") == 0) ||
            (strcmp(mod, "web") == 0 && strcmp(inc_mod, "api") == 0))
            found(f, "%s: '%s' includes '%s' (%s)", rel, mod, inc_mod, name);
    }
    fclose(fp);
    if (is_c && strncmp(rel, "src/", 4) == 0 && strcmp(last, "banned.h") != 0)
        found(f, "%s: banned.h is not its last include", rel);
}

static void walk(struct findings *f, const char *root, const char *rel)
{
    char path[1024];
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d))) {
        char sub[512];
        struct stat sb;
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
        snprintf(path, sizeof(path), "%s/%s", root, sub);
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            walk(f, root, sub);
        else if (len > 2 && (strcmp(e->d_name + len - 2, ".c") == 0 ||
                             strcmp(e->d_name + len - 2, ".h") == 0))
            check_file(f, root, sub);
    }
    closedir(d);
}

static void write_file(const char *root, const char *rel, const char *text)
{
    char path[1024], dir[1024], *slash;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(dir, sizeof(dir), "%s", path);
    for (slash = strchr(dir + strlen(root) + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(dir, 0700);
        *slash = '/';
    }
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* A tree with one fault of each kind and files that break nothing. */
static void test_checker_finds_faults(void **state)
{
    char root[] = "/tmp/mingle-layers-XXXXXX";
    struct findings f = {0, ""};
    char cmd[128];

    (void)state;
    assert_non_null(mkdtemp(root));
    write_file(root, "src/book/ok.c",
               "#include \"mingle/book.h\"\n#include \"internal.h\"\n"
               "#include <stdio.h>\n\n#include \"banned.h\"\n");
    walk(&f, root, "src");
    assert_int_equal(f.n, 0);
    write_file(root, "src/book/bad.c",
               "#include \"mingle/store.h\"\n#include \"banned.h\"\n");
    write_file(root, "src/ical/bad.c",
               "#include \"../web/web.h\"\n#include \"banned.h\"\n");
    write_file(root, "src/store/bad.c",
               "#include \"mingle/notes.h\"\n#include \"banned.h\"\n");
    write_file(root, "src/api/bad.c",
               "#include \"../web/web.h\"\n#include \"banned.h\"\n");
    write_file(root, "src/web/bad.c",
               "#include \"banned.h\"\n#include <x.h>\n");
    write_file(root, "include/mingle/store/notes.h",
               "#include \"mingle/calendar.h\"\n");
    write_file(root, "include/mingle/mail.h", "#include \"mingle/store.h\"\n");
    walk(&f, root, "src");
    walk(&f, root, "include");
    assert_int_equal(f.n, 7);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void test_mingle_keeps_its_layers(void **state)
{
    struct findings f = {0, ""};

    (void)state;
    walk(&f, MINGLE_SOURCE_DIR, "src");
    walk(&f, MINGLE_SOURCE_DIR, "include");
    if (f.n)
        fail_msg("%d layering faults, the first: %s", f.n, f.first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_finds_faults),
        cmocka_unit_test(test_mingle_keeps_its_layers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
