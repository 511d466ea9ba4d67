/* src/media/media-send.c - the send side of the media pipeline: the live
 * source (a gst-launch description or the test sources), the Opus and VP8
 * encoders and payloaders (RFC 7587, RFC 7741) into rtpbin's send session,
 * and the appsinks that take our RTP and RTCP out of rtpbin on GStreamer's
 * streaming threads and queue them for the owner context (pipeline.c
 * drains that queue to cb->send()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#define RTP_MTU 1100                 /* room for SRTP tag + UDP/IP/TURN */
#define OUT_QUEUE_MAX 4000           /* packets waiting for the owner thread */
#define VIDEO_WIDTH 320
#define VIDEO_HEIGHT 240
#define VIDEO_FPS 15
#define VIDEO_BITRATE 500000
#define VIDEO_KEYFRAME_DIST 300
#define AUDIO_BITRATE 48000

/* Releases an element that was never added to a bin. NULL-safe. */
static void
drop_floating(GstElement *e)
{
    if (e)
        gst_object_unref(gst_object_ref_sink(e));
}

static gboolean
add_and_link(GstElement *bin, GError **error, GstElement *first, ...)
{
    va_list ap;
    GstElement *prev = first, *e;
    gboolean ok = TRUE;

    gst_bin_add(GST_BIN(bin), first);
    va_start(ap, first);
    while ((e = va_arg(ap, GstElement *)) != NULL) {
        gst_bin_add(GST_BIN(bin), e);
        if (ok && !gst_element_link(prev, e)) {
            g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                        "cannot link %s to %s", GST_ELEMENT_NAME(prev),
                        GST_ELEMENT_NAME(e));
            ok = FALSE;
        }
        prev = e;
    }
    va_end(ap);
    return ok;
}

/* appsink callback, streaming thread */
static GstFlowReturn
on_new_sample(GstAppSink *sink, gpointer data)
{
    SinkCtx *sc = data;
    ScMediaSession *s = sc->s;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    OutPacket *p;

    if (!sample)
        return GST_FLOW_EOS;
    if (g_async_queue_length(s->outq) >= OUT_QUEUE_MAX) {
        gst_sample_unref(sample);
        return GST_FLOW_OK; /* owner thread stalled: drop, like a full NIC */
    }
    p = g_new0(OutPacket, 1);
    p->idx = sc->idx;
    p->is_rtcp = sc->is_rtcp;
    p->buf = gst_buffer_ref(gst_sample_get_buffer(sample));
    gst_sample_unref(sample);
    g_async_queue_push(s->outq, p);
    sc_media_wake_owner(s);
    return GST_FLOW_OK;
}

void
sc_media_out_packet_free(gpointer data)
{
    OutPacket *p = data;

    gst_buffer_unref(p->buf);
    g_free(p);
}

GstElement *
sc_media_appsink_new(ScMediaSession *s, SinkCtx *ctx, guint idx,
                     gboolean is_rtcp)
{
    GstElement *sink = gst_element_factory_make("appsink", NULL);
    GstAppSinkCallbacks cbs = { .new_sample = on_new_sample };

    if (!sink)
        return NULL;
    ctx->s = s;
    ctx->idx = idx;
    ctx->is_rtcp = is_rtcp;
    g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample",
                 FALSE, NULL);
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, ctx, NULL);
    return sink;
}

static GstElement *
source_new(ScMediaSession *s, const Track *t, GError **error)
{
    GError *err = NULL;
    GstElement *e;

    if (t->source_desc) {
        e = gst_parse_bin_from_description(t->source_desc, TRUE, &err);
        if (!e) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "bad %s source '%s': %s",
                        sc_media_kind_to_string(t->cfg.kind), t->source_desc,
                        err ? err->message : "?");
            g_clear_error(&err);
            return NULL;
        }
        if (err) { /* a missing optional element: usable but noteworthy */
            SC_LOG_WARN(s->log_id, "source '%s': %s", t->source_desc,
                        err->message);
            g_clear_error(&err);
        }
        return e;
    }
    if (t->cfg.kind == SC_MEDIA_AUDIO) {
        e = sc_media_make("audiotestsrc", NULL, error);
        if (e)
            g_object_set(e, "is-live", TRUE, "freq", 440.0, "volume", 0.5,
                         "samplesperbuffer", 960, NULL);
    } else {
        e = sc_media_make("videotestsrc", NULL, error);
        if (e)
            gst_util_set_object_arg(G_OBJECT(e), "pattern", "ball");
        if (e)
            g_object_set(e, "is-live", TRUE, NULL);
    }
    return e;
}

/* source -> encode -> pay -> rtpbin send_rtp_sink_N; send_rtp_src_N -> appsink */
gboolean
sc_media_build_send_chain(ScMediaSession *s, Track *t, guint idx,
                          GError **error)
{
    GstElement *src, *valve = NULL, *conv = NULL, *scale = NULL, *rate = NULL,
                     *filter = NULL, *enc = NULL, *pay = NULL, *sink = NULL;
    GstCaps *caps;
    char pad_name[32];
    gboolean audio = t->cfg.kind == SC_MEDIA_AUDIO;

    src = source_new(s, t, error);
    if (!src)
        return FALSE;
    /* sc_media_session_set_sending(): dropping right after the source
     * keeps the encoder idle and the live source's clock running (no
     * catch-up burst); the payloader's RTP timestamps follow the running
     * time and its sequence numbers just continue on resume. */
    if (!(valve = sc_media_make("valve", NULL, error)))
        goto fail;
    g_object_set(valve, "drop", t->muted, NULL);
    if (audio) {
        if (!(conv = sc_media_make("audioconvert", NULL, error)) ||
            !(scale = sc_media_make("audioresample", NULL, error)) ||
            !(filter = sc_media_make("capsfilter", NULL, error)) ||
            !(enc = sc_media_make("opusenc", NULL, error)) ||
            !(pay = sc_media_make("rtpopuspay", NULL, error)))
            goto fail;
        caps = gst_caps_from_string("audio/x-raw,rate=48000,channels=[1,2]");
        g_object_set(enc, "bitrate", AUDIO_BITRATE, "inband-fec", TRUE,
                     "packet-loss-percentage", 5, NULL);
    } else {
        if (!(conv = sc_media_make("videoconvert", NULL, error)) ||
            !(scale = sc_media_make("videoscale", NULL, error)) ||
            !(rate = sc_media_make("videorate", NULL, error)) ||
            !(filter = sc_media_make("capsfilter", NULL, error)) ||
            !(enc = sc_media_make("vp8enc", NULL, error)) ||
            !(pay = sc_media_make("rtpvp8pay", NULL, error)))
            goto fail;
        caps = gst_caps_new_simple(
            "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
            VIDEO_WIDTH, "height", G_TYPE_INT, VIDEO_HEIGHT, "framerate",
            GST_TYPE_FRACTION, VIDEO_FPS, 1, NULL);
        g_object_set(rate, "drop-only", TRUE, NULL);
        /* cheap realtime VP8: one thread, no lag, CBR; keyframes on PLI */
        g_object_set(enc, "deadline", (gint64)1, "cpu-used", 16,
                     "keyframe-max-dist",
                     (int)(t->cfg.keyframe_max_dist ? t->cfg.keyframe_max_dist
                                                    : VIDEO_KEYFRAME_DIST),
                     "target-bitrate", VIDEO_BITRATE, "lag-in-frames", 0,
                     "threads", 1, NULL);
        gst_util_set_object_arg(G_OBJECT(enc), "end-usage", "cbr");
        gst_util_set_object_arg(G_OBJECT(enc), "error-resilient", "default");
        gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
    }
    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    g_object_set(pay, "pt", (guint)t->cfg.payload_type, "ssrc",
                 (guint)t->cfg.ssrc, "mtu", (guint)RTP_MTU, NULL);

    sink = sc_media_appsink_new(s, &t->rtp_ctx, idx, FALSE);
    if (!sink) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED, "no appsink");
        goto fail;
    }
    if (audio) {
        if (!add_and_link(s->pipeline, error, src, valve, conv, scale,
                          filter, enc, pay, NULL))
            return FALSE; /* elements belong to the pipeline now */
    } else if (!add_and_link(s->pipeline, error, src, valve, conv, scale,
                             rate, filter, enc, pay, NULL)) {
        return FALSE;
    }
    t->valve = valve;
    t->enc = enc;
    t->source = src;
    t->source_live = sc_media_source_is_live(src);
    if (t->muted && t->source_live)
        gst_element_set_locked_state(src, TRUE); /* not started with the rest */
    gst_bin_add(GST_BIN(s->pipeline), sink);
    g_snprintf(pad_name, sizeof pad_name, "send_rtp_sink_%u", idx);
    if (!sc_media_link_to_request(pay, s->rtpbin, pad_name)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link %s",
                    pad_name);
        return FALSE;
    }
    g_snprintf(pad_name, sizeof pad_name, "send_rtp_src_%u", idx);
    if (!gst_element_link_pads(s->rtpbin, pad_name, sink, "sink")) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link %s",
                    pad_name);
        return FALSE;
    }
    return TRUE;

fail:
    drop_floating(src);
    drop_floating(valve);
    drop_floating(conv);
    drop_floating(scale);
    drop_floating(rate);
    drop_floating(filter);
    drop_floating(enc);
    drop_floating(pay);
    drop_floating(sink);
    return FALSE;
}
