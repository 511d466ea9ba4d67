/* src/media/media-gst.c - the small GStreamer helpers the pipeline's files
 * share: making an element with a readable error, request pads and linking
 * to or from them, checking that plugins are installed before building,
 * and the RTP caps of a track (payload type, clock rate, codec, PLI).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"

#include <gst/gst.h>

GstElement *
sc_media_make(const char *factory, const char *name, GError **error)
{
    GstElement *e = gst_element_factory_make(factory, name);

    if (!e)
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "GStreamer element '%s' is missing (install "
                    "gstreamer1.0-plugins-base/good/bad)",
                    factory);
    return e;
}

GstPad *
sc_media_request_pad(GstElement *e, const char *name)
{
#if GST_CHECK_VERSION(1, 20, 0)
    return gst_element_request_pad_simple(e, name);
#else
    return gst_element_get_request_pad(e, name);
#endif
}

/* Links @src's static "src" pad to a new request pad @name of @dst. */
gboolean
sc_media_link_to_request(GstElement *src, GstElement *dst,
                         const char *name)
{
    GstPad *sinkpad = sc_media_request_pad(dst, name);
    GstPad *srcpad;
    gboolean ok;

    if (!sinkpad)
        return FALSE;
    srcpad = gst_element_get_static_pad(src, "src");
    ok = srcpad && gst_pad_link(srcpad, sinkpad) == GST_PAD_LINK_OK;
    if (srcpad)
        gst_object_unref(srcpad);
    gst_object_unref(sinkpad);
    return ok;
}

/* Links a new request pad @name of @src to @dst's "sink" pad. */
gboolean
sc_media_link_from_request(GstElement *src, const char *name,
                           GstElement *dst)
{
    GstPad *srcpad = sc_media_request_pad(src, name);
    GstPad *sinkpad;
    gboolean ok;

    if (!srcpad)
        return FALSE;
    sinkpad = gst_element_get_static_pad(dst, "sink");
    ok = sinkpad && gst_pad_link(srcpad, sinkpad) == GST_PAD_LINK_OK;
    if (sinkpad)
        gst_object_unref(sinkpad);
    gst_object_unref(srcpad);
    return ok;
}

/* Checks that every factory of the NULL-terminated list is installed, so
 * that building the pipeline later cannot fail half-way for that reason. */
gboolean
sc_media_have_factories(GError **error, const char *first, ...)
{
    va_list ap;
    const char *name = first;
    gboolean ok = TRUE;

    va_start(ap, first);
    while (ok && name) {
        GstElementFactory *f = gst_element_factory_find(name);
        if (!f) {
            g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                        "GStreamer element '%s' is missing (install "
                        "gstreamer1.0-plugins-base/good/bad)",
                        name);
            ok = FALSE;
        } else {
            gst_object_unref(f);
        }
        name = va_arg(ap, const char *);
    }
    va_end(ap);
    return ok;
}

GstCaps *
sc_media_rtp_caps(const Track *t)
{
    gboolean audio = t->cfg.kind == SC_MEDIA_AUDIO;
    GstCaps *caps = gst_caps_new_simple(
        "application/x-rtp", "media", G_TYPE_STRING, audio ? "audio" : "video",
        "clock-rate", G_TYPE_INT, (int)t->cfg.clock_rate, "encoding-name",
        G_TYPE_STRING, audio ? "OPUS" : "VP8", "payload", G_TYPE_INT,
        (int)t->cfg.payload_type, NULL);

    /* rtpsession turns the depayloader's upstream GstForceKeyUnit into an
     * RTCP PLI (RFC 4585 §6.3.1) only when the payload type's caps allow it
     * (a=rtcp-fb:PT nack pli, which browsers offer for VP8). */
    if (!audio)
        gst_caps_set_simple(caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                            NULL);
    return caps;
}
