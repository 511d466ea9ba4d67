/* ui-cli/cmd-contacts.c - `sealcall contacts list|add|remove`: the
 * contacts file (verified identities whose calls `answer --only-verified`
 * lets through and `not_in_contacts` rules do not match). Public API
 * only; the file's lines are the user's, sanitized anyway.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

int
cli_contacts_main(int argc, char **argv)
{
    g_autofree char *file = NULL;
    GOptionEntry entries[] = {
        {"file", 0, 0, G_OPTION_ARG_FILENAME, &file,
         "contacts file (default $XDG_CONFIG_HOME/sealcall/contacts)",
         "FILE"},
        {NULL},
    };
    g_autoptr(GOptionContext) octx =
        g_option_context_new("list | add USER@DOMAIN | remove USER@DOMAIN");
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    const char *verb;

    g_option_context_set_summary(
        octx, "The verified users you allow to call you (answer "
              "--only-verified; privacy rules' not_in_contacts).\nThe "
              "file has one user@domain a line, mode 0600, rewritten "
              "atomically; at most 1024.");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "sealcall contacts: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    verb = argc > 1 ? argv[1] : NULL;
    if (verb == NULL ||
        (strcmp(verb, "list") == 0 ? argc != 2
         : strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0
             ? argc != 3
             : TRUE)) {
        fprintf(stderr, "usage: sealcall contacts [--file FILE] list | add "
                        "USER@DOMAIN | remove USER@DOMAIN\n");
        return CLI_EXIT_USAGE;
    }
    path = file != NULL ? g_strdup(file) : sc_privacy_contacts_default_path();
    if (strcmp(verb, "list") == 0) {
        g_auto(GStrv) list = sc_privacy_contacts_load(path, &error);
        if (list == NULL) {
            g_autofree char *safe =
                cli_sanitize(error->message, -1, CLI_SHOW_LOG_MAX, FALSE);
            fprintf(stderr, "sealcall contacts: %s\n", safe);
            return CLI_EXIT_FAILURE;
        }
        for (guint i = 0; list[i] != NULL; i++) {
            g_autofree char *safe =
                cli_sanitize(list[i], -1, CLI_SHOW_FIELD_MAX, FALSE);
            printf("%s\n", safe);
        }
        return CLI_EXIT_OK;
    }
    {
        gboolean changed = FALSE;
        gboolean add = strcmp(verb, "add") == 0;
        gboolean ok = add ? sc_privacy_contacts_add(path, argv[2], &changed,
                                                     &error)
                          : sc_privacy_contacts_remove(path, argv[2],
                                                       &changed, &error);
        g_autofree char *who =
            cli_sanitize(argv[2], -1, CLI_SHOW_FIELD_MAX, FALSE);
        if (!ok) {
            g_autofree char *safe =
                cli_sanitize(error->message, -1, CLI_SHOW_LOG_MAX, FALSE);
            fprintf(stderr, "sealcall contacts: %s\n", safe);
            return g_error_matches(error, SC_ERROR,
                                   SC_ERROR_INVALID_ARGUMENT) &&
                           strchr(argv[2], '@') == NULL
                       ? CLI_EXIT_USAGE
                       : CLI_EXIT_FAILURE;
        }
        if (add)
            printf("%s %s\n", who, changed ? "added" : "was already a contact");
        else
            printf("%s %s\n", who, changed ? "removed" : "was not a contact");
    }
    return CLI_EXIT_OK;
}
