/* src/media/media.h - audio (Opus) and video (VP8) through GStreamer around
 * our own transport: RTP payloading, rtpbin sessions with RTCP SR/RR and
 * feedback (PLI), decoding, playback and recording.
 *
 * Threading: every function must be called from the thread that iterates
 * the GMainContext given to sc_media_session_new(). GStreamer's streaming
 * threads never touch caller state: packets and events are marshalled to
 * that context (a GAsyncQueue drained by a GSource attached to it).
 *
 * Callbacks and re-entrancy:
 *  - No callback runs from inside a call to this module: cb->send() and
 *    cb->on_flow() run only from sources attached to the context (the packet
 *    queue, the 500 ms flow timer, the bus watch).
 *  - Callbacks may call any function of this module, including
 *    sc_media_session_stop() and sc_media_session_free() (the free is then
 *    deferred until the callback returns; no further callback runs).
 *  - sc_media_session_stop() and _free() never call a callback.
 *  - cb->send() runs in bursts: one dispatch drains every packet the
 *    pipeline produced since the last one (a video frame is 1-3 packets of at
 *    most 1100 bytes, leaving room for SRTP and TURN; Opus is one packet per
 *    20 ms). RTCP (SR/RR with our CNAME, PLI) comes from rtpbin about once a
 *    second per RTP session, earlier for feedback.
 *
 * Latency: receive -> decoder is the jitter buffer (100 ms) plus decoding;
 * capture -> cb->send() is the encoder (no lookahead) plus one main-loop
 * wake-up.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_MEDIA_H
#define SC_MEDIA_H

#include "core/core.h"

G_BEGIN_DECLS

typedef enum { SC_MEDIA_AUDIO, SC_MEDIA_VIDEO, SC_MEDIA_N_KINDS } ScMediaKind;

const char *sc_media_kind_to_string(ScMediaKind kind);

/* All media of one call (BUNDLE: one transport, one RTP session per kind). */
typedef struct ScMediaSession ScMediaSession;

typedef struct {
    /* One clear RTP or RTCP packet (borrowed) to protect and send. */
    void (*send)(gpointer user_data, const guint8 *buf, gsize len,
                 gboolean is_rtcp);
    /* Flow state per kind and direction: @flowing TRUE when the first RTP
     * packet passes (and again after a stop), FALSE after ~2 s without RTP
     * packets or after a pipeline error; @packets is the running count. */
    void (*on_flow)(gpointer user_data, ScMediaKind kind, gboolean send,
                    gboolean flowing, guint64 packets);
} ScMediaCallbacks;

typedef struct {
    ScMediaKind kind;
    guint8 payload_type;  /* from SDP; 0-127 (Opus: 96-127) */
    guint clock_rate;     /* 48000 Opus, 90000 VP8; 0 = the codec's */
    guint channels;       /* Opus: 2 in SDP (informative) */
    guint32 ssrc;         /* our SSRC (random, chosen by the caller; not 0xffffffff) */
    gboolean send, recv;  /* from the negotiated direction */
    /* gst-launch description of a live source ("pulsesrc", "v4l2src");
     * NULL = audiotestsrc 440 Hz sine / videotestsrc ball, both live. Video
     * is scaled and rate-limited to 320x240 at 15 fps, ~500 kbit/s VP8. */
    const char *source;
    /* Video: most frames between periodic keyframes (0 = 300, i.e. 20 s at
     * 15 fps); keyframes are also produced on the peer's PLI/FIR. */
    guint keyframe_max_dist;
    /* The peer's SSRCs signalled for this section (a=ssrc, RFC 5576; RTX
     * and FEC ones included), copied; may be empty. Received RTP and RTCP
     * naming other SSRCs is dropped before rtpbin, except for at most
     * SC_SSRC_GUARD_LEARN_MAX learned ones (media/ssrc-guard.h). */
    const guint32 *remote_ssrcs;
    guint n_remote_ssrcs;
} ScMediaTrack;

/* @log_id: short id for log lines; @cname: RTCP CNAME (RFC 7022). @cb is
 * copied. Errors: SC_ERROR_NOT_SUPPORTED when GStreamer cannot start. */
ScMediaSession *sc_media_session_new(GMainContext *ctx, const char *log_id,
                                     const char *cname,
                                     const ScMediaCallbacks *cb,
                                     gpointer user_data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Before start; at most one track per kind, distinct payload types.
 * Errors: SC_ERROR_INVALID_STATE (started), SC_ERROR_INVALID_ARGUMENT (bad
 * parameters or source description), SC_ERROR_NOT_SUPPORTED (a GStreamer
 * plugin is missing). */
gboolean sc_media_session_add_track(ScMediaSession *s, const ScMediaTrack *t,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Before start. Where received media goes. @record_path NULL: audio plays on
 * autoaudiosink when @play_audio (else it is decoded and discarded); video is
 * decoded and discarded (frames counted). With a path: Ogg/Opus when only
 * audio is received, WebM (VP8 + Opus) when video is received; the file is
 * finalized by sc_media_session_stop(). Default: no recording, no playback. */
void sc_media_session_set_record(ScMediaSession *s, const char *record_path,
                                 gboolean play_audio);

/* Call once DTLS is connected: nothing is produced before. Errors:
 * SC_ERROR_INVALID_STATE (no track, or started twice), SC_ERROR_INTERNAL. */
gboolean sc_media_session_start(ScMediaSession *s, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Stops (@sending FALSE) or resumes sending @kind at once, before or
 * after start (a track added stopped sends nothing until resumed). While
 * stopped no RTP packet of @kind reaches cb->send() (RTCP goes on), the
 * source's frames are dropped before the encoder, and a live source (a
 * camera, a microphone, the live test sources) is stopped: set to NULL,
 * so the device is closed (its light goes off) until resumed. The send
 * flow is "stopped" without a cb->on_flow() (the caller tells it), and
 * the first packet after resuming notifies "flowing". Resuming restarts
 * the source (its timestamps follow the pipeline's running time, so RTP
 * timestamps follow wall time across the gap) and video starts with a VP8
 * keyframe. Idempotent. Errors: SC_ERROR_INVALID_ARGUMENT (no sending
 * track of @kind), SC_ERROR_INVALID_STATE (stopped), SC_ERROR_INTERNAL
 * (the source does not start again, e.g. the device is gone or busy; the
 * kind stays stopped). */
gboolean sc_media_session_set_sending(ScMediaSession *s, ScMediaKind kind,
                                      gboolean sending, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* TRUE while the capture source of @kind runs (its device is open):
 * FALSE without a sending track of @kind, before start, after stop, and
 * while sending is stopped (for a live source). */
gboolean sc_media_session_is_capturing(ScMediaSession *s, ScMediaKind kind);

/* One clear RTP or RTCP packet from the peer (copied; @buf stays the
 * caller's). RTP is routed by payload type to the receiving track and
 * passes only from an SSRC that track accepts (signalled or learned, see
 * ScMediaTrack.remote_ssrcs), its CSRC list removed; RTCP is cut down,
 * per RTP session, to the parts about SSRCs that session accepts and our
 * own (media/ssrc-guard.h). Returns SC_OK (RTCP: even when nothing of it
 * was kept), or why the packet was dropped (and counted): SC_DROP_STATE
 * (not started / stopped), SC_DROP_MALFORMED, SC_DROP_UNKNOWN (payload
 * type not negotiated for reception), SC_DROP_NO_ROUTE (RTP from an SSRC
 * the track does not accept). */
ScStatus sc_media_session_receive(ScMediaSession *s, const guint8 *buf,
                                  gsize len, gboolean is_rtcp);

/* Sends EOS through the receive chains, waits (at most ~5 s) until the
 * recording is finalized, then stops the pipeline. No callback runs after
 * it. Idempotent. */
void sc_media_session_stop(ScMediaSession *s);

/* Stops if needed and frees. NULL-safe. */
void sc_media_session_free(ScMediaSession *s);

typedef struct {
    guint64 packets_sent, packets_received, bytes_sent, bytes_received;
    guint64 frames_decoded;  /* decoder output buffers (video frames, audio chunks) */
    guint32 remote_ssrc;     /* SSRC of the last RTP packet received, 0 = none */
    /* RTP packets of this kind dropped because no SSRC of the peer's
     * that the track accepts sent them */
    guint64 ssrc_refused;
} ScMediaStats;

/* One direction's reception quality from RTCP (RFC 3550 §6.4.1). */
typedef struct {
    gboolean have;          /* FALSE: no report yet; the rest is zero */
    guint64 packets_lost;   /* cumulative, clamped to [0, packets] */
    guint8 fraction_lost;   /* of 256, over the last report interval */
    gint64 jitter_us;       /* interarrival jitter; -1 unknown or beyond
                             * SC_MEDIA_JITTER_MAX_US */
} ScMediaReport;

#define SC_MEDIA_JITTER_MAX_US (10 * G_USEC_PER_SEC)

typedef struct {
    /* RTP bits/s (headers included, SRTP and below not) over the last
     * second, from our own counters */
    guint64 bitrate_sent, bitrate_received;
    /* The peer's receiver report on what we send: hostile input, each
     * number clamped or dropped (-1) when implausible. */
    ScMediaReport sent;
    /* Ours on what we receive (rtpbin's, from the peer's sequence numbers
     * and timestamps: clamped the same way). */
    ScMediaReport received;
    /* From the peer's LSR/DLSR (RFC 3550 §6.4.1) as rtpbin computed it on
     * arrival, only when LSR names one of our last SRs and the result is
     * at most the time since we sent that SR; -1 otherwise. */
    gint64 round_trip_us;
} ScMediaRtcpStats;

/* RTCP view of @kind from rtpbin's session statistics (all zero, times
 * -1, if there is no such track or it has not started). */
void sc_media_session_get_rtcp_stats(ScMediaSession *s, ScMediaKind kind,
                                     ScMediaRtcpStats *out);

/* RTP counters of @kind (all zero if there is no such track). */
void sc_media_session_get_stats(ScMediaSession *s, ScMediaKind kind,
                                ScMediaStats *out);

/* TRUE when an RTP session accepts @ssrc as the peer's (signalled, or
 * learned and in use): what the caller's per-SSRC state (SRTP streams)
 * may keep. */
gboolean sc_media_session_accepts_ssrc(ScMediaSession *s, guint32 ssrc);

/* Incoming packets dropped by sc_media_session_receive() (every reason). */
guint64 sc_media_session_get_dropped(ScMediaSession *s);

/* Parts of received RTCP (SR/RR, report blocks, SDES chunks, BYE SSRCs,
 * feedback, APP/XR) that no RTP session took because they name SSRCs
 * that are neither ours nor accepted. */
guint64 sc_media_session_get_rtcp_refused(ScMediaSession *s);

/* How many sources (SSRCs, ours included) rtpbin's RTP session of @kind
 * keeps; 0 without such a track or before start. Each costs memory and is
 * walked by every statistics read; the guard keeps it small. */
guint sc_media_session_get_source_count(ScMediaSession *s, ScMediaKind kind);

G_END_DECLS

#endif /* SC_MEDIA_H */
