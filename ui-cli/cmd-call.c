/* ui-cli/cmd-call.c - `sealcall call` and `sealcall answer`: one call
 * through a signaling relay, interactive or scripted (--json, interop
 * contract section 3). Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

static gboolean
on_grace_over(gpointer data)
{
    Cli *cli = data;
    cli->grace_id = 0;
    g_main_loop_quit(cli->loop);
    return G_SOURCE_REMOVE;
}

static void
on_event(ScCall *call, const ScCallEvent *ev, gpointer data)
{
    Cli *cli = data;
    ScCallEventKind kind = sc_call_event_get_kind(ev);
    const char *state = sc_call_event_get_string(ev, "state");

    if (kind == SC_CALL_EVENT_ENDED)
        cli_report_undelivered(cli);
    cli_control_notify(cli->control, ev);
    cli->deciding = kind == SC_CALL_EVENT_INCOMING ||
                    (cli->deciding && kind != SC_CALL_EVENT_ENDED);
    if (cli->json) {
        g_autofree char *line = sc_call_event_to_json(ev);
        cli_print_line(line);
    } else {
        cli_show_event(cli, ev);
    }
    /* ICE checks are paced by a timer every Ta: keep timers precise while
     * they run (ui-cli/poll.c), GLib's own way otherwise. */
    if (kind == SC_CALL_EVENT_ICE)
        cli_set_precise_timers(
            g_strcmp0(state, "checking") == 0);
    else if (kind == SC_CALL_EVENT_ENDED)
        cli_set_precise_timers(FALSE);
    if (kind == SC_CALL_EVENT_ENDED) {
        ScEndReason r = sc_call_event_get_end_reason(ev);
        cli->ended = TRUE;
        cli->exit_status = (r == SC_END_REASON_HANGUP || r == SC_END_REASON_BYE)
                               ? CLI_EXIT_OK
                               : CLI_EXIT_FAILURE;
        /* Let the bye and the WebSocket close go out: quit when signaling
         * reports closed, or after at most two seconds. */
        cli->grace_id = g_timeout_add(2000, on_grace_over, cli);
    } else if (kind == SC_CALL_EVENT_SIGNALING && cli->ended &&
               g_strcmp0(state, "closed") == 0) {
        g_main_loop_quit(cli->loop);
    } else if (kind == SC_CALL_EVENT_CHANNEL) {
        const char *label = sc_call_event_get_string(ev, "label");
        /* only labels we sent on: the peer's choice of labels and their
         * number must not grow this table */
        if (label != NULL && cli_sent_on_label(cli, label))
            g_hash_table_insert(cli->seen, g_strdup(label),
                                GINT_TO_POINTER(g_strcmp0(state, "closed") == 0
                                                    ? SEEN_CLOSED
                                                    : SEEN_OPEN));
    } else if (kind == SC_CALL_EVENT_BENCH &&
               g_strcmp0(sc_call_event_get_string(ev, "role"), "sender") ==
                   0) {
        cli->bench_running = FALSE;
    }
    cli_finish_then_hang_up(cli);
}

static gboolean
on_signal(gpointer data)
{
    Cli *cli = data;
    if (!cli->ended)
        sc_call_hangup(cli->call);
    else
        g_main_loop_quit(cli->loop);
    return G_SOURCE_CONTINUE;
}

static void
log_to_stderr(ScLogLevel level, const char *module, const char *message,
              gpointer user_data)
{
    static const char *const names[] = {"error", "warn", "info", "debug",
                                        "trace"};
    gint64 now = g_get_monotonic_time();
    /* log lines quote what the peer sent (candidates, labels, reasons) */
    g_autofree char *safe = cli_sanitize(message, -1, CLI_SHOW_LOG_MAX, FALSE);

    (void)user_data;
    /* microseconds: the log is also how setup time is taken apart */
    fprintf(stderr, "%" G_GINT64_FORMAT ".%06d sealcall[%s] %s: %s\n",
            now / 1000000 % 10000, (int)(now % 1000000), module,
            (guint)level < G_N_ELEMENTS(names) ? names[level] : "?", safe);
}

int
cli_call_main(int argc, char **argv)
{
    gboolean offerer = strcmp(argv[0], "call") == 0;
    g_autofree char *signal_url = NULL;
    g_autofree char *stun = NULL;
    g_auto(GStrv) addresses = NULL;
    gboolean json = FALSE, plain = FALSE;
    gboolean verbose = FALSE;
    gboolean no_audio = FALSE, no_video = FALSE, play = FALSE, no_play = FALSE;
    g_autofree char *audio_src = NULL, *video_src = NULL, *record = NULL;
    /* identity (contract section 5) */
    g_autofree char *idp = NULL, *idp_protocol = NULL, *hint = NULL;
    g_autofree char *peer_identity = NULL, *ca = NULL;
    g_auto(GStrv) turns = NULL;
    g_autofree char **orig_argv = g_memdup2(argv, sizeof *argv * (argc + 1));
    int argc_orig = argc;
    gboolean parsed;
    g_autofree char *cert = NULL;
    g_auto(GStrv) trust_idp = NULL;
    /* relay_only, key_scope, defer_ice, ip_handling: privacy-cli.c */
    g_auto(CliPrivacy) priv = {0};
    gint ice_max_pairs = -1, accept_timeout = G_MININT;
    gboolean mdns = FALSE;
    GOptionEntry entries[] = {
        {"signal", 's', 0, G_OPTION_ARG_STRING, &signal_url,
         "signaling relay room (required)", "ws://HOST:PORT/room/NAME"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         "scripted mode: JSON events on stdout, JSON commands on stdin", NULL},
        {"plain", 0, 0, G_OPTION_ARG_NONE, &plain,
         "on a terminal, print lines instead of the full-screen view", NULL},
        {"stun", 0, 0, G_OPTION_ARG_STRING, &stun, "STUN server",
         "HOST:PORT"},
        {"ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &addresses,
         "gather ICE host candidates only on this local address "
         "(repeatable; default: all interfaces)",
         "ADDR"},
        {"ip-handling", 0, 0, G_OPTION_ARG_STRING, &priv.ip_handling,
         "local addresses used and revealed (RFC 8828): all (mode 1, the "
         "default), default-route (mode 2: the default route's interface), "
         "default-route-only (mode 3: no host candidate signalled), "
         "relay-only (mode 4: the same as --relay-only; needs --turn)",
         "MODE"},
        {"mdns", 0, 0, G_OPTION_ARG_NONE, &mdns,
         "signal host candidates as fresh <uuid>.local mDNS names, "
         "published through avahi-daemon (the peer's are always resolved)",
         NULL},
        {"ice-max-pairs", 0, 0, G_OPTION_ARG_INT, &ice_max_pairs,
         "check at most N candidate pairs (RFC 8445 6.1.2.5; default 100)",
         "N"},
        {"no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio,
         "no audio (neither send nor receive)", NULL},
        {"no-video", 0, 0, G_OPTION_ARG_NONE, &no_video,
         "no video (neither send nor receive)", NULL},
        {"audio-src", 0, 0, G_OPTION_ARG_STRING, &audio_src,
         "GStreamer audio source (default: a 440 Hz sine)",
         "\"pulsesrc\""},
        {"video-src", 0, 0, G_OPTION_ARG_STRING, &video_src,
         "GStreamer video source (default: a test pattern)",
         "\"v4l2src\""},
        {"record", 0, 0, G_OPTION_ARG_FILENAME, &record,
         "write received media to FILE (Ogg/Opus, or WebM with video)",
         "FILE"},
        {"play", 0, 0, G_OPTION_ARG_NONE, &play,
         "play received audio (default when interactive)", NULL},
        {"no-play", 0, 0, G_OPTION_ARG_NONE, &no_play,
         "do not play received audio", NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
         "log protocol progress to stderr (SC_DEBUG=all for more)", NULL},
        {"idp", 0, 0, G_OPTION_ARG_STRING, &idp,
         "assert our identity with this IdP",
         "DOMAIN[:PORT]"},
        {"idp-protocol", 0, 0, G_OPTION_ARG_STRING, &idp_protocol,
         "IdP protocol (default: default)", "NAME"},
        {"identity-hint", 0, 0, G_OPTION_ARG_STRING, &hint,
         "username hint for the IdP", "USER"},
        {"peer-identity", 0, 0, G_OPTION_ARG_STRING, &peer_identity,
         "call only this verified peer: no media or data before its identity verifies", "USER@DOMAIN"},
        {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
         "extra trust anchors, PEM (turns: servers, IdPs, X.509 peer identities)", "FILE"},
        {"trust-idp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &trust_idp,
         "accept third-party assertions of IdP DOMAIN for identities in SUFFIX", "DOMAIN=SUFFIX"},
        {"relay-only", 0, 0, G_OPTION_ARG_NONE, &priv.relay_only,
         "TURN-only: only relay candidates, related addresses hidden "
         "(needs --turn)", NULL},
        {"turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turns,
         "TURN server (repeatable; turns: for TLS)",
         "turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]"},
        {"key-scope", 0, 0, G_OPTION_ARG_STRING, &priv.key_scope,
         "DTLS key pair: fresh for each call (default), or one per "
         "signaling origin kept in $XDG_DATA_HOME/sealcall/keys",
         "per-call|per-origin"},
        {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
         "DTLS certificate and its private key, both in this one PEM file "
         "(mode 0600; ECDSA P-256/P-384 or RSA >= 2048)",
         "FILE"},
        {"defer-ice", 0, 0, G_OPTION_ARG_NONE, &priv.defer_ice,
         "answerer: announce the call (event incoming) and reveal no "
         "address until it is accepted ({\"cmd\":\"accept\"}, or y at the "
         "prompt)", NULL},
        {"accept-timeout", 0, 0, G_OPTION_ARG_INT, &accept_timeout,
         "with --defer-ice: decline after S seconds without an answer "
         "(default 60; 0: wait forever)", "S"},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScEndpoint) ep = NULL;
    g_autoptr(GInputStream) stdin_stream = NULL;
    g_autofree char *summary = NULL;
    Cli cli = {0};
    int status;

    summary = g_strdup_printf(
        "%s\n\nEvents (--json): privacy signaling ice dtls channel message media "
        "bench inspector ended error incoming.\nCommands (--json, one JSON "
        "object per line): send {label,text|binary}, bench {bytes,chunk},\n  "
        "inspect, hangup, accept, decline (--defer-ice), allow,\n  privacy "
        "{relay_only} (mid-call: ICE restart allowing direct candidates, "
        "or back to relay-only),\n  media {kind,send} (stop or resume "
        "sending audio or video at once).\nInteractive: lines are chat; "
        "/inspect /bench /hangup /privacy direct|relay-only /allow\n  /mute "
        "audio|video, /unmute audio|video. On a terminal a full-screen\n"
        "view shows the call's security (--plain: lines).\n"
        "Exit status: 0 after hangup or bye, 1 when the call fails, 2 for "
        "usage errors.",
        offerer ? "Calls the peer in a relay room: sends the offer when the "
                  "room has two participants."
                : "Waits in a relay room and answers the peer's offer.");
    octx = g_option_context_new(NULL);
    g_option_context_set_summary(octx, summary);
    g_option_context_set_description(
        octx,
        "End of input (--json or not) means no more commands: what was asked "
        "is\ncarried out first (a message sent before the call is up goes "
        "once its\nchannel opens; a bench runs to its end), then the call is "
        "hung up.\nUntil then the call goes on; if it ends first, each "
        "channel whose\nmessages were not sent gets an error event.");
    g_option_context_add_main_entries(octx, entries, NULL);
    cli_privacy_add_options(octx, &priv);
    parsed = g_option_context_parse(octx, &argc, &argv, &error);
    cli_scrub_turn_args(argc_orig, orig_argv);
    if (!parsed) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        return CLI_EXIT_USAGE;
    }
    if (argc > 1) {
        fprintf(stderr, "sealcall %s: unexpected argument '%s'\n", argv[0],
                argv[1]);
        return CLI_EXIT_USAGE;
    }
    if ((idp_protocol != NULL || hint != NULL) && idp == NULL) {
        fprintf(stderr, "sealcall %s: --idp-protocol and --identity-hint "
                        "need --idp\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    if (signal_url == NULL) {
        fprintf(stderr, "sealcall %s: --signal ws://HOST:PORT/room/NAME is "
                        "required\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    if ((no_audio && audio_src != NULL) || (no_video && video_src != NULL)) {
        fprintf(stderr, "sealcall %s: --no-audio/--no-video contradict "
                        "--audio-src/--video-src\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    if (play && no_play) {
        fprintf(stderr, "sealcall %s: --play and --no-play contradict\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    /* -v raises the level to info; it must not lower SC_DEBUG=trace */
    if (verbose && g_strcmp0(g_getenv("SC_DEBUG"), "trace") != 0)
        sc_log_set_level(SC_LOG_LEVEL_INFO);
    sc_log_set_handler(log_to_stderr, NULL, NULL);

    ep = sc_endpoint_new(NULL, &error);
    if (ep == NULL) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        return CLI_EXIT_FAILURE;
    }
    cli.call = sc_call_new(ep, offerer ? SC_CALL_ROLE_OFFERER
                                       : SC_CALL_ROLE_ANSWERER,
                           &error);
    if (cli.call == NULL) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        return CLI_EXIT_FAILURE;
    }
    if (!sc_call_set_signal_url(cli.call, signal_url, &error) ||
        (stun != NULL && !sc_call_set_stun_server(cli.call, stun, &error)) ||
        (ice_max_pairs != -1 &&
         !sc_call_set_ice_max_pairs(
             cli.call, ice_max_pairs < 0 ? 0 : (guint)ice_max_pairs,
             &error)) ||
        !sc_call_set_media(cli.call, SC_MEDIA_TYPE_AUDIO, !no_audio,
                           audio_src, &error) ||
        !sc_call_set_media(cli.call, SC_MEDIA_TYPE_VIDEO, !no_video,
                           video_src, &error) ||
        !sc_call_set_record(cli.call, record, &error) ||
        !cli_add_addresses(cli.call, addresses, &error) ||
        !sc_call_set_mdns(cli.call, mdns, &error) ||
        !cli_add_turn_servers(cli.call, turns, ca, &error) ||
        !cli_identity_apply(cli.call, idp, idp_protocol, hint, peer_identity,
                            trust_idp, &error)) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    if (cert != NULL && priv.key_scope != NULL) {
        fprintf(stderr, "sealcall %s: --cert and --key-scope contradict (a "
                        "configured certificate is its own scope)\n",
                argv[0]);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* the privacy rule for this destination, with the command line,
     * applied and told to the user before anything is sent */
    if (!cli_privacy_decide(&priv, signal_url, !offerer, &error) ||
        !cli_privacy_apply(cli.call, &priv, !offerer, &error) ||
        !sc_call_set_privacy(cli.call, priv.decision, &error)) {
        /* quotes the privacy file, which may be someone else's */
        g_autofree char *safe =
            cli_sanitize(error->message, -1, CLI_SHOW_LOG_MAX, FALSE);
        fprintf(stderr, "sealcall %s: %s\n", argv[0], safe);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* the addresses of modes 2 and 3 are the default route's */
    if (addresses != NULL && (g_strcmp0(priv.ip_handling, "default-route") == 0 ||
                              g_strcmp0(priv.ip_handling,
                                        "default-route-only") == 0)) {
        fprintf(stderr, "sealcall %s: --ip-handling %s picks the addresses "
                        "itself: drop --ice-address\n",
                argv[0], priv.ip_handling);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* after the privacy decision: a rule may be what asks for relay-only */
    if (priv.relay_only &&
        ((turns == NULL || turns[0] == NULL) || stun != NULL)) {
        const char *rule = sc_privacy_decision_get(priv.decision, "rule");
        g_autofree char *who =
            strstr(priv.asked, "relay_only=true") != NULL
                ? g_strdup("--relay-only")
            : strstr(priv.asked, "require_unlinkable=true") != NULL ||
                    rule == NULL
                ? g_strdup("--require-unlinkable (it implies relay-only)")
                : g_strdup_printf("privacy rule '%s' asks for "
                                  "relay_only=true, which",
                                  rule);
        g_autofree char *safe = cli_sanitize(who, -1, CLI_SHOW_LOG_MAX, FALSE);
        if (turns == NULL || turns[0] == NULL)
            fprintf(stderr, "sealcall %s: %s needs a TURN server (--turn): "
                            "the call is refused rather than made without "
                            "it\n",
                    argv[0], safe);
        else
            fprintf(stderr, "sealcall %s: --stun with %s contacts no STUN "
                            "server: drop --stun\n",
                    argv[0], safe);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* after the privacy decision: a rule may be what defers ICE */
    if (accept_timeout != G_MININT &&
        (!priv.defer_ice || offerer ||
         !sc_call_set_accept_timeout(
             cli.call, accept_timeout < 0 ? G_MAXUINT : (guint)accept_timeout,
             &error))) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0],
                error != NULL ? error->message
                              : "--accept-timeout needs --defer-ice");
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* disclose_identity: none refuses --idp, pseudonym needs a pseudonym */
    if (!cli_privacy_check_idp(&priv, idp, hint, &error)) {
        g_autofree char *safe =
            cli_sanitize(error->message, -1, CLI_SHOW_LOG_MAX, FALSE);
        fprintf(stderr, "sealcall %s: %s\n", argv[0], safe);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    status = cli_apply_certificate(cli.call, argv[0], &priv, cert);
    if (status != CLI_EXIT_OK) {
        sc_call_unref(cli.call);
        return status;
    }
    cli.media[0] = !no_audio;
    cli.media[1] = !no_video;
    if (cli_tui_wanted(json, plain)) {
        g_autofree char *title = g_strdup_printf("%s %s", argv[0], signal_url);
        cli.tui = cli_tui_start(&cli, title, &error);
        if (cli.tui == NULL) {
            fprintf(stderr, "sealcall %s: %s: lines instead\n", argv[0],
                    error->message);
            g_clear_error(&error);
        }
    }
    cli_privacy_announce(&priv, !offerer, json);
    sc_call_set_playback(cli.call, play || (!json && !no_play));
    cli.json = json;
    cli.idp = idp;
    cli.priv = &priv;
    cli.loop = g_main_loop_new(NULL, FALSE);
    cli.cancel = g_cancellable_new();
    cli.exit_status = CLI_EXIT_FAILURE;
    cli.used = g_ptr_array_new_with_free_func((GDestroyNotify)sc_channel_unref);
    cli.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sc_call_set_event_func(cli.call, on_event, &cli, NULL);
    /* the peer's benches (contract section 2) are answered */
    sc_call_enable_bench_receiver(cli.call);
    if (!sc_call_start(cli.call, &error)) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        g_clear_pointer(&cli.tui, cli_tui_stop);
        sc_call_unref(cli.call);
        g_main_loop_unref(cli.loop);
        g_object_unref(cli.cancel);
        g_ptr_array_unref(cli.used);
        g_hash_table_unref(cli.seen);
        return CLI_EXIT_FAILURE;
    }
    stdin_stream = g_unix_input_stream_new(0, FALSE);
    cli.in = g_data_input_stream_new(stdin_stream);
    if (cli.tui == NULL)
        cli_read_next_line(&cli);
    g_unix_signal_add(SIGINT, on_signal, &cli);
    g_unix_signal_add(SIGTERM, on_signal, &cli);
    /* after the handlers: SIGINT/SIGTERM end the loop, which removes it */
    cli.control = cli_control_start(cli.call, argv[0], signal_url);

    g_main_loop_run(cli.loop);

    cli_control_stop(cli.control);
    g_cancellable_cancel(cli.cancel);
    if (cli.grace_id != 0)
        g_source_remove(cli.grace_id);
    if (cli.recheck_id != 0)
        g_source_remove(cli.recheck_id);
    sc_call_set_event_func(cli.call, NULL, NULL, NULL);
    g_clear_pointer(&cli.tui, cli_tui_stop);
    g_ptr_array_unref(cli.used);
    g_hash_table_unref(cli.seen);
    sc_call_unref(cli.call);
    /* drain what the cancelled read and the teardown left on the loop */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_object_unref(cli.in);
    g_object_unref(cli.cancel);
    g_main_loop_unref(cli.loop);
    return cli.exit_status;
}
