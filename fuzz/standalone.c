/* fuzz/standalone.c - replays files and directories through
 * LLVMFuzzerTestOneInput, so every corpus is a regression test without
 * libFuzzer. Usage: fuzz-X FILE|DIR... ; TAP output, one line per file.
 * Without arguments (make check) it replays $TOP_SRCDIR/fuzz/corpus/fuzz-X/.
 * A missing path, a folder with no files in it (at any depth) or an
 * unreadable file is an error ("Bail out!" or "not ok", exit status 1): a
 * corpus that went missing must not pass as an empty run.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_run;
static int n_failed;

static void
run_file(const char *path)
{
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;

    if (!g_file_get_contents(path, &data, &len, &error)) {
        printf("not ok %d - %s: %s\n", ++n_run, path, error->message);
        n_failed++;
        g_error_free(error);
        return;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    printf("ok %d - %s\n", ++n_run, path);
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The number of files replayed under @path, or -1 when it cannot be
 * read. */
static int
run_path(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        GError *error = NULL;
        GDir *dir = g_dir_open(path, 0, &error);
        const char *name;
        GPtrArray *names;
        int n = 0;

        if (dir == NULL) {
            printf("not ok %d - %s: %s\n", ++n_run, path, error->message);
            n_failed++;
            g_error_free(error);
            return -1;
        }
        names = g_ptr_array_new_with_free_func(g_free);
        while ((name = g_dir_read_name(dir)) != NULL)
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
        g_dir_close(dir);
        /* the same order on every run and file system */
        g_ptr_array_sort(names, cmp_names);
        for (guint i = 0; i < names->len; i++) {
            int m = run_path(names->pdata[i]);
            if (m > 0)
                n += m;
        }
        g_ptr_array_unref(names);
        return n;
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        printf("not ok %d - %s: no such file or folder\n", ++n_run, path);
        n_failed++;
        return -1;
    }
    run_file(path);
    return 1;
}

/* Replays @path, which must hold at least one file. */
static void
run_corpus(const char *path)
{
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        printf("Bail out! %s: no such corpus file or folder\n", path);
        exit(1);
    }
    if (run_path(path) == 0) {
        printf("Bail out! %s: the corpus folder has no files\n", path);
        exit(1);
    }
}

int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("TOP_SRCDIR");
    if (argc < 2) {
        /* under make check: replay fuzz/corpus/<program name> (libtool's
         * wrapper runs the binary as lt-<name>) */
        char *base = g_path_get_basename(argv[0]);
        const char *name = g_str_has_prefix(base, "lt-") ? base + 3 : base;
        char *dir = g_build_filename(srcdir ? srcdir : ".", "fuzz", "corpus",
                                     name, NULL);
        run_corpus(dir);
        g_free(dir);
        g_free(base);
    } else {
        for (int i = 1; i < argc; i++)
            run_corpus(argv[i]);
    }
    printf("1..%d\n", n_run);
    return n_failed > 0 ? 1 : 0;
}
