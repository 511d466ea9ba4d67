/* src/media/media-priv.h - what the media pipeline's files share:
 * pipeline.c (the session), media-send.c (send chains), media-recv.c
 * (receive chains), media-record.c (recording) and media-gst.c (GStreamer
 * helpers): the session's record and its tracks, and the functions one
 * file calls in another. Not for use outside src/media/: media.h is the
 * module's API.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_MEDIA_PRIV_H
#define SC_MEDIA_PRIV_H

#include "core/core.h"
#include "media/media.h"
#include "media/ssrc-guard.h"

#include <gst/gst.h>

#define MEDIA_MAGIC 0x4d454449u

typedef struct {
    ScMediaSession *s;
    guint idx;          /* track index == rtpbin session id */
    gboolean is_rtcp;
} SinkCtx;

typedef struct {
    gboolean flowing;
    gboolean notify;    /* a flowing=TRUE notification is pending */
    gint64 last_us;
    guint64 packets, bytes;
    /* bits/s over the last window (media-rtcp.c) */
    gint64 rate_us;
    guint64 rate_bytes, bitrate;
} Flow;

/* Our last SRs (RFC 3550 §6.4.1): the middle 32 bits of their NTP
 * timestamp, which the peer echoes as LSR, and when they left. */
#define SR_SENT_KEEP 16
typedef struct {
    guint32 lsr;
    gint64 sent_us;
} SrSent;

typedef struct {
    ScMediaTrack cfg;   /* cfg.source is NULL here; see source_desc */
    char *source_desc;
    GstElement *src_bin;       /* send chain head (kept until start) */
    GstElement *source;        /* send: the capture source (element or bin) */
    gboolean source_live;      /* ... live: released while stopped */
    GstElement *valve;         /* send: source -> [valve] -> encoder */
    GstElement *enc;           /* send: the encoder (keyframe requests) */
    gboolean muted;            /* sending stopped (media-mute.c) */
    GstElement *rtp_appsrc;    /* receive RTP (recv only) */
    GstElement *rtcp_appsrc;   /* receive RTCP (always) */
    GstElement *funnel;        /* rtpbin recv_rtp_src_* pads -> depay */
    GstElement *depay;
    SinkCtx rtp_ctx, rtcp_ctx;
    Flow tx, rx;
    SrSent sr_sent[SR_SENT_KEEP]; /* ring, owner context only */
    guint sr_next;
    guint32 remote_ssrc;
    guint64 ssrc_refused;      /* RTP from SSRCs not accepted */
    guint64 frames_decoded;    /* under s->lock (streaming threads) */
} Track;

typedef struct {
    guint idx;
    gboolean is_rtcp;
    GstBuffer *buf;
} OutPacket;

struct ScMediaSession {
    guint32 magic;
    GMainContext *ctx;
    char *log_id;
    char *cname;
    ScMediaCallbacks cb;
    gpointer user_data;

    GstElement *pipeline;
    GstElement *rtpbin;
    Track tracks[SC_MEDIA_N_KINDS];
    gboolean have[SC_MEDIA_N_KINDS];
    guint n_tracks;

    char *record_path;
    gboolean play_audio;
    GstElement *filesink;       /* an fdsink on record_fd */
    int record_fd;              /* -1: none; closed once stopped */

    gboolean started, stopped;
    guint64 dropped;
    /* the peer's SSRCs each RTP session accepts (owner context) */
    ScSsrcGuard guards[SC_MEDIA_N_KINDS];
    guint64 rtcp_refused;
    gint64 refused_log_us;      /* last "refused" debug line */

    GAsyncQueue *outq;          /* OutPacket*, from streaming threads */
    GSource *wake;              /* ready_time 0 when outq or flow changes */
    GSource *timer;
    GSource *bus_watch;

    int cb_depth;               /* > 0 while a caller callback runs */
    gboolean free_pending;

    GMutex lock;                /* frames_decoded, file_eos */
    GCond cond;
    gboolean file_eos;
};

/* pipeline.c */
void sc_media_wake_owner(ScMediaSession *s);
/* The track of @kind, or NULL when there is none. */
Track *sc_media_track(ScMediaSession *s, ScMediaKind kind);

/* media-gst.c */
GstElement *sc_media_make(const char *factory, const char *name,
                          GError **error);
GstPad *sc_media_request_pad(GstElement *e, const char *name);
gboolean sc_media_link_to_request(GstElement *src, GstElement *dst,
                                  const char *name);
gboolean sc_media_link_from_request(GstElement *src, const char *name,
                                    GstElement *dst);
gboolean sc_media_have_factories(GError **error, const char *first, ...);
GstCaps *sc_media_rtp_caps(const Track *t);

/* media-send.c */
void sc_media_out_packet_free(gpointer data);
GstElement *sc_media_appsink_new(ScMediaSession *s, SinkCtx *ctx, guint idx,
                                 gboolean is_rtcp);
gboolean sc_media_build_send_chain(ScMediaSession *s, Track *t, guint idx,
                                   GError **error);

/* media-recv.c */
GstElement *sc_media_appsrc_new(GstCaps *caps);
GstCaps *sc_media_on_request_pt_map(GstElement *rtpbin, guint session,
                                    guint pt, gpointer data);
void sc_media_on_pad_added(GstElement *rtpbin, GstPad *pad, gpointer data);
gboolean sc_media_build_recv_chain(ScMediaSession *s, Track *t, guint idx,
                                   GstElement *mux, gboolean webm,
                                   GError **error);

/* media-mute.c */
/* TRUE when an RTP packet of @t must not leave (sending stopped). */
gboolean sc_media_track_muted(const Track *t);
/* TRUE when @src (an element or a bin of them) produces live data (a
 * capture device, the live test sources). */
gboolean sc_media_source_is_live(GstElement *src);

/* media-rtcp.c */
/* Our outgoing RTCP compound @buf of @t (owner context): remembers an SR. */
void sc_media_rtcp_sent(Track *t, const guint8 *buf, gsize len);
/* Flow timer tick: updates @f's bitrate. */
void sc_media_flow_rate(Flow *f, gint64 now_us);

/* media-record.c */
gboolean sc_media_build_recording(ScMediaSession *s, GstElement **mux_out,
                                  GError **error);

#endif /* SC_MEDIA_PRIV_H */
