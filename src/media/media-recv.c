/* src/media/media-recv.c - the receive side of the media pipeline: the
 * appsrcs that feed the peer's clear RTP and RTCP to rtpbin, the payload
 * type map and the new remote streams rtpbin announces (both on streaming
 * threads), and each track's chain after the jitter buffer: depayloader,
 * decoder (counting decoded frames), playback or discard, and the branch
 * to the recording muxer (media-record.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"

#include <gst/gst.h>
#include <stdio.h>

GstElement *
sc_media_appsrc_new(GstCaps *caps)
{
    GstElement *src = gst_element_factory_make("appsrc", NULL);

    if (!src) {
        gst_caps_unref(caps);
        return NULL;
    }
    g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME,
                 "do-timestamp", TRUE, "caps", caps, "max-bytes",
                 (guint64)(2 * 1024 * 1024), NULL);
    /* GStreamer >= 1.20: drop the oldest packets rather than grow */
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(src), "leaky-type"))
        gst_util_set_object_arg(G_OBJECT(src), "leaky-type", "downstream");
    gst_caps_unref(caps);
    return src;
}

/* pad probe on a decoder's src pad, streaming thread */
static GstPadProbeReturn
on_decoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    SinkCtx *sc = data;
    ScMediaSession *s = sc->s;
    guint n = 1;

    (void)pad;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
        n = gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    g_mutex_lock(&s->lock);
    s->tracks[sc->idx].frames_decoded += n;
    g_mutex_unlock(&s->lock);
    return GST_PAD_PROBE_OK;
}

/* rtpbin "request-pt-map", streaming thread; the tracks are immutable once
 * started. */
GstCaps *
sc_media_on_request_pt_map(GstElement *rtpbin, guint session, guint pt,
                           gpointer data)
{
    ScMediaSession *s = data;

    (void)rtpbin;
    if (session < SC_MEDIA_N_KINDS && s->have[session] &&
        s->tracks[session].cfg.payload_type == pt)
        return sc_media_rtp_caps(&s->tracks[session]);
    return NULL;
}

/* rtpbin "pad-added", streaming thread: a new remote SSRC/PT stream. */
void
sc_media_on_pad_added(GstElement *rtpbin, GstPad *pad, gpointer data)
{
    ScMediaSession *s = data;
    g_autofree char *name = gst_pad_get_name(pad);
    guint session = 0, ssrc = 0, pt = 0;
    GstPad *sinkpad;
    Track *t;

    if (!g_str_has_prefix(name, "recv_rtp_src_") ||
        sscanf(name, "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
        return;
    if (session >= SC_MEDIA_N_KINDS || !s->have[session] ||
        !s->tracks[session].funnel)
        return;
    t = &s->tracks[session];
    sinkpad = sc_media_request_pad(t->funnel, "sink_%u");
    if (!sinkpad)
        return;
    /* no logging here: a log handler is caller state. The bus carries the
     * news to the owner thread (on_bus_message). */
    if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK) {
        GError *err = g_error_new(GST_STREAM_ERROR,
                                  GST_STREAM_ERROR_FAILED,
                                  "cannot link %s (ssrc %08x pt %u)", name,
                                  ssrc, pt);
        gst_element_post_message(
            rtpbin, gst_message_new_warning(GST_OBJECT(rtpbin), err, NULL));
        g_error_free(err);
    } else {
        gst_element_post_message(
            rtpbin,
            gst_message_new_element(
                GST_OBJECT(rtpbin),
                gst_structure_new("sc-media-stream", "session", G_TYPE_UINT,
                                  session, "ssrc", G_TYPE_UINT, ssrc, "pt",
                                  G_TYPE_UINT, pt, NULL)));
    }
    gst_object_unref(sinkpad);
}

static GstElement *
queue_new(gboolean leaky)
{
    GstElement *q = gst_element_factory_make("queue", NULL);

    /* The muxer interleaves by time: it holds one stream until every other
     * one has data or EOS. A negotiated stream the peer never sends (video
     * off) therefore parks the other one here until stop; bound that by
     * size (~1.5 h of Opus, ~8 min of 500 kbit/s VP8), dropping the oldest. */
    if (q && leaky) {
        g_object_set(q, "max-size-buffers", 0u, "max-size-bytes",
                     (guint)(32 * 1024 * 1024), "max-size-time", (guint64)0,
                     NULL);
        gst_util_set_object_arg(G_OBJECT(q), "leaky", "downstream");
    }
    return q;
}

/* funnel -> depay -> [tee ->] decoder -> sink, and tee -> queue -> mux */
gboolean
sc_media_build_recv_chain(ScMediaSession *s, Track *t, guint idx,
                          GstElement *mux, gboolean webm, GError **error)
{
    gboolean audio = t->cfg.kind == SC_MEDIA_AUDIO;
    GstElement *dec, *sink, *tee = NULL, *head;
    GstPad *pad;

    if (!(t->funnel = sc_media_make("funnel", NULL, error)) ||
        !(t->depay = sc_media_make(audio ? "rtpopusdepay" : "rtpvp8depay",
                                   NULL, error)) ||
        !(dec = sc_media_make(audio ? "opusdec" : "vp8dec", NULL, error)))
        return FALSE; /* not reached: add_track/start checked the factories */
    if (!audio)
        g_object_set(t->depay, "request-keyframe", TRUE, "wait-for-keyframe",
                     TRUE, NULL);
    else
        g_object_set(dec, "plc", TRUE, "use-inband-fec", TRUE, NULL);
    /* garbage from the network must never stop the pipeline */
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(dec), "max-errors"))
        g_object_set(dec, "max-errors", -1, NULL);

    if (audio && s->play_audio) {
        GstElement *conv = sc_media_make("audioconvert", NULL, error);
        GstElement *res = sc_media_make("audioresample", NULL, error);
        GstElement *out = sc_media_make("autoaudiosink", NULL, error);
        if (!conv || !res || !out)
            return FALSE;
        sink = gst_bin_new(NULL);
        gst_bin_add_many(GST_BIN(sink), conv, res, out, NULL);
        gst_element_link_many(conv, res, out, NULL);
        pad = gst_element_get_static_pad(conv, "sink");
        gst_element_add_pad(sink, gst_ghost_pad_new("sink", pad));
        gst_object_unref(pad);
    } else {
        sink = sc_media_make("fakesink", NULL, error);
        if (!sink)
            return FALSE;
        g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    }

    gst_bin_add_many(GST_BIN(s->pipeline), t->funnel, t->depay, NULL);
    if (!gst_element_link(t->funnel, t->depay))
        goto link_fail;
    head = t->depay;
    if (mux) {
        GstElement *q1 = queue_new(FALSE), *q2 = queue_new(TRUE);
        GstElement *parse =
            audio ? sc_media_make("opusparse", NULL, error) : NULL;
        if (!q1 || !q2 || (audio && !parse))
            return FALSE;
        tee = gst_element_factory_make("tee", NULL);
        gst_bin_add_many(GST_BIN(s->pipeline), tee, q1, q2, NULL);
        if (!gst_element_link(t->depay, tee) || !gst_element_link(tee, q1) ||
            !gst_element_link(tee, q2))
            goto link_fail;
        head = q1;
        if (parse) {
            gst_bin_add(GST_BIN(s->pipeline), parse);
            if (!gst_element_link(q2, parse))
                goto link_fail;
            q2 = parse;
        }
        if (webm ? !sc_media_link_to_request(q2, mux,
                                             audio ? "audio_%u" : "video_%u")
                 : !gst_element_link(q2, mux))
            goto link_fail;
    }
    gst_bin_add_many(GST_BIN(s->pipeline), dec, sink, NULL);
    if (!gst_element_link(head, dec) || !gst_element_link(dec, sink))
        goto link_fail;

    pad = gst_element_get_static_pad(dec, "src");
    t->rtp_ctx.s = s;
    t->rtp_ctx.idx = idx;
    gst_pad_add_probe(pad,
                      GST_PAD_PROBE_TYPE_BUFFER |
                          GST_PAD_PROBE_TYPE_BUFFER_LIST,
                      on_decoded, &t->rtp_ctx, NULL);
    gst_object_unref(pad);
    return TRUE;

link_fail:
    g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                "cannot build the %s receive chain",
                sc_media_kind_to_string(t->cfg.kind));
    return FALSE;
}
