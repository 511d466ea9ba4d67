/* ui-cli/main.c - the sealcall terminal program: subcommand dispatch.
 * Built against the public API only (include/sealcall).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

/* Every GLib-logged message of the libraries under us (libnice, libsoup,
 * GStreamer, GLib itself) goes to stderr: GLib's default writer sends
 * debug, info and message levels to stdout, which in --json mode carries
 * only our events (interop contract section 3). G_MESSAGES_DEBUG still
 * decides what is shown. Secrets are withheld by the library itself
 * (sealcall/log.h): libnice's messages that show an ICE password reach us
 * already withheld. */
static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
           gpointer user_data)
{
    const char *domain = NULL;
    g_autofree char *line = NULL;
    g_autofree char *safe = NULL;

    (void)user_data;
    for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0 &&
            fields[i].length < 0)
            domain = fields[i].value;
    if (g_log_writer_default_would_drop(level, domain))
        return G_LOG_WRITER_HANDLED;
    line = g_log_writer_format_fields(level, fields, n_fields, FALSE);
    /* messages may quote what the peer sent: no raw control characters */
    safe = cli_sanitize(line, -1, CLI_SHOW_LOG_MAX, FALSE);
    fprintf(stderr, "%s\n", safe);
    fflush(stderr);
    return G_LOG_WRITER_HANDLED;
}

static void
usage(FILE *out)
{
    fprintf(out,
            "sealcall %s - a native WebRTC secure-call endpoint\n"
            "\n"
            "Usage: sealcall COMMAND [OPTIONS]\n"
            "\n"
            "Commands:\n"
            "  serve     run a signaling relay (WebSocket rooms, "
            "ws://HOST:PORT/room/NAME)\n"
            "  call      call the peer in a relay room (sends the offer)\n"
            "  answer    wait in a relay room and answer the peer's offer\n"
            "  idp       run the reference identity provider (HTTPS, "
            "ES256 assertions)\n"
            "  inspect   print the security inspector report of a call "
            "running in another\n"
            "            terminal (--watch: follow it)\n"
            "  keys      list or forget the per-origin DTLS keys "
            "(--key-scope per-origin)\n"
            "  contacts  list, add or remove the verified users you allow "
            "(--only-verified)\n"
            "  version   print the version\n"
            "\n"
            "Run 'sealcall COMMAND --help' for the options of a command.\n"
            "Example, in three terminals:\n"
            "  sealcall serve --port 8800\n"
            "  sealcall answer --signal ws://127.0.0.1:8800/room/demo\n"
            "  sealcall call   --signal ws://127.0.0.1:8800/room/demo\n",
            sc_version_string());
}

int
main(int argc, char **argv)
{
    const char *cmd;

    g_log_set_writer_func(log_writer, NULL, NULL);
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("sealcall %s\n", sc_version_string());
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "serve") == 0 || strcmp(cmd, "call") == 0 ||
        strcmp(cmd, "answer") == 0 || strcmp(cmd, "idp") == 0) {
        /* GLib names the program in "Usage:" lines and in log lines */
        g_autofree char *prgname = g_strdup_printf("sealcall %s", cmd);
        g_set_prgname(prgname);
    }
    if (strcmp(cmd, "serve") == 0)
        return cli_serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "call") == 0 || strcmp(cmd, "answer") == 0)
        return cli_call_main(argc - 1, argv + 1);
    if (strcmp(cmd, "idp") == 0)
        return cli_idp_main(argc - 1, argv + 1);
    if (strcmp(cmd, "keys") == 0)
        return cli_keys_main(argc - 1, argv + 1);
    if (strcmp(cmd, "inspect") == 0)
        return cli_inspect_main(argc - 1, argv + 1);
    if (strcmp(cmd, "contacts") == 0)
        return cli_contacts_main(argc - 1, argv + 1);
    fprintf(stderr, "sealcall: unknown command '%s' (try 'sealcall --help')\n",
            cmd);
    return CLI_EXIT_USAGE;
}
