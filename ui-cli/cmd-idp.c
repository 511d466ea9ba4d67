/* ui-cli/cmd-idp.c - `sealcall idp`: run the reference identity provider
 * (sealcall/idp.h) until SIGINT or SIGTERM, and `sealcall idp adduser`,
 * which adds a user and a password hash to a users file. Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <sealcall/sealcall.h>

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define IDP_DEFAULT_HOST "127.0.0.1"
#define IDP_DEFAULT_PORT 8443

static int
usage_error(const char *sub, const char *message)
{
    fprintf(stderr, "sealcall idp%s%s: %s (see sealcall idp%s%s --help)\n",
            sub != NULL ? " " : "", sub != NULL ? sub : "", message,
            sub != NULL ? " " : "", sub != NULL ? sub : "");
    return CLI_EXIT_USAGE;
}

static gboolean
on_stop_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

/* Reads one line (the password) from stdin, without echo on a terminal.
 * NULL at end of input. */
static char *
read_password(void)
{
    struct termios old, quiet;
    gboolean tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    char buf[1100];
    char *line;

    if (tty) {
        fputs("password: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    line = fgets(buf, sizeof buf, stdin);
    if (tty) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (line == NULL)
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    line = g_strdup(buf);
    memset(buf, 0, sizeof buf);
    return line;
}

/* Whether @path already lists @name. */
static gboolean
users_file_has(const char *path, const char *name)
{
    g_autofree char *data = NULL;
    g_autofree char *prefix = g_strconcat(name, ":", NULL);

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return FALSE;
    if (g_str_has_prefix(data, prefix))
        return TRUE;
    {
        g_autofree char *nl = g_strconcat("\n", prefix, NULL);
        return strstr(data, nl) != NULL;
    }
}

static int
adduser_main(int argc, char **argv)
{
    g_autofree char *users = NULL;
    const GOptionEntry entries[] = {
        {"users", 0, 0, G_OPTION_ARG_FILENAME, &users,
         "the users file (made, mode 0600, when it does not exist)", "FILE"},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *password = NULL;
    g_autofree char *hash = NULL;
    g_autofree char *line = NULL;
    const char *name;
    int fd;
    ssize_t n;

    octx = g_option_context_new("NAME - add a user to an IdP users file");
    g_option_context_set_summary(
        octx,
        "Reads the password from stdin (one line; not echoed on a terminal)\n"
        "and appends \"NAME:HASH\" to the users file (scrypt, see the "
        "README).\nNAME: 1 to 64 of a-z 0-9 . _ -, not starting with "
        "\"p-\", not \"pseudonym\".");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error))
        return usage_error("adduser", error->message);
    if (users == NULL)
        return usage_error("adduser", "--users FILE is required");
    if (argc != 2)
        return usage_error("adduser", "give exactly one user NAME");
    name = argv[1];
    if (!sc_idp_user_name_is_valid(name))
        return usage_error("adduser", "bad user NAME");
    if (users_file_has(users, name)) {
        fprintf(stderr, "sealcall idp adduser: %s is already in %s\n", name,
                users);
        return CLI_EXIT_FAILURE;
    }
    password = read_password();
    if (password == NULL) {
        fputs("sealcall idp adduser: no password on stdin\n", stderr);
        return CLI_EXIT_FAILURE;
    }
    hash = sc_idp_hash_password(password, &error);
    memset(password, 0, strlen(password));
    if (hash == NULL) {
        fprintf(stderr, "sealcall idp adduser: %s\n", error->message);
        return CLI_EXIT_FAILURE;
    }
    fd = open(users, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
              0600);
    if (fd < 0) {
        fprintf(stderr, "sealcall idp adduser: %s: %s\n", users,
                g_strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    line = g_strdup_printf("%s:%s\n", name, hash);
    n = write(fd, line, strlen(line));
    if (close(fd) != 0 || n != (ssize_t)strlen(line)) {
        fprintf(stderr, "sealcall idp adduser: cannot write %s\n", users);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int
cli_idp_main(int argc, char **argv)
{
    g_autofree char *host = NULL;
    g_autofree char *port_str = NULL;
    g_autofree char *domain = NULL;
    g_autofree char *cert = NULL;
    g_autofree char *key = NULL;
    g_autofree char *users = NULL;
    g_autofree char *signing_key = NULL;
    g_autofree char *lifetime_str = NULL;
    gboolean verbose = FALSE;
    const GOptionEntry entries[] = {
        {"host", 0, 0, G_OPTION_ARG_STRING, &host,
         "IP address to listen on (default " IDP_DEFAULT_HOST ")", "ADDR"},
        {"port", 0, 0, G_OPTION_ARG_STRING, &port_str,
         "TCP port, 0 for any free port (default 8443)", "N"},
        {"domain", 0, 0, G_OPTION_ARG_STRING, &domain,
         "the domain the IdP speaks for: identities are USER@DOMAIN "
         "(required)", "DOMAIN"},
        {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
         "PEM certificate of the HTTPS server (required)", "FILE"},
        {"key", 0, 0, G_OPTION_ARG_FILENAME, &key,
         "PEM private key of --cert, mode 0600 (required)", "FILE"},
        {"users", 0, 0, G_OPTION_ARG_FILENAME, &users,
         "users file: NAME:HASH lines (sealcall idp adduser) (required)",
         "FILE"},
        {"signing-key", 0, 0, G_OPTION_ARG_FILENAME, &signing_key,
         "PEM ECDSA P-256 key that signs assertions, mode 0600; made when "
         "it does not exist (required)", "FILE"},
        {"assertion-lifetime", 0, 0, G_OPTION_ARG_STRING, &lifetime_str,
         "seconds an assertion is valid, 1 to 3600 (default 300)", "S"},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
         "log logins and assertions (never passwords, cookies or keys)",
         NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    guint64 port = IDP_DEFAULT_PORT;
    guint64 lifetime = SC_IDP_DEFAULT_ASSERTION_LIFETIME;
    ScIdpServerConfig config = {0};
    GMainLoop *loop;
    ScIdpServer *idp;
    guint sigint_id, sigterm_id;

    if (argc >= 2 && strcmp(argv[1], "adduser") == 0)
        return adduser_main(argc - 1, argv + 1);

    octx = g_option_context_new("[adduser] - run the reference identity "
                                "provider");
    g_option_context_set_summary(
        octx,
        "An HTTPS identity provider (RFC 8827 §7, W3C Identity for WebRTC)\n"
        "for --domain: users log in at https://DOMAIN:N/login; the IdP\n"
        "proxies are at /.well-known/idp-proxy/default (W3C register API)\n"
        "and /.well-known/idp-proxy/seed (the SIGN/VERIFY message\n"
        "protocol); assertions are ES256 JWS, the key at\n"
        "/.well-known/jwks.json. A username hint \"pseudonym\" asks for a\n"
        "pseudonym: p-XXXX@DOMAIN, the same for one user and one calling\n"
        "origin, different across origins. See the README.\n"
        "Once listening, prints one line on stdout:\n"
        "  {\"event\":\"listening\",\"port\":N,\"kid\":KEYID}\n"
        "SIGINT or SIGTERM stops it (exit 0).\n"
        "`sealcall idp adduser --users FILE NAME` adds a user (password on "
        "stdin).");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error))
        return usage_error(NULL, error->message);
    if (argc > 1) {
        g_autofree char *msg =
            g_strdup_printf("unexpected argument \"%s\"", argv[1]);
        return usage_error(NULL, msg);
    }
    if (domain == NULL || cert == NULL || key == NULL || users == NULL ||
        signing_key == NULL)
        return usage_error(NULL, "--domain, --cert, --key, --users and "
                                 "--signing-key are required");
    if (port_str != NULL &&
        !g_ascii_string_to_unsigned(port_str, 10, 0, 65535, &port, NULL))
        return usage_error(NULL, "--port must be a number from 0 to 65535");
    if (lifetime_str != NULL &&
        !g_ascii_string_to_unsigned(lifetime_str, 10, 1, 3600, &lifetime,
                                    NULL))
        return usage_error(NULL, "--assertion-lifetime must be a number "
                                 "from 1 to 3600");
    if (verbose)
        sc_log_set_level(SC_LOG_LEVEL_INFO);

    config.host = host != NULL ? host : IDP_DEFAULT_HOST;
    config.port = (guint16)port;
    config.domain = domain;
    config.tls_cert_file = cert;
    config.tls_key_file = key;
    config.users_file = users;
    config.signing_key_file = signing_key;
    config.assertion_lifetime = (guint)lifetime;
    idp = sc_idp_server_new(NULL, &config, &error);
    if (idp == NULL) {
        if (g_error_matches(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT))
            return usage_error(NULL, error->message);
        fprintf(stderr, "sealcall idp: %s\n", error->message);
        return CLI_EXIT_FAILURE;
    }

    loop = g_main_loop_new(NULL, FALSE);
    sigint_id = g_unix_signal_add(SIGINT, on_stop_signal, loop);
    sigterm_id = g_unix_signal_add(SIGTERM, on_stop_signal, loop);
    /* the key id is base64url: nothing to escape */
    printf("{\"event\":\"listening\",\"port\":%u,\"kid\":\"%s\"}\n",
           (unsigned)sc_idp_server_get_port(idp), sc_idp_server_get_key_id(idp));
    fflush(stdout);
    g_main_loop_run(loop);
    g_source_remove(sigint_id);
    g_source_remove(sigterm_id);
    sc_idp_server_free(idp);
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_main_loop_unref(loop);
    return CLI_EXIT_OK;
}
