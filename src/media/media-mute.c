/* src/media/media-mute.c - stopping and resuming what we send of one kind
 * at once (001 §5.2, the inspector's microphone and camera keys).
 *
 * Stopped: the valve after the source drops every frame, so nothing is
 * encoded or payloaded, and packets already queued for the owner context
 * are dropped there, before cb->send() (before SRTP protection). RTCP
 * continues (rtpbin turns our SR into an RR once we stop sending, RFC 3550
 * §6.4). Resumed: the payloader's sequence numbers continue and its RTP
 * timestamps follow the running time, so receivers see a gap, not a
 * reset; VP8 starts again with a keyframe (the frame before the stop may
 * be long gone at the receiver).
 *
 * A live source is also stopped while sending is (001 §5.2: the camera
 * and microphone are released, their lights go off): locked out of the
 * pipeline's state changes and set to NULL, which closes the device.
 * Resuming unlocks it and brings it back to the pipeline's state; a live
 * source timestamps by the pipeline's running time (GstBaseSrc), so its
 * first buffer after the gap carries the time it was captured. The
 * pipeline runs on the system clock (pipeline.c), never on one a
 * capture device provides, which would stop with it. A source that is not
 * live (a file) only has its frames dropped: restarting it would start
 * the file again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"

#include <gst/base/gstbasesrc.h>
#include <gst/gst.h>

gboolean
sc_media_track_muted(const Track *t)
{
    return t->muted;
}

static gboolean
element_is_live(GstElement *e)
{
    return GST_IS_BASE_SRC(e) && gst_base_src_is_live(GST_BASE_SRC(e));
}

gboolean
sc_media_source_is_live(GstElement *src)
{
    GstIterator *it;
    GValue v = G_VALUE_INIT;
    gboolean live = FALSE, done = FALSE;

    if (!GST_IS_BIN(src))
        return element_is_live(src);
    it = gst_bin_iterate_recurse(GST_BIN(src));
    while (!done && !live) {
        switch (gst_iterator_next(it, &v)) {
        case GST_ITERATOR_OK:
            live = element_is_live(g_value_get_object(&v));
            g_value_reset(&v);
            break;
        case GST_ITERATOR_RESYNC:
            gst_iterator_resync(it);
            break;
        default:
            done = TRUE;
            break;
        }
    }
    g_value_unset(&v);
    gst_iterator_free(it);
    return live;
}

/* Stops (closes the device) or restarts the live source of @t. */
static gboolean
source_run(ScMediaSession *s, Track *t, gboolean run)
{
    if (t->source == NULL || !t->source_live)
        return TRUE;
    if (!run) {
        gst_element_set_locked_state(t->source, TRUE);
        if (s->started)
            gst_element_set_state(t->source, GST_STATE_NULL);
        return TRUE;
    }
    gst_element_set_locked_state(t->source, FALSE);
    if (s->started && !gst_element_sync_state_with_parent(t->source)) {
        gst_element_set_locked_state(t->source, TRUE);
        gst_element_set_state(t->source, GST_STATE_NULL);
        return FALSE;
    }
    return TRUE;
}

gboolean
sc_media_session_is_capturing(ScMediaSession *s, ScMediaKind kind)
{
    Track *t = sc_media_track(s, kind);
    GstState cur = GST_STATE_NULL;

    if (t == NULL || t->source == NULL || !s->started || s->stopped)
        return FALSE;
    if (gst_element_get_state(t->source, &cur, NULL, 0) ==
        GST_STATE_CHANGE_FAILURE)
        return FALSE;
    return cur >= GST_STATE_PAUSED && !(t->muted && t->source_live);
}

/* GstForceKeyUnit upstream (what gst_video_event_new_upstream_force_key_unit()
 * builds; GstVideoEncoder honours it on the next frame). */
static void
request_keyframe(ScMediaSession *s, Track *t)
{
    GstPad *pad;
    GstEvent *ev;

    if (t->enc == NULL)
        return;
    ev = gst_event_new_custom(
        GST_EVENT_CUSTOM_UPSTREAM,
        gst_structure_new("GstForceKeyUnit", "running-time",
                          GST_TYPE_CLOCK_TIME, GST_CLOCK_TIME_NONE,
                          "all-headers", G_TYPE_BOOLEAN, TRUE, "count",
                          G_TYPE_UINT, 0u, NULL));
    pad = gst_element_get_static_pad(t->enc, "src");
    if (pad == NULL || !gst_pad_send_event(pad, ev))
        SC_LOG_DEBUG(s->log_id, "keyframe request not taken");
    if (pad == NULL)
        gst_event_unref(ev);
    else
        gst_object_unref(pad);
}

gboolean
sc_media_session_set_sending(ScMediaSession *s, ScMediaKind kind,
                             gboolean sending, GError **error)
{
    Track *t;

    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
    if ((guint)kind >= SC_MEDIA_N_KINDS || !s->have[kind] ||
        !s->tracks[kind].cfg.send || s->tracks[kind].valve == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "no %s is sent in this call",
                    sc_media_kind_to_string(kind));
        return FALSE;
    }
    if (s->stopped) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the media session is stopped");
        return FALSE;
    }
    t = &s->tracks[kind];
    sending = !!sending;
    if (t->muted == !sending)
        return TRUE;
    if (sending && !source_run(s, t, TRUE)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                    "the %s source does not start again",
                    sc_media_kind_to_string(kind));
        return FALSE;
    }
    t->muted = !sending;
    g_object_set(t->valve, "drop", t->muted, NULL);
    if (t->muted)
        (void)source_run(s, t, FALSE); /* after the valve: nothing queued */
    if (t->muted) {
        /* the caller tells its own "stopped"; the flow timer must not
         * tell it again, and the next packet tells "flowing" */
        t->tx.flowing = FALSE;
        t->tx.notify = FALSE;
    } else if (kind == SC_MEDIA_VIDEO) {
        request_keyframe(s, t);
    }
    SC_LOG_INFO(s->log_id, "%s send %s", sc_media_kind_to_string(kind),
                sending ? "resumed" : "stopped");
    return TRUE;
}
