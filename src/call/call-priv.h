/* src/call/call-priv.h - shared between the files of call/.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CALL_PRIV_H
#define SC_CALL_PRIV_H

#include "core/core.h"
#include <json-glib/json-glib.h>
#include <sealcall/call.h>
#include <sealcall/channel.h>
#include <sealcall/endpoint.h>

#include "dtls/dtls.h"
#include "inspector/inspector.h"
#include "ice/ice.h"
#include "media/media.h"
#include "sctp/sctp.h"
#include "sdp/sdp.h"
#include "signaling/signaling.h"
#include "srtp/srtp.h"

G_BEGIN_DECLS

struct ScEndpoint {
    grefcount ref;
    GMainContext *ctx;
};

struct ScCallEvent {
    ScCallEventKind kind;
    ScEndReason reason;
    JsonObject *obj;      /* {"event": ..., fields} */
    GHashTable *strings;  /* field -> text form of non-string fields */
};

/* event.c (sc_call_event_new(), _free(), _set_int(), _set_double() are
 * public: call.h) */
const char *sc_call_event_kind_name(ScCallEventKind kind);
void sc_call_event_set_str(ScCallEvent *ev, const char *name,
                           const char *value);
void sc_call_event_set_bool(ScCallEvent *ev, const char *name, gboolean v);
/* takes ownership of @node */
void sc_call_event_set_node(ScCallEvent *ev, const char *name, JsonNode *node);

/* ---- channels.c: the call's one record of its data channels ---- */

/* One function the app gave us, with its data and how to free that
 * (set only by channels.c). */
typedef struct {
    GCallback func;
    gpointer data;
    GDestroyNotify destroy;
} ScFuncSlot;

typedef struct {
    gboolean binary;
    GBytes *data;
} ScQueuedMsg;

struct ScChannel {
    grefcount ref;
    ScCall *call;          /* weak: cleared when the call drops the channel */
    char *label;
    int sid;               /* -1 until opened */
    gboolean ordered;
    int max_retransmits;
    int max_lifetime_ms;
    gboolean open;
    gboolean closed;
    gboolean requested;    /* OPEN sent (local) */
    GQueue queue;          /* ScQueuedMsg before the channel opens */
    gsize queued_bytes;
    gsize low_threshold;   /* buffered-amount-low, given to sctp/ at open */
    /* the app's functions (channel.h), dropped when the call drops the
     * channel (sc_channel_table_remove(), _clear()) */
    ScFuncSlot on_message; /* ScChannelMessageFunc */
    ScFuncSlot on_state;   /* ScChannelFunc */
    ScFuncSlot on_low;     /* ScChannelFunc */
    /* table links (see ScChannelTable) */
    GList link;            /* in ScChannelTable.all */
    ScChannel *label_next; /* next live channel with the same label */
};

/* The channels a call holds, one entry each: from creation (local) or the
 * peer's OPEN (remote) until it closes; then the call drops its reference
 * (the app's references keep the object). Peer-opened channels are
 * bounded by SC_SCTP_MAX_REMOTE_CHANNELS (sctp/), local ones by the app.
 * Lookup by stream id (every inbound message) and by label (every send
 * from the CLI) is constant time. Per-stream transport state (queues,
 * resets, reliability) lives in sctp/, which forgets the label once the
 * channel is reported open: the label lives here only. */
typedef struct {
    GQueue all;           /* ScChannel, strong (through .link), by age */
    GHashTable *by_sid;   /* GINT_TO_POINTER(sid) -> ScChannel */
    GHashTable *by_label; /* label (the channel's) -> oldest with it */
} ScChannelTable;

ScChannel *sc_channel_new(ScCall *call, const char *label, gboolean ordered,
                          int max_retransmits, int max_lifetime_ms);
void sc_queued_msg_free(gpointer msg);

void sc_channel_table_init(ScChannelTable *t);
/* Detaches every channel from the call and drops the table's refs. */
void sc_channel_table_clear(ScChannelTable *t);
/* Adds @c (takes a reference), indexed by label, and by sid if set. */
void sc_channel_table_add(ScChannelTable *t, ScChannel *c);
/* Sets @c's sid (it had none) and indexes it. */
void sc_channel_table_set_sid(ScChannelTable *t, ScChannel *c, int sid);
ScChannel *sc_channel_table_by_sid(ScChannelTable *t, int sid);
/* The oldest live channel with @label, or NULL. */
ScChannel *sc_channel_table_by_label(ScChannelTable *t, const char *label);
/* Marks @c closed, detaches it from the call and drops the table's
 * reference (@c may be freed). No-op if @c is not in the table. */
void sc_channel_table_remove(ScChannelTable *t, ScChannel *c);
/* Channels held (for tests and the inspector). */
guint sc_channel_table_size(ScChannelTable *t);

/* ---- hangup.c: a local hangup lets the data channels finish ---- */

/* How long a local hangup waits for the SCTP shutdown (every message
 * acknowledged) before it ends the call regardless. */
#define SC_HANGUP_GRACE_MS 5000

typedef struct {
    GSource *grace; /* set while the shutdown is under way */
} ScHangup;

typedef struct ScSctpAssoc ScSctpAssoc;

/* Starts a graceful hangup when @sctp is connected: its queued messages go
 * out and a SHUTDOWN follows (the association reports CLOSED when every
 * message is acknowledged); @on_grace_over(@data) runs if that takes more
 * than SC_HANGUP_GRACE_MS. Returns FALSE (nothing started) when there is
 * no association to finish: the caller ends the call at once. */
gboolean sc_hangup_start(ScHangup *h, GMainContext *ctx, ScSctpAssoc *sctp,
                         GSourceFunc on_grace_over, gpointer data);
gboolean sc_hangup_in_progress(const ScHangup *h);
/* Stops the grace timer (the call ends, or is freed). */
void sc_hangup_clear(ScHangup *h);

/* ---- defer.c: deferred ICE (an answerer reveals nothing until the
 * user accepts; sc_call_set_defer_ice()) ---- */

typedef enum {
    SC_DEFER_OFF,      /* not deferred: ICE gathers once signaling is up */
    SC_DEFER_WAITING,  /* deferred, no offer yet */
    SC_DEFER_INCOMING, /* the offer is held and announced: the user decides */
    SC_DEFER_ACCEPTED,
    SC_DEFER_DECLINED, /* declined, timed out or hung up before accepting */
} ScDeferState;

#define SC_DEFER_TIMEOUT_DEFAULT_S 60
#define SC_DEFER_TIMEOUT_MAX_S 86400

typedef struct {
    ScDeferState state;
    guint timeout_s;   /* 0: no limit */
    GSource *timer;    /* the accept timeout, while INCOMING */
    char *offer;       /* the held offer's SDP, while INCOMING */
    gboolean announced; /* the incoming event was emitted */
} ScCallDefer;

/* FALSE with SC_ERROR_INVALID_STATE once the call has started. */
gboolean sc_call_defer_before_start(ScCall *call, GError **error);
/* TRUE while ICE must not exist yet (deferred, not accepted). */
gboolean sc_call_defer_holds_ice(ScCall *call);
/* Answerer, first offer @text (valid, with a data section): TRUE when it
 * is held for the user's decision (or ignored: a later offer while one is
 * held); FALSE when it is to be answered now. */
gboolean sc_call_defer_hold_offer(ScCall *call, const ScSdpDesc *desc,
                                  const char *text);
/* The reason of the bye a local hangup sends: "declined" before the call
 * was accepted, else "hangup". */
const char *sc_call_defer_bye_reason(ScCall *call);
/* The call ends (stops the timer) / is freed. */
void sc_call_defer_stop(ScCall *call);
void sc_call_defer_free(ScCall *call);
/* The held offer's identity step is done and the policy let it through:
 * announces the call (once). */
void sc_call_defer_identity_done(ScCall *call);
/* For the inspector: "off", "waiting", "incoming", "accepted",
 * "declined". */
const char *sc_call_defer_state_name(ScCall *call);

/* ---- the call: what every file of call/ shares ---- */

#define SC_SCTP_PORT 5000
#define CHANNEL_QUEUE_MAX (1u * 1024 * 1024)
#define RTP_BUF_MAX 1600        /* a packet plus the SRTP/SRTCP trailer */

typedef enum {
    CALL_IDLE,
    CALL_SIGNALING,   /* connected to the relay, waiting for the peer */
    CALL_NEGOTIATING, /* offer/answer in progress */
    CALL_CONNECTING,  /* descriptions exchanged, transports starting */
    CALL_CONNECTED,   /* DTLS up */
    CALL_ENDED,
} CallState;

/* ICE restarts after every pair failed before ICE first connected
 * (transport.c, on_ice_checks_failed()): a lossy path; a dead one then
 * fails after about 2 x 20 s of checks plus SC_ICE_FAIL_GRACE_MS. */
#define SC_CALL_SETUP_RESTARTS 1

/* negotiation.c: where JSEP stands (offer/answer, trickle, restarts) and
 * who may still signal. */
typedef struct {
    gboolean offer_sent;
    GPtrArray *pending_candidates;  /* char*, before the remote description */
    gboolean pending_end_of_candidates;
    /* Our offer or answer of the current ICE generation is sent: it listed
     * the candidates gathered until then; later ones are trickled. */
    gboolean local_desc_sent;
    gboolean local_candidates_done; /* end-of-candidates sent (or in it) */
    gboolean restart_pending;       /* our ICE-restart offer is sent */
    guint64 sdp_version;            /* o= sess-version of our next SDP */
    guint n_restarts;
    guint n_setup_restarts;         /* before ICE first connected */
    /* The relay said peer-left once the call was up: whoever speaks on
     * signaling from now on is a stranger (see on_sig_message()). */
    gboolean peer_left;
    guint64 stranger_msgs;          /* signaling ignored since peer_left */
} ScCallNegotiation;

/* transport.c: the wiring of ICE, DTLS, SCTP and SRTP, and the setup
 * milestones. */
typedef struct {
    gboolean dtls_role_known;
    gboolean dtls_client;
    gboolean dtls_started;
    gboolean sctp_connected;
    GPtrArray *dtls_early;          /* GBytes*, DTLS out before ICE connects */
    guint64 srtp_dropped;
    /* setup milestones (sc_clock_now_us; 0 = not yet), reported with the
     * first channel open (channels.c): where the offer-to-channel time
     * went. The offer and the answer are stamped by negotiation.c. */
    gint64 t_offer_us;
    gint64 t_answer_us;     /* offerer: the answer arrived */
    gint64 t_ice_us;        /* ICE first connected */
    gint64 t_dtls_us;       /* DTLS connected (fingerprint checked) */
    gint64 t_sctp_us;       /* SCTP association up */
    gint64 t_first_open_us;
} ScCallTransport;

/* media-glue.c: our RTP identities and the negotiated RTP sections. */
typedef struct {
    /* our random identities (RFC 7022 CNAME, SSRCs, msid) */
    char cname[17];
    char stream_id[17];
    char track_id[2][17];
    guint32 ssrc[2];
    GSource *media_source_id;       /* pending media start */
    gboolean media_send[2];
    gboolean media_recv[2];
    guint8 media_pt[2];
    gboolean send_stopped[2];       /* sc_call_set_media_sending(FALSE) */
    guint64 rtp_sent, rtp_received;
    guint64 srtp_errors;
} ScCallRtp;

/* event.c: the app's callback and the queue of events waiting for it. */
typedef struct {
    ScCallEventFunc func;
    gpointer func_data;
    GDestroyNotify func_destroy;
    GQueue events;
    GSource *event_source;
} ScCallEvents;

/* privacy.c: TURN servers, relay-only, and what our signalled candidates
 * revealed (the inspector reports what was sent, not what was asked). */
typedef struct {
    GPtrArray *turn_servers;        /* of ScTurnServer, NULL-terminated */
    GArray *secret_ids;             /* their credentials as written */
    char *ca_file;                  /* extra trust anchors for turns: */
    gboolean relay_only;            /* in force now (mid-call changes too) */
    /* the whole call: related_address_suppressed is about what the peer
     * ever learnt, and an address once signalled stays learnt */
    guint n_signalled;              /* candidates in descriptions/trickle */
    guint n_reveal;                 /* ... that showed a local address */
    /* this ICE generation (since the last restart, either side's: our
     * ufrag changes with each): the policy is about the candidates and
     * the pair in use now */
    char *gen_ufrag;                /* our ufrag when last counted */
    guint n_not_relay_gen;          /* signalled, type not relay */
    guint n_changes;                /* sc_call_change_relay_only() */
    ScIpHandling direct_ip_handling; /* the mode a change to direct
                                      * returns to */
} ScCallPrivacy;

/* identity-gate.c: our assertion (--idp) and the peer's identity
 * (--peer-identity, --trust-idp). */
typedef enum {
    SC_CALL_IDENTITY_UNKNOWN,  /* no remote description yet */
    SC_CALL_IDENTITY_PENDING,  /* being validated */
    SC_CALL_IDENTITY_VERIFIED,
    SC_CALL_IDENTITY_FAILED,
    SC_CALL_IDENTITY_NONE,     /* the peer sent no a=identity */
} ScCallIdentityStatus;

typedef struct {
    char *idp_domain, *idp_protocol, *hint; /* --idp: ours */
    GHashTable *scripts;   /* this call's IdP proxy scripts (identity/) */
    struct ScIdpSpare *spare; /* a sandbox child ready for the peer's */
    char *assertion;       /* our a=identity value, once generated */
    char *required;        /* --peer-identity */
    gboolean require_any;  /* refuse_anonymous: any verified identity */
    GPtrArray *trust;      /* --trust-idp: idp domain, suffix, ... */
    GCancellable *cancel;  /* the sandbox runs */
    GSource *pending;      /* "none" reported from the loop */
    ScCallIdentityStatus status;
    char *identity, *idp;  /* verified */
    gboolean authoritative;
    gboolean pseudonym;    /* the verified IdP identity is a pseudonym */
    gboolean dtls_held;    /* DTLS up, SRTP and SCTP wait for the verdict */
    gboolean peer_asserted; /* the peer's description had an a=identity */
    char *idp_reason;      /* why the IdP identity failed (the gate's) */
    /* X.509 (identity-x509.c): checked once DTLS is up, with --ca only */
    ScCallIdentityStatus x509_status; /* UNKNOWN, VERIFIED or FAILED */
    char *x509_identity, *x509_subject, *x509_issuer;
    char *x509_reason;     /* why it failed */
    X509_STORE *anchors;   /* --ca's certificates alone, read at once */
    const char *x509_error; /* its error name, when it was reported */
} ScCallIdentity;

/* peer-policy.c: the decision once the peer's identity step is done
 * (privacy rules again with its identity, --only-verified,
 * refuse_unlinkable). */
typedef struct {
    ScPrivacyRules *rules;  /* NULL: no rules to decide again with */
    gboolean only_verified;
    gboolean refuse_unlinkable;
    gboolean decided;       /* sc_call_policy_on_identity() ran */
    guint n_cands;          /* the caller's candidates seen */
    gboolean revealing;     /* one of them showed an address */
    gboolean desc_noted;    /* the offer's own candidates counted */
    gboolean cands_done;    /* the caller's end-of-candidates arrived */
    gboolean announce_wait; /* deferred: the announcement waits for the
                             * caller's candidates (refuse_unlinkable) */
    ScSdpDesc *held_desc;   /* deferred ICE: the offer being verified */
} ScCallPolicy;

typedef enum {
    SC_POLICY_ANNOUNCE,     /* announce now (identity verified after accept) */
    SC_POLICY_VERIFYING,    /* announced once the identity step is done */
    SC_POLICY_REFUSED,      /* the call has ended */
} ScPolicyPreverify;

/* TRUE while SRTP and SCTP must wait for the identity step because this
 * file may still end the call. */
gboolean sc_call_policy_waits(ScCall *call);
/* The identity step is done (verified, or failed/absent and not
 * required): decides; FALSE when the call has ended. */
gboolean sc_call_policy_on_identity(ScCall *call);
/* DTLS is up and nothing waits: a last refuse_unlinkable check now that
 * the caller's candidates have arrived; FALSE when the call has ended. */
gboolean sc_call_policy_on_dtls_up(ScCall *call);
/* A candidate line the peer trickled. */
void sc_call_policy_note_remote_candidate(ScCall *call, const char *line);
/* Deferred ICE: the held offer's identity is verified before the call is
 * announced, when its IdP is one the user named. */
ScPolicyPreverify sc_call_policy_preverify(ScCall *call,
                                           const char *offer_text);
/* The peer's fingerprints: of the applied description, or of the held
 * offer being verified. */
const GPtrArray *sc_call_policy_remote_fingerprints(ScCall *call);
/* sealcall idp's pseudonym form: p-<26 base32>@domain */
gboolean sc_call_policy_is_pseudonym(const char *identity);
/* identity-gate.c: whether @identity, a verified identity of the peer, is
 * a pseudonym: its IdP said so, or it has sealcall idp's form. */
gboolean sc_call_identity_is_pseudonym(ScCall *call, const char *identity);
void sc_call_policy_free(ScCall *call);

/* What the whole call shares: identity, state, configuration, keys, the
 * layer objects and the peer's description. Each job's own state is in
 * the sub-struct its file owns. */
struct ScCall {
    grefcount ref;
    ScEndpoint *endpoint;
    GMainContext *ctx;
    ScCallRole role;
    char id[9];
    CallState state;

    /* configuration */
    char *signal_url;
    char *stun_host;
    guint16 stun_port;
    guint ice_max_pairs;    /* 0: SC_ICE_MAX_PAIRS_DEFAULT */
    GPtrArray *local_addresses;
    ScIpHandling ip_handling;       /* RFC 8828 mode */
    gboolean mdns;                  /* host candidates as mDNS names */
    gboolean media_enabled[2];      /* by ScMediaType */
    char *media_source[2];
    char *record_path;
    gboolean play_audio;
    ScPrivacyDecision *privacy_decision;    /* for the inspector; NULL: none */

    /* keys (call-keys.c) */
    ScCert *cert;
    char *local_fingerprint;        /* our a=fingerprint: cert under its hash */
    int key_scope;                  /* ScKeyScope */
    char *tls_id;
    guint64 session_id;

    /* layers */
    ScSignalClient *sig;
    ScIceTransport *ice;
    ScDtlsTransport *dtls;
    ScSrtpSession *srtp;
    ScSctpAssoc *sctp;
    ScMediaSession *media;
    ScSdpDesc *remote;              /* the peer's description, once applied */

    ScCallEvents ev;                /* event.c */
    ScCallNegotiation neg;          /* negotiation.c */
    ScCallTransport transport;      /* transport.c */
    ScCallRtp rtp;                  /* media-glue.c */
    ScChannelTable channels;        /* channels.c */
    ScFuncSlot on_channel;          /* the app's ScCallChannelFunc */
    ScCallPrivacy privacy;          /* privacy.c */
    GSource *teardown_source;       /* call.c */
    ScHangup hangup;                /* a local hangup finishing (hangup.c) */
    ScCallDefer defer;              /* defer.c */
    ScCallIdentity id_gate;         /* identity-gate.c */
    ScCallPolicy policy;            /* peer-policy.c */
};

/* identity-gate.c */
/* At start: TRUE when our assertion is being generated (it connects
 * signaling once it has it, or ends the call); FALSE: no --idp. */
gboolean sc_call_identity_begin(ScCall *call);
/* Our a=identity value for every offer and answer, or NULL. */
const char *sc_call_identity_local_attr(ScCall *call);
/* The first remote description is applied: validates its a=identity. */
void sc_call_identity_on_remote(ScCall *call, const ScSdpDesc *desc);
/* DTLS is up: TRUE when SRTP and SCTP must wait for the peer's identity
 * (sc_call_transport_open() is called once it verifies). */
gboolean sc_call_identity_holds(ScCall *call);
/* the HTTP origin of the signaling relay, given to IdPs */
char *sc_call_identity_origin(ScCall *call);
struct ScInspectorSnapshot;
/* The inspector's `peer` object: which identity is shown (an IdP's
 * first, then an X.509 one) and the X.509 facts. */
void sc_call_identity_report(ScCall *call, struct ScInspectorSnapshot *s);
void sc_call_identity_stop(ScCall *call);
void sc_call_identity_free(ScCall *call);
/* USER@DOMAIN @a and @b are the same identity: the user part exact, the
 * domain IDNA-equivalent and case-insensitive; FALSE if either is not
 * an identity. */
gboolean sc_call_identity_same(const char *a, const char *b);
/* The gate, once a source (IdP or X.509) concluded: opens the held
 * transport when a verified identity satisfies --peer-identity (or
 * refuse_anonymous), ends the call identity-rejected once no source
 * can any more; nothing without a requirement. */
void sc_call_identity_settle(ScCall *call);
/* A required identity is verified by some source. */
gboolean sc_call_identity_satisfied(ScCall *call);
/* emits an `identity` event of the peer (side remote) */
ScCallEvent *sc_call_identity_event(const char *status,
                                    const char *verified_by);

/* identity-x509.c: with --ca, once DTLS is up, the peer's certificate
 * chain against --ca's anchors; reported in an `identity` event
 * (verified_by "x509"), silent only for a peer that asserted an IdP
 * identity over a self-signed certificate (what browsers have). */
void sc_call_identity_x509_check(ScCall *call);
/* sc_call_set_ca_file(): reads @path's anchors for X.509 identities.
 * Errors: %SC_ERROR_INVALID_ARGUMENT. */
gboolean sc_call_identity_x509_anchors(ScCall *call, const char *path,
                                       GError **error);
void sc_call_identity_x509_free(ScCall *call);

/* privacy.c */
void sc_call_privacy_init(ScCall *call);
void sc_call_privacy_clear(ScCall *call);
/* at start: relay-only needs a TURN server */
gboolean sc_call_privacy_check(ScCall *call, GError **error);
/* ICE configuration: the TURN servers and relay-only */
void sc_call_privacy_ice_config(ScCall *call, ScIceConfig *cfg);
/* @lines ("candidate:..."): candidates we are signalling */
void sc_call_privacy_note_signalled(ScCall *call, const char *const *lines);
/* the inspector's ice.policy and ice.related_address_suppressed */
const char *sc_call_privacy_policy(ScCall *call);
gboolean sc_call_privacy_raddr_suppressed(ScCall *call);

/* call.c */
gboolean sc_call_has_ended(ScCall *call);
void sc_call_end_with(ScCall *call, ScEndReason reason, const char *detail,
                      const char *peer_reason);
void sc_call_end(ScCall *call, ScEndReason reason, const char *detail);

/* call-keys.c: our certificate for the key scope; the per-origin one is
 * taken from the store when the call starts */
gboolean sc_call_keys_init(ScCall *call, GError **error);
gboolean sc_call_keys_resolve(ScCall *call, GError **error);
const char *sc_call_key_scope_string(ScCall *call);

/* event.c */
void sc_call_emit(ScCall *call, ScCallEvent *ev);
void sc_call_emit_error(ScCall *call, const char *detail);

/* negotiation.c */
void sc_call_send_bye(ScCall *call, const char *reason);
void sc_call_on_local_candidate(gpointer data, const char *candidate);
void sc_call_start_ice_restart(ScCall *call);
void sc_call_on_sig_open(gpointer data);
void sc_call_on_sig_message(gpointer data, const ScSigMsg *msg);
void sc_call_on_sig_closed(gpointer data, const GError *error);
/* Answers the first offer @text now (defer.c, once accepted). */
void sc_call_answer_offer(ScCall *call, const char *text);

/* transport.c */
gboolean sc_call_transport_create(ScCall *call, gboolean controlling,
                                  GError **error);
void sc_call_transport_end_error(ScCall *call, const GError *error);
void sc_call_transport_start_dtls(ScCall *call);
/* DTLS is up and the peer may be reached: SRTP keys, then SCTP */
void sc_call_transport_open(ScCall *call);
void sc_call_transport_free(ScCall *call);

/* channels.c */
void sc_call_channels_open_pending(ScCall *call);
void sc_call_on_channel_open(gpointer data, guint16 sid, const char *label,
                             const char *protocol, gboolean remote);
void sc_call_on_channel_closed(gpointer data, guint16 sid);
void sc_call_on_channel_refused(gpointer data, guint16 sid, const char *why);
void sc_call_on_message(gpointer data, guint16 sid, gboolean binary,
                        const guint8 *buf, gsize len);
void sc_call_on_buffered_amount_low(gpointer data, guint16 sid);
/* the call is freed: its channel function goes */
void sc_call_channels_free(ScCall *call);

/* media-glue.c */
void sc_call_media_negotiate(ScCall *call);
const char *sc_call_srtp_profile_iana(ScSrtpProfile p);
void sc_call_media_schedule_start(ScCall *call);
gboolean sc_call_media_has_rtp(ScCall *call);
/* The inspector's media entries (at most @max; 4 suffice): returns how
 * many. The strings are static. */
gsize sc_call_media_inspect(ScCall *call, ScInspectorMedia *media, gsize max);

G_END_DECLS

#endif
