/* sealcall - one secure call with one remote party.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CALL_H
#define SC_CALL_H

#include <sealcall/types.h>
#include <sealcall/privacy.h>

G_BEGIN_DECLS

/**
 * ScCallRole:
 * @SC_CALL_ROLE_OFFERER: sends the offer once the room has two participants
 * @SC_CALL_ROLE_ANSWERER: waits for an offer and answers it
 * Since: 0.1
 */
typedef enum {
    SC_CALL_ROLE_OFFERER = 0,
    SC_CALL_ROLE_ANSWERER = 1,
} ScCallRole;

/**
 * ScCallEventKind:
 * The kinds of event of the scripted mode (interop contract section 3).
 * %SC_CALL_EVENT_INCOMING ("incoming") announces a deferred
 * call: see sc_call_set_defer_ice(). %SC_CALL_EVENT_PRIVACY ("privacy")
 * reports the privacy decision made again with the peer's verified
 * identity: see sc_call_set_privacy_rules().
 * Since: 0.1
 */
typedef enum {
    SC_CALL_EVENT_SIGNALING = 0,
    SC_CALL_EVENT_ICE,
    SC_CALL_EVENT_DTLS,
    SC_CALL_EVENT_IDENTITY,
    SC_CALL_EVENT_CHANNEL,
    SC_CALL_EVENT_MESSAGE,
    SC_CALL_EVENT_MEDIA,
    SC_CALL_EVENT_BENCH,
    SC_CALL_EVENT_INSPECTOR,
    SC_CALL_EVENT_ENDED,
    SC_CALL_EVENT_ERROR,
    SC_CALL_EVENT_INCOMING,
    SC_CALL_EVENT_PRIVACY,
} ScCallEventKind;

/**
 * ScEndReason:
 * Why a call ended; the strings of sc_end_reason_to_string() are the
 * contract's `ended` reasons. Each is our own finding, except
 * %SC_END_REASON_BYE: the peer ended the call (its `bye`, DTLS
 * close_notify or SCTP ABORT). The reason a peer's `bye` gives is only
 * its claim: the `ended` event carries it in the "peer_reason" field
 * (printable ASCII, at most 64 characters), never as one of these.
 * Since: 0.1
 */
typedef enum {
    SC_END_REASON_HANGUP = 0,
    SC_END_REASON_BYE,
    SC_END_REASON_CONSENT_EXPIRED,
    SC_END_REASON_ICE_FAILED,
    SC_END_REASON_DTLS_FAILED,
    SC_END_REASON_FINGERPRINT_MISMATCH,
    SC_END_REASON_IDENTITY_REJECTED,
    SC_END_REASON_ERROR,
} ScEndReason;

/**
 * sc_end_reason_to_string:
 * Returns: (transfer none): "hangup", "bye", "consent-expired", ...
 * Since: 0.1
 */
SC_API const char *sc_end_reason_to_string(ScEndReason reason);

/**
 * ScCallEventFunc:
 * @call: (transfer none): the call
 * @event: (transfer none): the event, valid only during the callback
 * @user_data: as given to sc_call_set_event_func()
 *
 * Always invoked from the endpoint's main context, never from inside a
 * sc_*() function.
 * Since: 0.1
 */
typedef void (*ScCallEventFunc)(ScCall *call, const ScCallEvent *event,
                                gpointer user_data);

/**
 * sc_call_new:
 * @endpoint: (transfer none): the endpoint the call belongs to
 * @role: offerer or answerer
 * @error: return location for a #GError, or %NULL
 *
 * Creates an idle call; nothing is sent before sc_call_start(). A fresh
 * ECDSA P-256 certificate is made for the call.
 *
 * Errors: %SC_ERROR_INTERNAL when key generation fails.
 *
 * Returns: (transfer full) (nullable): the call, release with
 *   sc_call_unref().
 * Since: 0.1
 */
SC_API ScCall *sc_call_new(ScEndpoint *endpoint, ScCallRole role,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

/** sc_call_ref: Returns: (transfer full): @call. Since: 0.1 */
SC_API ScCall *sc_call_ref(ScCall *call);

/**
 * sc_call_unref:
 * Drops a reference; the last one closes the call without a `bye` and
 * without running callbacks. Since: 0.1
 */
SC_API void sc_call_unref(ScCall *call);

/**
 * sc_call_set_signal_url:
 * @url: (transfer none): ws://HOST:PORT/room/NAME or wss://...
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT when @url is not such a URL (the
 * message says what is wrong); %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_signal_url(ScCall *call, const char *url,
                                       GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_stun_server:
 * @host_port: (transfer none): "HOST:PORT" (IPv6 as "[ADDR]:PORT")
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for a malformed value.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_stun_server(ScCall *call, const char *host_port,
                                        GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_ice_max_pairs:
 * @max_pairs: the most candidate pairs ICE checks (RFC 8445 §6.1.2.5),
 *   1 to 1000; the default is 100
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT out of range;
 * %SC_ERROR_INVALID_STATE once the call has its ICE agent (after start).
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_ice_max_pairs(ScCall *call, guint max_pairs,
                                          GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_add_local_address:
 * @address: (transfer none): a local IP address
 *
 * Restricts ICE host candidates to the given addresses (may be called more
 * than once). Without it, every interface is gathered.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT when @address is not an IP address.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_add_local_address(ScCall *call, const char *address,
                                          GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * ScIpHandling:
 * @SC_IP_HANDLING_ALL: RFC 8828 Mode 1, every interface (or the addresses
 *   given to sc_call_add_local_address()); the default
 * @SC_IP_HANDLING_DEFAULT_ROUTE: Mode 2, only the interface of the
 *   default route (the one the kernel picks for a public destination):
 *   its addresses are the host candidates
 * @SC_IP_HANDLING_DEFAULT_ROUTE_ONLY: Mode 3, like Mode 2 but no host
 *   candidate is signalled: only what STUN (or TURN) finds on the default
 *   route's address; related addresses are suppressed
 * @SC_IP_HANDLING_RELAY_ONLY: Mode 4, relay-only: the same as
 *   sc_call_set_relay_only() (only TURN relay candidates; needs a TURN
 *   server)
 *
 * Which local addresses ICE may use and reveal (RFC 8828 §5.2).
 * Since: 0.1
 */
typedef enum {
    SC_IP_HANDLING_ALL = 0,
    SC_IP_HANDLING_DEFAULT_ROUTE = 1,
    SC_IP_HANDLING_DEFAULT_ROUTE_ONLY = 2,
    SC_IP_HANDLING_RELAY_ONLY = 3,
} ScIpHandling;

/**
 * sc_ip_handling_from_string:
 * @name: (transfer none): "all", "default-route", "default-route-only" or
 *   "relay-only" (as sc_ip_handling_to_string() writes them)
 * @out: (out): the mode
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for another name (the message lists
 * the valid ones).
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_ip_handling_from_string(const char *name,
                                           ScIpHandling *out, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_ip_handling_to_string:
 * Returns: (transfer none): the mode's name, or "invalid".
 * Since: 0.1
 */
SC_API const char *sc_ip_handling_to_string(ScIpHandling mode);

/**
 * sc_call_set_ip_handling:
 * @mode: which local addresses ICE gathers and signals
 *
 * %SC_IP_HANDLING_DEFAULT_ROUTE and %SC_IP_HANDLING_DEFAULT_ROUTE_ONLY
 * pick the addresses themselves: sc_call_start() refuses them together
 * with sc_call_add_local_address(), and fails when there is no default
 * route. No packet is sent to find the route (a connected UDP socket's
 * local address, RFC 8828 §6.2).
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for an unknown mode;
 * %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_ip_handling(ScCall *call, ScIpHandling mode,
                                        GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_mdns:
 * @enabled: %TRUE to signal host candidates as mDNS names
 *
 * With @enabled, each host candidate is signalled as a fresh
 * "<uuid4>.local" name (draft-ietf-mmusic-mdns-ice-candidates) instead of
 * its address, one name per address and call, published through the
 * Avahi daemon for the length of the call; server-reflexive and relay
 * candidates carry "raddr 0.0.0.0 rport 9". The names are signalled even
 * when Avahi cannot publish them (the draft: so that a page cannot probe
 * for mDNS support). Resolving the peer's ".local" candidates does not
 * depend on this setting: it is always on.
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_mdns(ScCall *call, gboolean enabled,
                                 GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_add_turn_server:
 * @url: (transfer none): "turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]"
 *   (RFC 7065 with the credentials as userinfo, percent-encoded where
 *   needed; HOST an IP address, IPv6 in brackets; PORT 3478 by default)
 *
 * Adds a TURN server (may be called up to 8 times): ICE gathers a relay
 * candidate through it. "turns:" is TURN over TLS (TCP): the server's
 * certificate must verify for HOST (an IP address in its subjectAltName)
 * against the system's trust anchors or sc_call_set_ca_file()'s; if it
 * does not, that server gives no candidate (nothing is sent in the clear).
 * The credentials are kept out of every log (as decoded and as written)
 * and out of events and the inspector; error messages show the URL with
 * them replaced by "***".
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for a malformed URL (the message
 * says what is wrong) or too many servers; %SC_ERROR_INVALID_STATE after
 * start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_add_turn_server(ScCall *call, const char *url,
                                        GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_relay_only:
 * @relay_only: %TRUE for TURN-only (RFC 8828 mode 4)
 *
 * Relay-only: only relay candidates are gathered, signalled and paired;
 * no STUN server is contacted (one set with sc_call_set_stun_server() is
 * ignored); every signalled candidate's related address is 0.0.0.0 (or
 * ::) port 0; a datagram that did not come through a TURN server is
 * dropped, so a peer's check that reaches one of our sockets directly is
 * never answered or paired. sc_call_start() fails without a TURN server
 * (sc_call_add_turn_server()).
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_relay_only(ScCall *call, gboolean relay_only,
                                       GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_idp:
 * @domain: (transfer none): the IdP, "DOMAIN[:PORT]"
 * @protocol: (transfer none) (nullable): its protocol (%NULL: "default")
 * @username_hint: (transfer none) (nullable): passed to the IdP
 *
 * Asserts our identity with this IdP (RFC 8827 §7): at sc_call_start()
 * the IdP's proxy (https://DOMAIN[:PORT]/.well-known/idp-proxy/PROTOCOL)
 * signs our a=fingerprint, for the signaling relay's origin, before the
 * relay is contacted; every offer and answer then carries the a=identity.
 * If the IdP fails or asks for a login, the call ends (an
 * %SC_CALL_EVENT_IDENTITY event with "side" "local", "status" "failed",
 * "error" the W3C name and "login_url" when the IdP gave one): nothing is
 * ever signalled without the assertion.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT / SC_IDP_ERROR for a bad domain,
 * protocol or hint; %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_idp(ScCall *call, const char *domain,
                                const char *protocol,
                                const char *username_hint, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_peer_identity:
 * @identity: (transfer none): "user@domain"
 *
 * Calls only this verified peer: once DTLS is up, no SRTP key is
 * installed and no SCTP association started (so no media, channel or
 * message either way) until the peer's a=identity verifies as @identity
 * (user part exactly, domain as lower-case A-label), or, with
 * sc_call_set_ca_file(), its DTLS certificate is issued by one of those
 * anchors to @identity (X.509: its email SAN, else its CN; either source
 * suffices); otherwise the call ends with
 * %SC_END_REASON_IDENTITY_REJECTED and a `bye`. DTLS then also
 * negotiates the ALPN "c-webrtc" (RFC 8833).
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT, %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_peer_identity(ScCall *call, const char *identity,
                                          GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_refuse_anonymous:
 * @refuse: %TRUE: a peer without a verified identity is refused
 *
 * The gate of sc_call_set_peer_identity() for any verified identity (the
 * privacy rules' refuse_anonymous): no SRTP key, SCTP association, media,
 * channel or message until the peer's a=identity (or, with
 * sc_call_set_ca_file(), its X.509 certificate) verifies; a peer without
 * one, or whose assertion fails, ends the call with
 * %SC_END_REASON_IDENTITY_REJECTED. The DTLS ALPN is not restricted.
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_refuse_anonymous(ScCall *call, gboolean refuse,
                                             GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_privacy_rules:
 * @rules: (transfer full) (nullable): the rules the call's decision
 *   (sc_call_set_privacy()) was made from, contacts included
 *
 * Once the peer's identity verifies, the decision is made again with it
 * (sc_privacy_rules_redecide(): `peer` rules, `domain` rules on the
 * identity's domain, `not_in_contacts`). When the rules have such rules,
 * SRTP keys and SCTP wait for the identity step (as with
 * sc_call_set_peer_identity()). If the new decision asks for more
 * privacy than the call was set up with, the call ends with
 * %SC_END_REASON_IDENTITY_REJECTED and a detail naming both rules and
 * the field, before any media or data; otherwise it becomes the call's
 * decision (the inspector's `privacy` object) and a
 * %SC_CALL_EVENT_PRIVACY event reports it (the decision's fields, "text"
 * and "reevaluated" %TRUE). Takes @rules even on error.
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_privacy_rules(ScCall *call, ScPrivacyRules *rules,
                                          GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_only_verified:
 * @only: %TRUE: call only with a verified contact
 *
 * `answer --only-verified`: the gate of sc_call_set_refuse_anonymous(),
 * and the verified identity must be a contact of the rules given to
 * sc_call_set_privacy_rules(); any other peer ends the call with
 * %SC_END_REASON_IDENTITY_REJECTED before any media or data (with
 * deferred ICE, before the call is announced: nothing is revealed).
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_only_verified(ScCall *call, gboolean only,
                                          GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_refuse_unlinkable:
 * @refuse: %TRUE: refuse unlinkable callers (answerer)
 *
 * The privacy rules' refuse_unlinkable. An unlinkable caller: every
 * candidate it signalled by the time of the decision (its identity step;
 * with ICE connected, again when DTLS is up; with deferred ICE, before
 * the announcement, once a revealing candidate or its end-of-candidates
 * has arrived) hides its address (relay
 * with related address 0.0.0.0 or :: port 0, or none; or an mDNS
 * `.local` host candidate), at least one arrived, and it has no verified
 * identity but a pseudonym. Such a caller ends the call with
 * %SC_END_REASON_IDENTITY_REJECTED and the reason, before media or data.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for the offerer,
 * %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_refuse_unlinkable(ScCall *call, gboolean refuse,
                                              GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_add_trusted_idp:
 * @idp_domain: (transfer none): an IdP, "DOMAIN[:PORT]" (without a port
 *   it matches the IdP on any port)
 * @suffix: (transfer none): a domain ("example.org", a leading "@" or "."
 *   is ignored)
 *
 * Accepts third-party assertions (RFC 8827 §7.4: an identity whose domain
 * is not the IdP's): from @idp_domain, for identities whose domain is
 * @suffix or below it. Without a rule they are rejected. At most 64 rules.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT, %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_add_trusted_idp(ScCall *call, const char *idp_domain,
                                        const char *suffix, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_get_peer_identity:
 *
 * Returns: (transfer none) (nullable): the peer's verified identity
 *   ("user@domain"; an X.509 certificate's may be its subject CN), %NULL
 *   while none is verified. With both an IdP's and an X.509 identity
 *   verified, the IdP's.
 * Since: 0.1
 */
SC_API const char *sc_call_get_peer_identity(ScCall *call);

/**
 * sc_call_set_ca_file:
 * @path: (transfer none): a PEM file of CA certificates
 *
 * Extra trust anchors for the TLS connections the call makes (turns:
 * servers, IdPs), besides the system's, and the only anchors for X.509
 * peer identities: once DTLS is up, the peer's certificate chain is
 * checked against them (never the system's) and the result reported in
 * an `identity` event with `verified_by` "x509" (README, "X.509 peer
 * identities"). Read at once.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT or a #GIOError / #GTlsError when the
 * file cannot be read or holds no certificate (the message names it);
 * %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_ca_file(ScCall *call, const char *path,
                                    GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_change_relay_only:
 * @relay_only: %FALSE to allow direct candidates, %TRUE to go back to
 *   relay-only
 *
 * Changes relay-only during a connected call (RFC 8827 §5.4: a call can
 * start relay-only and later add non-TURN candidates), with an ICE
 * restart from this side, whichever role it has: new ICE credentials and
 * candidates under the new policy are signalled, and the DTLS
 * association, the data channels and media go on (no new handshake) over
 * the old pair until the restart selects a new one (an `ice` event with
 * state `connected` gives its types). With %FALSE our host candidates are
 * signalled (relay ones too), so the peer and the signaling relay learn
 * our local addresses: the inspector's `related_address_suppressed` is
 * %FALSE from then on for the rest of the call. No server-reflexive
 * candidate is added (an ICE restart gathers nothing new; the peer's
 * checks still find our reflexive address as a peer-reflexive one). With
 * %TRUE only relay candidates are signalled and paired and a datagram
 * that did not come through a TURN server is dropped at once; the
 * inspector's `policy` says `relay-only` again once a relay pair is
 * selected. Refused, not queued, while an ICE restart (either side's) is
 * under way.
 *
 * Errors: %SC_ERROR_INVALID_STATE when the call is not connected, already
 * has that policy, an ICE restart is under way, no relay candidate was
 * gathered, or the restart cannot be signalled (the peer left the relay);
 * %SC_ERROR_INVALID_ARGUMENT for relay-only without a TURN server;
 * %SC_ERROR_ICE_FAILED when libnice refused the restart. On error nothing
 * changed.
 * Returns: %TRUE when the restart offer is sent.
 * Since: 0.1
 */
SC_API gboolean sc_call_change_relay_only(ScCall *call, gboolean relay_only,
                                          GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * ScMediaType:
 * @SC_MEDIA_TYPE_AUDIO: Opus audio
 * @SC_MEDIA_TYPE_VIDEO: VP8 video
 * Since: 0.1
 */
typedef enum {
    SC_MEDIA_TYPE_AUDIO = 0,
    SC_MEDIA_TYPE_VIDEO = 1,
} ScMediaType;

/**
 * sc_call_set_media:
 * @kind: audio or video
 * @enabled: %FALSE: neither send nor receive this kind (default: %FALSE,
 *   a data-only call)
 * @source: (nullable) (transfer none): a GStreamer source description
 *   (gst-launch syntax, e.g. "pulsesrc" or "v4l2src device=/dev/video0");
 *   %NULL for the embedded default: a 440 Hz sine / a test pattern
 *
 * Chooses the media of the call before sc_call_start(). Media is sent only
 * after DTLS is connected, always SRTP-protected.
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_media(ScCall *call, ScMediaType kind,
                                  gboolean enabled, const char *source,
                                  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_media_sending:
 * @type: audio or video
 * @sending: %FALSE stops sending @type at once, %TRUE resumes it
 * @error: return location for a #GError, or %NULL
 *
 * Stops or resumes what we send of one medium: the microphone and camera
 * keys of a user interface (001 §5.2). Stopping takes effect immediately:
 * no further RTP packet of @type leaves (packets already produced are
 * dropped before SRTP protection) and the source's frames are dropped
 * before the encoder; RTCP goes on. A `media` event (`direction` "send",
 * `state` "stopped", `sending` false) tells it, and the inspector
 * report's send entry for @type has `sending` false. Resuming sends new
 * packets whose RTP sequence numbers continue and whose timestamps follow
 * the time that passed; video restarts with a keyframe. The `media` event
 * "flowing" tells it once the first packet has left.
 *
 * May be called before sc_call_start() or before the call connects: media
 * then starts stopped. Calling it with the current state does nothing.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT when @type was not enabled with
 * sc_call_set_media(), or the negotiation left it with nothing to send
 * (the peer refused it or only sends); %SC_ERROR_INVALID_STATE after the
 * call ended.
 * Returns: %TRUE on success; on error nothing changed.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_media_sending(ScCall *call, ScMediaType type,
                                          gboolean sending, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_record:
 * @path: (nullable) (transfer none): file for received media (Ogg/Opus for
 *   audio only, WebM when video is received); %NULL: received audio plays
 *   on the default sink when there is one
 *
 * Errors: %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_record(ScCall *call, const char *path,
                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_playback:
 * @play: %TRUE to play received audio on the default audio sink when there
 *   is one and no recording is set (default %FALSE)
 * Since: 0.1
 */
SC_API void sc_call_set_playback(ScCall *call, gboolean play);

/**
 * sc_call_set_privacy:
 * @decision: (transfer none) (nullable): the privacy decision the call is
 *   set up with (see <sealcall/privacy.h>); %NULL for none
 *
 * Keeps @decision (a reference) for the inspector report's `privacy`
 * object. It does not configure the call: the caller applies each field
 * with the matching setter, and refuses the call when it cannot.
 * Call before sc_call_start().
 *
 * Errors: %SC_ERROR_INVALID_STATE after sc_call_start().
 *
 * Returns: %TRUE, or %FALSE with @error set.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_privacy(ScCall *call, ScPrivacyDecision *decision,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_event_func:
 * @func: (nullable): receives every event of the call
 * @user_data: (transfer full): passed to @func
 * @destroy: (nullable): frees @user_data when replaced or when the call dies
 * Since: 0.1
 */
SC_API void sc_call_set_event_func(ScCall *call, ScCallEventFunc func,
                                   gpointer user_data, GDestroyNotify destroy);

/**
 * sc_call_start:
 *
 * Connects to the signaling relay and joins the room. The offerer sends
 * its offer when the room has two participants.
 *
 * Errors: %SC_ERROR_INVALID_STATE when already started or when no signal
 * URL is set.
 * Returns: %TRUE when started; failures after this arrive as events.
 * Since: 0.1
 */
SC_API gboolean sc_call_start(ScCall *call, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_defer_ice:
 * @defer: %TRUE: reveal nothing about our network until the call is
 *   accepted (default %FALSE)
 *
 * Deferred ICE for an answerer (RFC 8827 §5.4's "suppress ICE negotiation
 * until the user has decided to answer"): until sc_call_accept(), the call
 * only talks to the signaling relay. No ICE agent exists, so no socket is
 * bound, no STUN server is contacted and no connectivity check can be
 * answered; no answer, candidate or end-of-candidates is sent. The peer's
 * offer is held (the first one; later ones are ignored) and announced
 * with an %SC_CALL_EVENT_INCOMING event: fields "origin" and "room" (the
 * relay room we wait in), "media" (the offered kinds, a JSON array),
 * "data_channel", "fingerprints" (the caller's a=fingerprint values, a
 * JSON array), "identity_present" (the offer has an a=identity) and
 * "identity" (the verified identity: %NULL until identity verification
 * exists). The answer, with its candidates, goes out on sc_call_accept().
 * sc_call_decline(), a local hangup, or the accept timeout
 * (sc_call_set_accept_timeout()) before that sends `bye` with reason
 * "declined" and ends the call with reason "hangup".
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for an offerer;
 * %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_defer_ice(ScCall *call, gboolean defer,
                                      GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_accept_timeout:
 * @seconds: how long a deferred call waits for sc_call_accept() after its
 *   %SC_CALL_EVENT_INCOMING event, 1 to 86400, or 0 for no limit; the
 *   default is 60
 *
 * When it runs out the call is declined as by sc_call_decline(), with the
 * detail "not accepted within N s".
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT out of range;
 * %SC_ERROR_INVALID_STATE after start.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_accept_timeout(ScCall *call, guint seconds,
                                           GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_accept:
 *
 * Accepts a deferred call announced by %SC_CALL_EVENT_INCOMING: ICE
 * gathers (binding its sockets, contacting the STUN server if one is
 * set), the answer goes out with our candidates, and the call goes on as
 * any other.
 *
 * Errors: %SC_ERROR_INVALID_STATE when no announced call waits for a
 * decision (not deferred, no offer yet, already accepted or ended).
 * Returns: %TRUE when accepted; failures after this arrive as events.
 * Since: 0.1
 */
SC_API gboolean sc_call_accept(ScCall *call, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_decline:
 *
 * Declines a deferred call announced by %SC_CALL_EVENT_INCOMING: sends
 * `bye` with reason "declined" and ends the call with reason "hangup",
 * detail "declined". The peer never got an address of ours.
 *
 * Errors: %SC_ERROR_INVALID_STATE when no announced call waits for a
 * decision.
 * Returns: %TRUE when declined.
 * Since: 0.1
 */
SC_API gboolean sc_call_decline(ScCall *call, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_hangup:
 *
 * Sends `bye`, closes every layer and ends the call with reason "hangup".
 * The `ended` event follows from the main context. With the data
 * channels' association up, every message sc_channel_send() accepted is
 * delivered and acknowledged first (SCTP graceful shutdown, then DTLS
 * close_notify, then `bye`), for at most 5 seconds; meanwhile
 * sc_channel_send() fails with %SC_ERROR_INVALID_STATE and a second
 * hangup does nothing. `ended` still comes exactly once.
 * Since: 0.1
 */
SC_API void sc_call_hangup(ScCall *call);

/**
 * sc_call_get_channel:
 * @label: (transfer none): channel label
 * @ordered: ordered delivery
 * @max_retransmits: -1 for reliable, else the retransmission limit
 * @max_lifetime_ms: -1 for reliable, else the lifetime in milliseconds
 *
 * Returns the open (or opening) channel with @label, opening one with these
 * options when there is none. At most one of @max_retransmits and
 * @max_lifetime_ms may be set.
 *
 * Errors: %SC_ERROR_INVALID_STATE when the call has no SCTP association,
 * %SC_ERROR_INVALID_ARGUMENT for conflicting options.
 *
 * Returns: (transfer none) (nullable): the channel, owned by the call
 *   until it closes (its `closed` event): the call then drops it, so take a
 *   reference with sc_channel_ref() to use it past that point.
 * Since: 0.1
 */
SC_API ScChannel *sc_call_get_channel(ScCall *call, const char *label,
                                      gboolean ordered, int max_retransmits,
                                      int max_lifetime_ms, GError **error);

/**
 * ScCallChannelFunc:
 * @call: (transfer none): the call
 * @channel: (transfer none): the channel that opened, owned by the call
 * @user_data: as given to sc_call_set_channel_func()
 *
 * Same rules as #ScChannelFunc.
 * Since: 0.2
 */
typedef void (*ScCallChannelFunc)(ScCall *call, ScChannel *channel,
                                  gpointer user_data);

/**
 * sc_call_set_channel_func:
 * @func: (nullable): called when a channel opens, the peer's or ours
 * @user_data: (transfer full): passed to @func
 * @destroy: (nullable): frees @user_data when replaced or when the call is
 *   freed
 *
 * The place to set a channel's functions (sc_channel_set_message_func(),
 * ...) before its first message arrives, for the channels the peer opens
 * (the W3C ondatachannel) as for ours: @func runs before the channel's own
 * state function. One function per call; sc_call_enable_bench_receiver()
 * sets it too.
 * Since: 0.2
 */
SC_API void sc_call_set_channel_func(ScCall *call, ScCallChannelFunc func,
                                     gpointer user_data,
                                     GDestroyNotify destroy);

/**
 * sc_call_start_bench:
 * @bytes: bytes to send
 * @chunk: message size
 *
 * Runs the data-channel benchmark of contract section 2 as sender, on the
 * channel labelled "bench" (opened ordered and reliable when there is
 * none); a `bench` event reports the result. The benchmark is an
 * application of the public channel API (src/bench/): it keeps at most
 * 4 MiB buffered on the channel and sends more when the buffered amount
 * falls to 1 MiB (sc_channel_set_buffered_amount_low_func()). The channel's
 * messages are the benchmark's from then on (no `message` events); its
 * `start` messages are answered as sc_call_enable_bench_receiver() does.
 *
 * Errors: %SC_ERROR_INVALID_STATE when the call has ended or a bench
 * runs, %SC_ERROR_INVALID_ARGUMENT when @chunk is 0 or larger than
 * 262144 bytes.
 * Since: 0.1
 */
SC_API gboolean sc_call_start_bench(ScCall *call, guint64 bytes, gsize chunk,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_enable_bench_receiver:
 *
 * Makes @call the receiver of contract section 2's benchmark on every
 * channel labelled "bench" that opens from now on, ours or the peer's: a
 * `start BYTES CHUNK` text message starts a count, the binary messages
 * that follow are checked against the pattern (byte i is i mod 251), and
 * once BYTES have arrived `done BYTES` is sent back and a `bench` event
 * reports them with "role" "receiver" and "pattern" "ok" or "mismatch".
 * The channel's messages are the benchmark's (no `message` events). Sets
 * the call's channel function (sc_call_set_channel_func()), replacing any
 * set before; call it before sc_call_start(). The `sealcall` program does.
 * Since: 0.2
 */
SC_API void sc_call_enable_bench_receiver(ScCall *call);

/**
 * sc_call_inspect_json:
 *
 * Returns: (transfer full): the security inspector report of contract
 *   section 4, one line of JSON, built from live state. Free with g_free().
 * Since: 0.1
 */
SC_API char *sc_call_inspect_json(ScCall *call) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_event_get_kind:
 * Since: 0.1
 */
SC_API ScCallEventKind sc_call_event_get_kind(const ScCallEvent *event);

/**
 * sc_call_event_get_string:
 * @field: (transfer none): a field name of the contract, such as "state"
 * Returns: (transfer none) (nullable): the field as text, valid during the
 *   callback; %NULL when the event has no such field.
 * Since: 0.1
 */
SC_API const char *sc_call_event_get_string(const ScCallEvent *event,
                                            const char *field);

/**
 * sc_call_event_get_end_reason:
 * Returns: the reason of an %SC_CALL_EVENT_ENDED event.
 * Since: 0.1
 */
SC_API ScEndReason sc_call_event_get_end_reason(const ScCallEvent *event);

/**
 * sc_call_event_new:
 * @kind: the event's kind
 *
 * Starts an event that an application built on the call reports through
 * the call's event function (sc_call_post_event()), as the benchmark does.
 * The `event` field is set from @kind.
 *
 * Returns: (transfer full): the event; post it, or free it with
 *   sc_call_event_free().
 * Since: 0.2
 */
SC_API ScCallEvent *sc_call_event_new(ScCallEventKind kind)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_event_free:
 * @event: (nullable): an event of sc_call_event_new() that was not posted
 * Since: 0.2
 */
SC_API void sc_call_event_free(ScCallEvent *event);

/**
 * sc_call_event_set_string:
 * @field: (transfer none): the field's name
 * @value: (transfer none) (nullable): its value (text that is not UTF-8
 *   gets U+FFFD for each bad sequence); %NULL: JSON null
 *
 * Sets (or replaces) a field; fields keep the order of their first setting.
 * Since: 0.2
 */
SC_API void sc_call_event_set_string(ScCallEvent *event, const char *field,
                                     const char *value);

/**
 * sc_call_event_set_int:
 * Sets (or replaces) an integer field. Since: 0.2
 */
SC_API void sc_call_event_set_int(ScCallEvent *event, const char *field,
                                  gint64 value);

/**
 * sc_call_event_set_double:
 * Sets (or replaces) a number field. Since: 0.2
 */
SC_API void sc_call_event_set_double(ScCallEvent *event, const char *field,
                                     double value);

/**
 * sc_call_post_event:
 * @event: (transfer full): an event of sc_call_event_new() of kind
 *   %SC_CALL_EVENT_BENCH or %SC_CALL_EVENT_ERROR (the others are the
 *   call's own)
 *
 * Queues @event for the call's event function, behind the events already
 * queued; it is delivered from the main context like the call's own.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for another kind,
 * %SC_ERROR_INVALID_STATE once the call has ended (after its `ended` event
 * nothing follows). @event is freed either way.
 * Returns: %TRUE when queued.
 * Since: 0.2
 */
SC_API gboolean sc_call_post_event(ScCall *call, ScCallEvent *event,
                                   GError **error);

/**
 * sc_call_event_to_json:
 * Returns: (transfer full): the event as one line of contract JSON
 *   (`{"event":...}`), without a newline. Free with g_free().
 * Since: 0.1
 */
SC_API char *sc_call_event_to_json(const ScCallEvent *event)
    G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScCall, sc_call_unref)

G_END_DECLS

#endif /* SC_CALL_H */
