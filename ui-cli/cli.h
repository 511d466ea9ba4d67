/* ui-cli/cli.h - subcommands of the sealcall program.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <sealcall/call.h>

/* Exit statuses shared by every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* `sealcall serve [--host H] [--port N]`; argv[0] is "serve". */
int cli_serve_main(int argc, char **argv);
/* `sealcall call|answer --signal URL [...]`; argv[0] is "call" or "answer". */
int cli_call_main(int argc, char **argv);

/* `sealcall keys list|forget ORIGIN`; argv[0] is "keys". */
int cli_keys_main(int argc, char **argv);

/* `sealcall inspect [--call PID] [--watch] [--json]`; argv[0] is
 * "inspect" (cmd-inspect.c). */
int cli_inspect_main(int argc, char **argv);

/* `sealcall idp [...]` and `sealcall idp adduser`; argv[0] is "idp". */
int cli_idp_main(int argc, char **argv);

/* Whether the default main context fires timers within about 0.1 ms of
 * their time (on) or GLib's own way, up to 1 ms late (off); see poll.c. */
void cli_set_precise_timers(int on);

/* Text a peer controls (chat, labels, bye reasons, identities, error
 * details and log lines that quote it), made safe to print on a terminal: C0 and C1
 * control characters, DEL (so every escape sequence), bidi marks and
 * overrides and U+2028/U+2029 are shown as \xHH or \uHHHH, bytes that
 * are not UTF-8 (and NUL) as \xHH; newlines are kept only when
 * @keep_newlines. At most @max_bytes of @s are shown, then a marker says
 * how many were left out. @len -1: @s is NUL-terminated. Returns a new
 * string (g_free), NULL for NULL. */
char *cli_sanitize(const char *s, long len, unsigned long max_bytes,
                   int keep_newlines);

/* How much of a peer's string is shown: chat text and binary messages,
 * and everything else (labels, reasons, details). */
#define CLI_SHOW_MESSAGE_MAX 4096
#define CLI_SHOW_FIELD_MAX 256
/* and of a log line on stderr */
#define CLI_SHOW_LOG_MAX 16384

/* ---- privacy (ui-cli/privacy-cli.c) ---- */
#include <glib.h>
#include <sealcall/sealcall.h>

/* The options of `call`/`answer` that a privacy profile decides, with the
 * names of interop contract section 5. The command line fills them
 * (NULL/FALSE: not given); cli_privacy_decide() replaces them with the
 * values in effect. */
typedef struct {
    gboolean relay_only;
    char *ip_handling;        /* "all" / "default-route" / "relay-only" */
    char *key_scope;          /* "per-call" / "per-origin" */
    gboolean defer_ice;
    char *disclose_identity;  /* "none" / "pseudonym" / "full" */
    gboolean require_unlinkable;
    gboolean refuse_anonymous;
    gboolean refuse_unlinkable;
    /* the privacy options themselves */
    char *config;             /* --privacy-config FILE */
    gboolean override;        /* --privacy-override */
    char *asked;              /* "field=value ..." the command line asked */
    char *ruled;              /* "field=value ..." of the rule's profile */
    ScPrivacyDecision *decision;
    /* peer policy (issue 14 point 8) */
    char *contacts;           /* --contacts FILE; NULL: the default */
    gboolean only_verified;   /* --only-verified */
    ScPrivacyRules *rules;    /* until handed to the call */
} CliPrivacy;

/* Adds --privacy-config, --privacy-override and --require-unlinkable. */
void cli_privacy_add_options(GOptionContext *octx, CliPrivacy *p);
/* Reads the rules, picks the rule for @signal_url, combines it with the
 * command line and fills @p. FALSE with a one-line @error. */
gboolean cli_privacy_decide(CliPrivacy *p, const char *signal_url,
                            gboolean answering, GError **error);
/* The one place where each field of the profile reaches the call; refuses
 * (FALSE, @error) a field whose capability is not built. */
gboolean cli_privacy_apply(ScCall *call, CliPrivacy *p,
                           gboolean answering, GError **error);
/* Tells the user which rule applied, why, and what the call reveals:
 * lines on stderr, or a `privacy` event on stdout with @json. */
void cli_privacy_announce(const CliPrivacy *p, gboolean answering,
                          gboolean json);
/* `{"cmd":"privacy","relay_only":B}` and `/privacy direct|relay-only`:
 * sc_call_change_relay_only(), except that a change to direct candidates
 * is refused (FALSE, @error) when the privacy rule or
 * --require-unlinkable insists on relay-only, unless --privacy-override
 * was given. */
gboolean cli_privacy_change(ScCall *call, const CliPrivacy *p,
                            gboolean relay_only, GError **error);
/* What such a change reveals, one line for the user. */
const char *cli_privacy_change_text(gboolean relay_only);
void cli_privacy_clear(CliPrivacy *p);
/* --idp against the profile's disclose_identity: "none" (a rule's)
 * refuses it, "pseudonym" needs --identity-hint pseudonym (sealcall idp's
 * pseudonyms). FALSE with @error. */
gboolean cli_privacy_check_idp(const CliPrivacy *p, const char *idp,
                               const char *hint, GError **error);
/* The contacts file in use (--contacts, else the default); g_free(). */
char *cli_contacts_path(const CliPrivacy *p);
/* `/allow`, {"cmd":"allow"}: the verified peer is added to the contacts
 * file; a line for the user in @text. */
gboolean cli_contacts_allow(ScCall *call, const CliPrivacy *p, char **text,
                            GError **error);
/* `sealcall contacts list|add|remove` (cmd-contacts.c) */
int cli_contacts_main(int argc, char **argv);
/* A privacy event (the decision made again with the peer's identity) on
 * a terminal. */
void cli_privacy_show(const ScCallEvent *ev);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CliPrivacy, cli_privacy_clear)
/* defer.c: `answer --defer-ice` on a terminal. Prints an `incoming`
 * event (sanitised) and the question "accept? [y/N]"; @line is the
 * user's answer: "y" or "yes" accepts, anything else declines. */
void cli_defer_show_incoming(const ScCallEvent *ev);
gboolean cli_defer_answer(ScCall *call, const char *line, GError **error);
/* identity-cli.c: the identity options (contract section 5) and the
 * `identity` event on a terminal */
gboolean cli_identity_apply(ScCall *call, const char *idp,
                            const char *protocol, const char *hint,
                            const char *peer_identity, char **trust_idp,
                            GError **error);
/* --ca was given (an X.509 identity may follow an IdP "none"). */
void cli_identity_expect_x509(gboolean on);
void cli_identity_show(const ScCallEvent *ev);

#endif
