/* src/sdp - JSEP offer/answer (RFC 8829) on top of GStreamer's GstSDPMessage,
 * ICE candidate lines (RFC 8839 §5.1, mDNS draft), DTLS attributes
 * (RFC 8122 fingerprint, RFC 5763/8842 setup and tls-id), data channel
 * m-sections (RFC 8841) and RTP media m-sections bundled with the data
 * (RFC 8843 BUNDLE, RFC 3264 directions, Opus RFC 7587, VP8 RFC 7741,
 * RFC 4585/5104 feedback, RFC 5576 a=ssrc, RFC 8830 a=msid, RFC 7022
 * CNAMEs).
 *
 * Pure module: no I/O, no timers, no globals. GstSDPMessage does the SDP
 * syntax (gst_init() is not needed for it); this module adds the JSEP rules.
 * Every function may be called from any thread; the returned structures have
 * a single owner.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SDP_H
#define SC_SDP_H

#include "core/core.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* ICE candidates (RFC 8839 §5.1)                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    char *foundation;  /* 1-32 ice-chars */
    guint component;   /* 1..256 */
    char *transport;   /* "udp" or "tcp", lower case */
    guint32 priority;
    char *address;     /* IPv4, IPv6 or an mDNS name "<label>.local", as written */
    guint16 port;
    char *type;        /* "host", "srflx", "prflx" or "relay" (lower case) */
    char *raddr;       /* related address, NULL if absent */
    guint16 rport;     /* related port, 0 if absent */
    char *tcptype;     /* "active", "passive" or "so"; NULL unless tcp */
    char *ufrag;       /* "ufrag" extension, NULL if absent (or malformed) */
    gboolean mdns;     /* @address is an mDNS .local name (needs resolving) */
} ScIceCandidate;

/* Parses "candidate:..." or "a=candidate:..." (leading/trailing white space
 * and CR/LF are ignored). Unknown extensions (generation, network-id,
 * network-cost, ...) are ignored. FQDNs other than "<label>.local" (one dot),
 * transports other than UDP/TCP, unknown candidate types, TCP candidates
 * without a valid tcptype, and out-of-range numbers are rejected.
 * Returns: (transfer full) (nullable): free with sc_ice_candidate_free();
 * NULL with %SC_ERROR_SDP_SYNTAX set on failure. */
ScIceCandidate *sc_ice_candidate_parse(const char *line, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* "candidate:F C udp P ADDR PORT typ T [raddr A rport P] [tcptype X]"
 * (no "a=", no line end, no ufrag). (transfer full): g_free(). */
char *sc_ice_candidate_to_string(const ScIceCandidate *c)
    G_GNUC_WARN_UNUSED_RESULT;

ScIceCandidate *sc_ice_candidate_copy(const ScIceCandidate *c)
    G_GNUC_WARN_UNUSED_RESULT;
void sc_ice_candidate_free(ScIceCandidate *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScIceCandidate, sc_ice_candidate_free)

/* ------------------------------------------------------------------ */
/* Fingerprints (RFC 8122 §5): the one parser and the one rule         */
/* ------------------------------------------------------------------ */

/* Ordered by strength: a larger value is a stronger hash. The values are
 * part of the SAS input (keys.h, sc_fingerprint_sas()): never renumber. */
typedef enum {
    SC_HASH_SHA1,
    SC_HASH_SHA224,
    SC_HASH_SHA256,
    SC_HASH_SHA384,
    SC_HASH_SHA512,
    SC_HASH_N
} ScHash;

#define SC_FINGERPRINT_MAX_DIGEST 64

/* A parsed a=fingerprint value. A plain value type, copy freely. */
typedef struct {
    ScHash hash;
    guint8 digest[SC_FINGERPRINT_MAX_DIGEST];
    gsize len; /* digest length of @hash in bytes */
} ScFingerprint;

/* The SDP name of @hash ("sha-256"); NULL for an invalid value. */
const char *sc_hash_to_string(ScHash hash);
/* Digest length of @hash in bytes; 0 for an invalid value. */
gsize sc_hash_digest_len(ScHash hash);
/* The one rule: TRUE for SHA-256, SHA-384 and SHA-512. RFC 8827 §6.5 makes
 * SHA-256 mandatory and RFC 8122 §5 prefers it; SHA-1 is broken for
 * collisions and SHA-224 is weaker than what every peer must support, so
 * neither is ever used to authenticate a peer. */
gboolean sc_hash_is_accepted(ScHash hash);

/* Parses an a=fingerprint value "sha-256 AB:CD:..." (RFC 8122 §5): a hash
 * name (compared case-insensitively), exactly one space, HEX HEX pairs
 * separated by ':' (either case; RFC 8122 asks for upper case but real
 * stacks are lenient), exactly as many as the hash has bytes; leading and
 * trailing white space is ignored. Only accepted hashes
 * (sc_hash_is_accepted()) parse. Errors: %SC_ERROR_NOT_SUPPORTED for a
 * well-formed name of another hash (sha-1, sha-224, md2, md5 or any other
 * token: the caller ignores that line, RFC 8122 §5.1); %SC_ERROR_SDP_SYNTAX
 * for anything else. @out is written only on success. */
gboolean sc_fingerprint_parse(const char *text, ScFingerprint *out,
                              GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* "sha-256 AB:CD:..." with upper-case hex. (transfer full): g_free(). */
char *sc_fingerprint_to_string(const ScFingerprint *fp)
    G_GNUC_WARN_UNUSED_RESULT;

/* sc_fingerprint_parse() then sc_fingerprint_to_string(): the canonical
 * text of an accepted value, or NULL with the parser's error. */
char *sc_fingerprint_normalize(const char *text, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* TRUE if both have the same hash and digest (not constant-time: for
 * comparing public values such as two parsed SDP attributes). */
gboolean sc_fingerprint_equal(const ScFingerprint *a, const ScFingerprint *b);

/* ------------------------------------------------------------------ */
/* Attribute value helpers (shared by parse and write)                 */
/* ------------------------------------------------------------------ */

/* TRUE if @s is @min..@max ice-chars (ALPHA / DIGIT / "+" / "/"). */
gboolean sc_sdp_is_ice_chars(const char *s, gsize min, gsize max);

/* TRUE if @s is a valid tls-id value (RFC 8842 §4: 20-255 chars of
 * ALPHA / DIGIT / "+" / "/" / "-" / "_"). */
gboolean sc_sdp_tls_id_is_valid(const char *s);

/* ------------------------------------------------------------------ */
/* Parsed session descriptions                                         */
/* ------------------------------------------------------------------ */

typedef enum { SC_SDP_TYPE_OFFER, SC_SDP_TYPE_ANSWER } ScSdpType;
typedef enum {
    SC_SDP_SETUP_ACTPASS,
    SC_SDP_SETUP_ACTIVE,
    SC_SDP_SETUP_PASSIVE
} ScSdpSetup;

/* "actpass", "active", "passive" (NULL for an invalid value). */
const char *sc_sdp_setup_to_string(ScSdpSetup setup);
/* "offer", "answer". */
const char *sc_sdp_type_to_string(ScSdpType type);

/* A media direction (RFC 3264 §5.1) from the point of view of whoever wrote
 * the description: bit 0 = it sends, bit 1 = it receives. In a remote
 * description, sc_sdp_direction_reverse() gives ours. */
typedef enum {
    SC_SDP_DIRECTION_INACTIVE = 0,
    SC_SDP_DIRECTION_SENDONLY = 1,
    SC_SDP_DIRECTION_RECVONLY = 2,
    SC_SDP_DIRECTION_SENDRECV = 3,
} ScSdpDirection;

#define SC_SDP_DIRECTION_SENDS(d) (((guint)(d) & 1u) != 0)
#define SC_SDP_DIRECTION_RECEIVES(d) (((guint)(d) & 2u) != 0)

/* "inactive", "sendonly", "recvonly", "sendrecv" (NULL for a bad value). */
const char *sc_sdp_direction_to_string(ScSdpDirection dir);
/* sendonly <-> recvonly; sendrecv and inactive stay. */
ScSdpDirection sc_sdp_direction_reverse(ScSdpDirection dir);

/* RTCP feedback (a=rtcp-fb, RFC 4585 §4.2, RFC 5104 §7.1) as flags. We
 * implement and offer only NACK, NACK_PLI and CCM_FIR; the others are
 * recognised when parsing and never written. */
typedef enum {
    SC_SDP_RTCP_FB_NACK = 1 << 0,         /* "nack" */
    SC_SDP_RTCP_FB_NACK_PLI = 1 << 1,     /* "nack pli" */
    SC_SDP_RTCP_FB_CCM_FIR = 1 << 2,      /* "ccm fir" */
    SC_SDP_RTCP_FB_GOOG_REMB = 1 << 3,    /* "goog-remb" (parsed only) */
    SC_SDP_RTCP_FB_TRANSPORT_CC = 1 << 4, /* "transport-cc" (parsed only) */
    /* ScSdpLocalMedia.rtcp_fb only: "no feedback at all" (0 = default) */
    SC_SDP_RTCP_FB_NONE = 1 << 30,
} ScSdpRtcpFb;

/* The feedback we can write: what sc_sdp_create_offer/answer keep from a
 * ScSdpLocalMedia.rtcp_fb mask. */
#define SC_SDP_RTCP_FB_WRITABLE                                               \
    (SC_SDP_RTCP_FB_NACK | SC_SDP_RTCP_FB_NACK_PLI | SC_SDP_RTCP_FB_CCM_FIR)

/* One RTP payload format of a media section (a=rtpmap + a=fmtp + a=rtcp-fb).
 * Filled only for sections whose proto contains "RTP"; formats without a
 * (well-formed) a=rtpmap have no entry. */
typedef struct {
    guint pt;          /* payload type 0..127 */
    char *encoding;    /* "opus", "VP8", ... as written */
    guint clock_rate;
    guint channels;    /* 0 if not given */
    char *fmtp;        /* a=fmtp parameters after the payload type, or NULL */
    guint rtcp_fb;     /* ScSdpRtcpFb flags: a=rtcp-fb lines for this payload
                        * type or for "*" */
} ScSdpCodec;

typedef struct {
    char *media;       /* "application", "audio", "video", other */
    char *proto;       /* as written */
    guint16 port;      /* 0 = rejected (or bundle-only) */
    char *mid;         /* NULL if none */
    gboolean bundle_only;      /* a=bundle-only */
    gboolean is_datachannel;   /* UDP/DTLS/SCTP|TCP/DTLS/SCTP webrtc-datachannel,
                                * or legacy DTLS/SCTP + a=sctpmap */
    gboolean legacy_sctpmap;   /* the legacy DTLS/SCTP <port> + sctpmap form */
    guint16 sctp_port;         /* 0 if absent */
    guint64 max_message_size;  /* 65536 if absent; 0 = unlimited */
    char *direction;   /* sendrecv/sendonly/recvonly/inactive (media level,
                        * else session level, else "sendrecv") */
    GPtrArray *formats;        /* char *: non-empty fmt tokens */
    GPtrArray *codecs;         /* ScSdpCodec *: RTP sections only */
    /* ICE/DTLS attributes written at media level (NULL/FALSE/empty if absent) */
    char *ice_ufrag, *ice_pwd;
    ScSdpSetup setup;
    gboolean has_setup;
    char *tls_id;
    GPtrArray *fingerprints;   /* char *: normalised, see the desc field */
    GPtrArray *candidates;     /* ScIceCandidate *: well-formed a=candidate
                                * lines (others are ignored, RFC 8839 §5.1) */
    gboolean end_of_candidates;
    gboolean rtcp_mux;

    /* --- RTP media (audio/video); see sc_sdp_desc_find_media() --- */
    ScSdpDirection dir;        /* @direction as a value */
    /* TRUE for the data section (@data_section), and for the first audio and
     * the first video section that we can use: not rejected (port != 0 or
     * bundle-only), proto UDP/TLS/RTP/SAVPF or TCP/TLS/RTP/SAVPF, a=rtcp-mux
     * (JSEP §5.1.1: bundled media needs it), an a=mid in the BUNDLE group
     * that also holds the data section (we run one transport), and a
     * supported codec (@codec). Every other section is FALSE. In an offer,
     * these are the sections sc_sdp_create_answer() accepts (if the local
     * wishes enable the kind); in an answer, what the peer accepted. */
    gboolean accepted;
    /* (transfer none): the first format on the m= line that we support:
     * opus/48000/2 (RFC 7587) in audio, VP8/90000 (RFC 7741) in video.
     * Points into @codecs; NULL if none (and for other media). */
    const ScSdpCodec *codec;
    gboolean rtcp_rsize;       /* a=rtcp-rsize (RFC 5506) */
    GArray *ssrcs;             /* guint32: a=ssrc ids (RFC 5576) in order of
                                * appearance, no duplicates, at most
                                * SC_SDP_MAX_SSRCS; may be empty */
    guint32 ssrc;              /* the primary SSRC: first id of the first
                                * a=ssrc-group:FID, else the first a=ssrc;
                                * meaningless when @ssrcs is empty */
    guint32 rtx_ssrc;          /* second id of that FID group, 0 if none */
    char *cname;               /* the first a=ssrc:N cname: value, or NULL */
    char *msid_stream;         /* first a=msid (RFC 8830) stream id, or NULL */
    char *msid_track;          /* its track id (appdata), or NULL */
} ScSdpSection;

typedef struct {
    ScSdpType type;
    /* Effective transport attributes: those of the transport section (see
     * below) at media level, else at session level. */
    char *ice_ufrag, *ice_pwd;
    gboolean ice_trickle;      /* a=ice-options:trickle (session or transport section) */
    gboolean ice_lite;         /* a=ice-lite (session level) */
    guint ice_pacing_ms;       /* a=ice-pacing (session level), 0 if absent */
    GPtrArray *fingerprints;   /* char *: "sha-256 AB:CD:..." as printed by
                                * sc_fingerprint_to_string(); accepted hashes
                                * only, at least one, no duplicates */
    ScSdpSetup setup;          /* RFC 4145 default "active" if absent */
    char *tls_id;              /* NULL if absent */
    char *identity;            /* a=identity value, NULL if absent */
    char **bundle_mids;        /* the BUNDLE group (the one holding the data
                                * section, else the first); NULL if none */
    GPtrArray *sections;       /* ScSdpSection * in m-line order */
    int data_section;          /* index of the data channel section (first
                                * one not rejected) or -1 */
    int transport_section;     /* index of the section whose transport carries
                                * the data: the BUNDLE-tagged section if the
                                * data section is bundled, else the data
                                * section, else the BUNDLE-tagged or first
                                * section */
    char *session_id;          /* o= sess-id as written */
    guint64 session_version;
} ScSdpDesc;

/* What sc_sdp_parse() takes, checked before any other work, so that the
 * cost of a description (remote descriptions come from anyone in the relay
 * room) is bounded and linear in its size:
 * - SC_SDP_MAX_SIZE bytes of text: a browser's offer with audio, video,
 *   data and a dozen candidates is 5-15 KB; 128 KiB leaves room for many
 *   candidates and sections, and is half the signaling frame limit.
 * - SC_SDP_MAX_SECTIONS m-sections: browsers send one per track plus one
 *   for data (1-3 for a call like ours); we use one audio, one video and
 *   one data section and reject the others, so 64 is plenty for a peer
 *   that offers more tracks than we take.
 * - SC_SDP_MAX_FINGERPRINTS different accepted a=fingerprint values per
 *   scope (session or m-section): one per certificate and hash; RFC 8122
 *   peers send one or two. */
#define SC_SDP_MAX_SIZE (128 * 1024)
#define SC_SDP_MAX_SECTIONS 64
#define SC_SDP_MAX_FINGERPRINTS 8
/* At most this many a=ssrc ids are kept per section (ScSdpSection.ssrcs);
 * later ones are ignored (simulcast with RTX uses 6). */
#define SC_SDP_MAX_SSRCS 32

/* Parses and validates a remote (or our own) description. Validation,
 * failing with %SC_ERROR_SDP_SYNTAX and a message naming the problem unless
 * said otherwise:
 * - size and m-section limits (above; the message names the limit);
 * - GstSDPMessage syntax; v=0, o= and s= present; at least one m=; m-lines
 *   with a port <= 65535, token media/proto, at least one format;
 * - a=mid values are unique tokens; BUNDLE mids name existing sections;
 * - ICE: a=ice-ufrag (4-256 ice-chars) and a=ice-pwd (22-256) present in the
 *   effective scope; bundled sections that repeat them must agree;
 * - DTLS: at least one a=fingerprint in the effective scope (media-level
 *   lines replace session-level ones); lines with a hash that
 *   sc_hash_is_accepted() refuses (sha-1, sha-224, md2, md5, unknown) are
 *   ignored (RFC 8122 §5.1), the others must parse; if none is left, the
 *   peer cannot be authenticated: %SC_ERROR_FINGERPRINT_MISMATCH, "no
 *   acceptable a=fingerprint" and why; bundled sections that repeat
 *   them must agree; a=setup: holdconn refused, answers must say active or
 *   passive, offers may say actpass, active or passive (older endpoints);
 *   a=tls-id syntax;
 * - a data channel section that is not rejected needs a=sctp-port (or the
 *   legacy a=sctpmap); a=max-message-size must be a number.
 * Ill-formed a=candidate lines are skipped, not errors (RFC 8839 §5.1).
 * Returns: (transfer full) (nullable): free with sc_sdp_desc_free(). */
ScSdpDesc *sc_sdp_parse(ScSdpType type, const char *text, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void sc_sdp_desc_free(ScSdpDesc *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScSdpDesc, sc_sdp_desc_free)

/* Returns the section whose a=mid is @mid, or -1. */
int sc_sdp_desc_find_mid(const ScSdpDesc *d, const char *mid);

/* The accepted section (see ScSdpSection.accepted) of media @kind
 * ("audio", "video" or "application"), or NULL. (transfer none) */
const ScSdpSection *sc_sdp_desc_find_media(const ScSdpDesc *d,
                                           const char *kind);
/* Its index in @d->sections, or -1. */
int sc_sdp_desc_find_media_index(const ScSdpDesc *d, const char *kind);

/* The outcome of an offer/answer exchange for one kind of media, from our
 * point of view. All pointers borrow from the two descriptions. */
typedef struct {
    guint index;                   /* m-line index (same in both) */
    const char *mid;
    ScSdpDirection direction;      /* ours: SENDS = we send RTP, RECEIVES = we
                                    * expect RTP (local ∩ reversed remote) */
    const ScSdpCodec *send_codec;  /* the remote's entry: the payload type to
                                    * put in what we send, and its a=fmtp
                                    * (its receive preferences) */
    const ScSdpCodec *recv_codec;  /* our entry: the payload type we receive */
    guint rtcp_fb;                 /* ScSdpRtcpFb both sides listed for it */
    const ScSdpSection *local;     /* our section */
    const ScSdpSection *remote;    /* theirs: ssrcs, ssrc, rtx_ssrc, cname,
                                    * msid_stream, msid_track */
} ScSdpMedia;

/* Fills @out for media @kind ("audio" or "video") negotiated between @local
 * (our description, parsed back: our offer or our answer) and @remote (the
 * peer's answer or offer). One must be an offer, the other an answer.
 * Returns FALSE (and leaves @out zeroed) if the answer did not accept a
 * section of that kind, or if the two descriptions do not match there
 * (index, media, mid, codec). */
gboolean sc_sdp_media_negotiated(const ScSdpDesc *local,
                                 const ScSdpDesc *remote, const char *kind,
                                 ScSdpMedia *out);

/* TRUE if a trickled candidate's sdpMid / sdpMLineIndex names the data
 * section or a section bundled with it (they share its transport). @mid is
 * preferred; @mline_index is used when @mid is NULL (-1 = absent). */
gboolean sc_sdp_desc_candidate_mid_ok(const ScSdpDesc *d, const char *mid,
                                      int mline_index);

/* ------------------------------------------------------------------ */
/* Producing descriptions                                              */
/* ------------------------------------------------------------------ */

/* Our wishes for one kind of RTP media. All zero = "none": the kind is not
 * offered, and offered sections of that kind are rejected (port 0). */
typedef struct {
    gboolean enabled;          /* offer it / accept it when offered */
    ScSdpDirection direction;  /* what we want; the answer intersects it
                                * with the offer (RFC 3264 §6.1) */
    guint32 ssrc;              /* our SSRC (random, not 0); needed when
                                * @direction sends */
    const char *track_id;      /* a=msid track id (1-64 token chars, e.g.
                                * random); needed when @direction sends */
    guint rtcp_fb;             /* ScSdpRtcpFb we implement, masked with
                                * SC_SDP_RTCP_FB_WRITABLE; 0 = the default
                                * (video: nack, nack pli, ccm fir; audio:
                                * none); SC_SDP_RTCP_FB_NONE = none */
} ScSdpLocalMedia;

typedef struct {
    const char *ice_ufrag, *ice_pwd;  /* 4-32 / 22-256 ice-chars */
    const char *const *fingerprints;  /* NULL-terminated "sha-256 AB:..." */
    const char *tls_id;               /* NULL: no a=tls-id */
    guint16 sctp_port;                /* 5000; must not be 0 */
    guint64 max_message_size;         /* 262144; 0 = unlimited */
    guint64 session_id;               /* random, < 2^63 */
    guint64 session_version;
    const char *identity;             /* a=identity value or NULL */
    guint ice_pacing_ms;              /* a=ice-pacing (RFC 8839); 0: omit */
    /* RTP media; zero-initialised = data only (the descriptions are then
     * exactly what they were before media existed). */
    ScSdpLocalMedia audio, video;
    const char *cname;      /* RTCP CNAME for a=ssrc (RFC 7022: 16 base64
                             * chars from 96 random bits; 1-255 visible
                             * ASCII); needed when a kind sends */
    const char *stream_id;  /* a=msid stream id shared by audio and video
                             * (1-64 token chars); needed when a kind sends */
    /* Candidates gathered so far ("candidate:..." lines, NULL-terminated;
     * NULL = none yet) and whether gathering has finished. RFC 8838 §4.1:
     * an initial description may carry any mix of candidates. They are
     * written (a=candidate, then a=end-of-candidates if
     * @end_of_candidates) in the one section whose transport carries
     * everything: the first m-section of an offer, the first mid of the
     * answer's BUNDLE group (else its data section). The m= port and c=
     * address keep the trickle placeholders (9, IN IP4 0.0.0.0), which no
     * peer may treat as an ICE failure (RFC 8839 §4.2.5, item 2), so no
     * later offer is needed to align a "default candidate" with the
     * selected pair. */
    const char *const *candidates;
    gboolean end_of_candidates;
    /* Answers only: the role of an existing DTLS association that a later
     * offer continues (JSEP §5.3.2: "consistent with the existing DTLS
     * association"), ACTIVE or PASSIVE; ACTPASS (0, the default) answers
     * the offer's role. */
    ScSdpSetup answer_setup;
} ScSdpLocal;

/* Without media (@local->audio and ->video not enabled), a data-only offer:
 * one "m=application 9 UDP/DTLS/SCTP webrtc-datachannel" section with mid
 * "0" in a BUNDLE group, a=setup:actpass, trickle.
 * With media: "m=audio 9 UDP/TLS/RTP/SAVPF 111" (opus/48000/2, fmtp
 * minptime=10;useinbandfec=1) if audio is enabled, then
 * "m=video 9 UDP/TLS/RTP/SAVPF 96" (VP8/90000 + the a=rtcp-fb lines of
 * video.rtcp_fb) if video is enabled, then the data section; mids "0", "1",
 * ... in that order, all in one BUNDLE group, every section with the same
 * ICE/DTLS attributes, a=rtcp-mux, a=rtcp-rsize, the direction, and when it
 * sends a=msid plus a=ssrc cname/msid; session-level a=msid-semantic:WMS *.
 * Errors: %SC_ERROR_INVALID_ARGUMENT if @local holds an invalid value.
 * Returns: (transfer full) (nullable): CRLF-terminated SDP text, g_free(). */
char *sc_sdp_create_offer(const ScSdpLocal *local, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* An answer to @offer (which must be of type OFFER): every m-line mirrored in
 * order with the same mid; the data section accepted in the offered form
 * (UDP/TCP/DTLS/SCTP webrtc-datachannel, or legacy DTLS/SCTP + a=sctpmap);
 * the offer's accepted audio / video section (ScSdpSection.accepted)
 * accepted if @local enables that kind: the offered proto, one format (the
 * offerer's payload type for Opus or VP8; no rtx, red or FEC), our own fmtp
 * for Opus (minptime=10;useinbandfec=1), the a=rtcp-fb lines offered for
 * that payload type that @local implements, a=rtcp-mux, a=rtcp-rsize if
 * offered, the direction reverse(offered) ∩ local wish (RFC 3264 §6.1), and
 * when that direction sends a=msid and a=ssrc. Every other section is
 * rejected (port 0, a=inactive) and left out of the BUNDLE group, which
 * lists the accepted mids in the offer's group order.
 * BUNDLE tag: RFC 8843 §7.3.3 / JSEP §5.3.1 say that rejecting the
 * offerer-tagged section (the first mid of the group, audio in browser
 * offers) rejects the whole group. We do not follow that for a section we
 * reject: the data section stays accepted and the remaining accepted
 * sections form the answer's group (Chromium and Firefox accept this). With
 * media enabled, the tagged section is normally accepted.
 * a=setup answers the offer's role (active for actpass), or is
 * @local->answer_setup when that is set; a=tls-id and
 * a=ice-options:trickle only if the offer had them.
 * Errors: %SC_ERROR_INVALID_ARGUMENT for a bad @local or a non-offer;
 * %SC_ERROR_SDP_SYNTAX "offer has no data channel section".
 * Returns: (transfer full) (nullable): CRLF-terminated SDP text, g_free(). */
char *sc_sdp_create_answer(const ScSdpLocal *local, const ScSdpDesc *offer,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

#endif /* SC_SDP_H */
