/* src/media/media-rtcp.c - per-stream statistics for the inspector:
 * bitrate from our own counters, loss, jitter and round-trip time from
 * rtpbin's RTP sessions (RFC 3550 §6.4: our receiver reports on what we
 * receive, the peer's on what we send).
 *
 * rtpbin does the RTCP arithmetic; this file only reads its session's
 * "stats" structure (taken under the session's lock) and judges what in it
 * came from the peer. Every number in the peer's report block is its
 * claim, and so is what rtpbin derives from the peer's sequence numbers
 * and timestamps: cumulative loss is clamped to [0, packets], jitter
 * beyond SC_MEDIA_JITTER_MAX_US is unknown, and a round-trip time counts
 * only when the report's LSR names one of our own last SRs and the result
 * is no longer than the time since that SR left (a peer can shorten the
 * round trip with a large DLSR, never invent one out of range).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"

#include <gst/gst.h>
#include <string.h>

#define RATE_WINDOW_US G_USEC_PER_SEC
#define RTCP_PT_SR 200

void
sc_media_flow_rate(Flow *f, gint64 now_us)
{
    gint64 dt;

    if (f->rate_us == 0) {
        f->rate_us = now_us;
        f->rate_bytes = f->bytes;
        return;
    }
    dt = now_us - f->rate_us;
    if (dt < RATE_WINDOW_US)
        return;
    f->bitrate = (f->bytes - f->rate_bytes) * 8 * (guint64)G_USEC_PER_SEC /
                 (guint64)dt;
    f->rate_us = now_us;
    f->rate_bytes = f->bytes;
}

void
sc_media_rtcp_sent(Track *t, const guint8 *buf, gsize len)
{
    SrSent *e;

    /* rtpbin's own compound: an SR first when we are a sender (SSRC,
     * then the 64-bit NTP timestamp whose middle 32 bits are LSR) */
    if (len < 28 || (buf[0] >> 6) != 2 || buf[1] != RTCP_PT_SR)
        return;
    e = &t->sr_sent[t->sr_next];
    t->sr_next = (t->sr_next + 1) % SR_SENT_KEEP;
    e->lsr = ((guint32)buf[10] << 24) | ((guint32)buf[11] << 16) |
             ((guint32)buf[12] << 8) | buf[13];
    e->sent_us = sc_clock_now_us();
}

static guint
get_uint(const GstStructure *st, const char *name)
{
    guint v = 0;

    return gst_structure_get_uint(st, name, &v) ? v : 0;
}

static gint
get_int(const GstStructure *st, const char *name)
{
    gint v = 0;

    return gst_structure_get_int(st, name, &v) ? v : 0;
}

static gboolean
get_bool(const GstStructure *st, const char *name)
{
    gboolean v = FALSE;

    return gst_structure_get_boolean(st, name, &v) && v;
}

static guint64
clamp_lost(gint lost, guint64 packets)
{
    if (lost <= 0)
        return 0;
    return MIN((guint64)lost, packets);
}

/* RTP timestamp units of @clock_rate to µs; -1 beyond the limit */
static gint64
jitter_us(guint jitter, guint clock_rate)
{
    guint64 us;

    if (clock_rate == 0)
        return -1;
    us = (guint64)jitter * G_USEC_PER_SEC / clock_rate;
    return us > SC_MEDIA_JITTER_MAX_US ? -1 : (gint64)us;
}

/* The peer's round trip (rtpbin: arrival - LSR - DLSR, 16.16 seconds),
 * when LSR is one of our SRs and the result fits since it left. */
static gint64
round_trip_us(const Track *t, guint lsr, guint rt, gint64 now_us)
{
    gint64 us = (gint64)(((guint64)rt * G_USEC_PER_SEC) >> 16);

    if (lsr == 0)
        return -1; /* no SR of ours arrived yet (RFC 3550 §6.4.1) */
    for (guint i = 0; i < SR_SENT_KEEP; i++) {
        const SrSent *e = &t->sr_sent[i];
        if (e->sent_us != 0 && e->lsr == lsr)
            return us <= now_us - e->sent_us ? us : -1;
    }
    return -1;
}

/* The peer's report block about our SSRC, as rtpbin keeps it on the
 * source that sent it (it keeps only blocks about our own SSRC). */
static void
peer_report(const Track *t, const GstStructure *st, ScMediaRtcpStats *out,
            gint64 now_us)
{
    out->sent.have = TRUE;
    out->sent.packets_lost =
        clamp_lost(get_int(st, "rb-packetslost"), t->tx.packets);
    out->sent.fraction_lost = (guint8)MIN(get_uint(st, "rb-fractionlost"), 255);
    out->sent.jitter_us =
        jitter_us(get_uint(st, "rb-jitter"), t->cfg.clock_rate);
    out->round_trip_us = round_trip_us(t, get_uint(st, "rb-lsr"),
                                       get_uint(st, "rb-round-trip"), now_us);
}

/* rtpbin's statistics of the stream we receive from the peer. */
static void
our_report(const Track *t, const GstStructure *st, ScMediaRtcpStats *out)
{
    out->received.have = TRUE;
    out->received.packets_lost =
        clamp_lost(get_int(st, "packets-lost"), G_MAXINT32);
    out->received.fraction_lost =
        get_bool(st, "sent-rb")
            ? (guint8)MIN(get_uint(st, "sent-rb-fractionlost"), 255)
            : 0;
    out->received.jitter_us =
        jitter_us(get_uint(st, "jitter"), t->cfg.clock_rate);
}

void
sc_media_session_get_rtcp_stats(ScMediaSession *s, ScMediaKind kind,
                                ScMediaRtcpStats *out)
{
    const Track *t;
    GObject *session = NULL;
    GstStructure *stats = NULL;
    const GValue *arr;
    gboolean have_peer = FALSE;
    gint64 now = sc_clock_now_us();

    g_return_if_fail(out != NULL);
    memset(out, 0, sizeof *out);
    out->sent.jitter_us = out->received.jitter_us = -1;
    out->round_trip_us = -1;
    if ((t = sc_media_track(s, kind)) == NULL)
        return;
    out->bitrate_sent = t->tx.bitrate;
    out->bitrate_received = t->rx.bitrate;
    if (!s->started || s->stopped)
        return;

    g_signal_emit_by_name(s->rtpbin, "get-internal-session", (guint)kind,
                          &session);
    if (session == NULL)
        return;
    g_object_get(session, "stats", &stats, NULL);
    g_object_unref(session);
    if (stats == NULL)
        return;
    arr = gst_structure_get_value(stats, "source-stats");
    /* rtpsession hands a GValueArray (deprecated in GLib, still its type) */
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    if (arr != NULL && G_VALUE_HOLDS(arr, g_value_array_get_type())) {
        GValueArray *va = g_value_get_boxed(arr);
        for (guint i = 0; va != NULL && i < va->n_values; i++) {
            const GValue *v = g_value_array_get_nth(va, i);
            const GstStructure *st;
            guint ssrc = 0;

            if (!GST_VALUE_HOLDS_STRUCTURE(v))
                continue;
            st = gst_value_get_structure(v);
            if (get_bool(st, "internal") ||
                !gst_structure_get_uint(st, "ssrc", &ssrc))
                continue;
            if (t->cfg.recv && ssrc == t->remote_ssrc && t->remote_ssrc != 0)
                our_report(t, st, out);
            /* the sender of the media we receive first; else whichever
             * source of the peer's reported on us */
            if (t->cfg.send && get_bool(st, "have-rb") &&
                (!have_peer || ssrc == t->remote_ssrc)) {
                peer_report(t, st, out, now);
                have_peer = TRUE;
            }
        }
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    gst_structure_free(stats);
}
