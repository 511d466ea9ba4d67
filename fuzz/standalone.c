/* fuzz/standalone.c - replays files and directories through
 * LLVMFuzzerTestOneInput, so every corpus is a regression test without
 * libFuzzer. Usage: fuzz-X FILE|DIR... ; TAP output, one line per file.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_run;

static void
run_file(const char *path)
{
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;

    if (!g_file_get_contents(path, &data, &len, &error)) {
        printf("not ok %d - %s: %s\n", ++n_run, path, error->message);
        g_error_free(error);
        return;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    printf("ok %d - %s\n", ++n_run, path);
}

static void
run_path(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        GDir *dir = g_dir_open(path, 0, NULL);
        const char *name;
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        if (dir == NULL)
            return;
        while ((name = g_dir_read_name(dir)) != NULL)
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
        g_dir_close(dir);
        for (guint i = 0; i < names->len; i++)
            run_path(names->pdata[i]);
        g_ptr_array_unref(names);
    } else {
        run_file(path);
    }
}

int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("TOP_SRCDIR");
    if (argc < 2) {
        /* under make check: replay fuzz/corpus/<program name> */
        char *base = g_path_get_basename(argv[0]);
        char *dir = g_build_filename(srcdir ? srcdir : ".", "fuzz", "corpus",
                                     base, NULL);
        run_path(dir);
        g_free(dir);
        g_free(base);
    } else {
        for (int i = 1; i < argc; i++)
            run_path(argv[i]);
    }
    if (n_run == 0)
        printf("1..0 # SKIP empty corpus\n");
    else
        printf("1..%d\n", n_run);
    return 0;
}
