/* ui-cli/cmd-keys.c - `sealcall keys list` and `sealcall keys forget
 * ORIGIN`: the per-origin DTLS key store of `--key-scope per-origin`
 * (include/sealcall/keys.h). Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
    g_autofree char *dir = sc_key_store_get_default_dir();

    fprintf(out,
            "Usage: sealcall keys list\n"
            "       sealcall keys forget ORIGIN\n"
            "\n"
            "The per-origin DTLS keys of 'sealcall call|answer --key-scope "
            "per-origin',\nkept in %s (XDG_DATA_HOME).\n"
            "\n"
            "  list            one line per key: origin, sha-256 (or the "
            "certificate's\n"
            "                  hash) fingerprint, when the key was made, when "
            "its\n"
            "                  certificate expires (renewed over the same key "
            "30 days\n"
            "                  before, which changes the fingerprint)\n"
            "  forget ORIGIN   remove the key of ORIGIN (ws://HOST[:PORT], "
            "wss://..., or\n"
            "                  the signal URL): the next per-origin call there "
            "makes a new one\n"
            "\n"
            "Exit status: 0 done; 1 the store cannot be read or written, or "
            "forget found\nno key for ORIGIN; 2 usage errors (also an ORIGIN "
            "that is not a ws:// or\nwss:// origin).\n",
            dir);
}

static char *
format_time(gint64 t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

    return dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ")
                      : g_strdup("?");
}

static void
print_entry(const char *origin, const char *fingerprint, gint64 created,
            gint64 expires, const char *path, const char *problem,
            gpointer user_data)
{
    guint *n = user_data;

    (void)path; /* a problem's message names the file */
    (*n)++;
    if (problem != NULL) {
        g_autofree char *safe =
            cli_sanitize(problem, -1, CLI_SHOW_MESSAGE_MAX, FALSE);
        printf("unusable  %s\n", safe);
        return;
    }
    /* read back from a file: escaped like anything else not ours */
    g_autofree char *safe_origin =
        cli_sanitize(origin, -1, CLI_SHOW_FIELD_MAX, FALSE);
    g_autofree char *c = format_time(created);
    g_autofree char *e = format_time(expires);
    printf("%s  %s  created %s  expires %s\n", safe_origin, fingerprint, c,
           e);
}

int
cli_keys_main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "list") == 0) {
        guint n = 0;
        if (argc != 2) {
            fprintf(stderr, "sealcall keys list: unexpected argument '%s'\n",
                    argv[2]);
            return CLI_EXIT_USAGE;
        }
        if (!sc_key_store_foreach(NULL, print_entry, &n, &error)) {
            fprintf(stderr, "sealcall keys list: %s\n", error->message);
            return CLI_EXIT_FAILURE;
        }
        if (n == 0) {
            g_autofree char *dir = sc_key_store_get_default_dir();
            printf("no per-origin keys in %s\n", dir);
        }
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "forget") == 0) {
        gboolean removed = FALSE;
        if (argc != 3) {
            fprintf(stderr, "sealcall keys forget: give one ORIGIN "
                            "(ws://HOST[:PORT] or wss://HOST[:PORT])\n");
            return CLI_EXIT_USAGE;
        }
        g_autofree char *safe =
            cli_sanitize(argv[2], -1, CLI_SHOW_FIELD_MAX, FALSE);
        g_autofree char *origin = sc_key_origin_normalize(argv[2], &error);
        if (origin == NULL) {
            g_autofree char *why =
                cli_sanitize(error->message, -1, CLI_SHOW_FIELD_MAX, FALSE);
            fprintf(stderr, "sealcall keys forget: '%s': %s\n", safe, why);
            return CLI_EXIT_USAGE;
        }
        if (!sc_key_store_forget(NULL, origin, &removed, &error)) {
            fprintf(stderr, "sealcall keys forget: %s\n", error->message);
            return CLI_EXIT_FAILURE;
        }
        if (!removed) {
            fprintf(stderr, "sealcall keys forget: no key for %s\n", origin);
            return CLI_EXIT_FAILURE;
        }
        printf("forgot the key of %s\n", origin);
        return CLI_EXIT_OK;
    }
    {
        g_autofree char *safe =
            cli_sanitize(argv[1], -1, CLI_SHOW_FIELD_MAX, FALSE);
        fprintf(stderr,
                "sealcall keys: unknown subcommand '%s' (list or forget)\n",
                safe);
    }
    return CLI_EXIT_USAGE;
}
