/* src/media/media-record.c - recording what is received: where it goes
 * (sc_media_session_set_record()), the muxer (Ogg/Opus for audio only,
 * WebM when video is received) and its file sink, and the probe that tells
 * sc_media_session_stop() the file has been finalized.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

void
sc_media_session_set_record(ScMediaSession *s, const char *record_path,
                            gboolean play_audio)
{
    g_return_if_fail(s != NULL && s->magic == MEDIA_MAGIC);
    if (s->started) {
        SC_LOG_WARN(s->log_id, "set_record after start ignored");
        return;
    }
    g_free(s->record_path);
    s->record_path = g_strdup(record_path);
    s->play_audio = play_audio;
}

/* pad probe on the file sink, streaming thread: the muxer has finalized */
static GstPadProbeReturn
on_file_event(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    ScMediaSession *s = data;

    (void)pad;
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) {
        g_mutex_lock(&s->lock);
        s->file_eos = TRUE;
        g_cond_broadcast(&s->cond);
        g_mutex_unlock(&s->lock);
    }
    return GST_PAD_PROBE_OK;
}

gboolean
sc_media_build_recording(ScMediaSession *s, GstElement **mux_out,
                         GError **error)
{
    gboolean video = s->have[SC_MEDIA_VIDEO] && s->tracks[SC_MEDIA_VIDEO].cfg.recv;
    gboolean audio = s->have[SC_MEDIA_AUDIO] && s->tracks[SC_MEDIA_AUDIO].cfg.recv;
    GstElement *mux;
    GstPad *pad;

    *mux_out = NULL;
    if (!s->record_path)
        return TRUE;
    if (!video && !audio) {
        SC_LOG_WARN(s->log_id, "nothing received: no recording");
        return TRUE;
    }
    mux = sc_media_make(video ? "webmmux" : "oggmux", NULL, error);
    if (!mux)
        return FALSE;
    /* fdsink writes each buffer as it is rendered. filesink buffers and
     * writes the rest while it handles EOS, after the EOS probe below has
     * told sc_media_session_stop() the file is finalized; the pipeline
     * going to NULL in between made that write fail as flushing and left
     * the recording empty (under load: test-media
     * /media/record/audio-only-ogg, 2 of 40 runs). The file is ours only
     * (0600): it holds what the peer said. */
    s->record_fd = g_open(s->record_path,
                          O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (s->record_fd < 0) {
        int e = errno;
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "cannot write the recording %s: %s", s->record_path,
                    g_strerror(e));
        gst_object_unref(gst_object_ref_sink(mux));
        return FALSE;
    }
    s->filesink = sc_media_make("fdsink", NULL, error);
    if (!s->filesink) {
        gst_object_unref(gst_object_ref_sink(mux));
        return FALSE;
    }
    gst_object_ref(s->filesink);
    g_object_set(s->filesink, "fd", s->record_fd, "async", FALSE, "sync",
                 FALSE, NULL);
    gst_bin_add_many(GST_BIN(s->pipeline), mux, s->filesink, NULL);
    if (!gst_element_link(mux, s->filesink)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link muxer");
        return FALSE;
    }
    pad = gst_element_get_static_pad(s->filesink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_file_event,
                      s, NULL);
    gst_object_unref(pad);
    SC_LOG_INFO(s->log_id, "recording %s to %s", video ? "WebM" : "Ogg/Opus",
                s->record_path);
    *mux_out = mux;
    return TRUE;
}
