/* src/sdp/sdp-write.c - producing offers and answers: RFC 8829 §5.2.1
 * (initial offer) and §5.3.1 (initial answer: m-lines mirrored, rejected
 * sections with port 0, BUNDLE group of the accepted mids), RFC 8841 (data
 * channel m-section), RFC 5763 §5 / RFC 8842 §5 (setup, tls-id), RFC 8838
 * §5.1 (trickle: port 9, c=IN IP4 0.0.0.0, no candidates).
 * The text is produced by GstSDPMessage.
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"

#include <gst/sdp/sdp.h>
#include <string.h>

#define SC_SDP_LEGACY_SCTP_STREAMS 1024

static gboolean
bad_arg(GError **error, const char *msg)
{
    g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, msg);
    return FALSE;
}

/* The identity attribute value: base64 assertion and optional extensions,
 * printable ASCII separated by single spaces. */
static gboolean
identity_is_valid(const char *s)
{
    if (*s == '\0' || *s == ' ')
        return FALSE;
    for (const guchar *p = (const guchar *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return FALSE;
    return TRUE;
}

/* Checks @local; fills @fps with the normalised fingerprints. */
static gboolean
check_local(const ScSdpLocal *local, GPtrArray *fps, GError **error)
{
    if (!sc_sdp_is_ice_chars(local->ice_ufrag, 4, 32))
        return bad_arg(error, "local ice-ufrag must be 4-32 ice-chars");
    if (!sc_sdp_is_ice_chars(local->ice_pwd, 22, 256))
        return bad_arg(error, "local ice-pwd must be 22-256 ice-chars");
    if (local->fingerprints == NULL || local->fingerprints[0] == NULL)
        return bad_arg(error, "no local fingerprint");
    for (guint i = 0; local->fingerprints[i] != NULL; i++) {
        GError *e = NULL;
        gboolean usable = FALSE;
        char *fp = sc_sdp_fingerprint_normalize(local->fingerprints[i],
                                                &usable, &e);
        if (fp == NULL) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "local fingerprint: %s", e->message);
            g_error_free(e);
            return FALSE;
        }
        if (!usable) {
            g_free(fp);
            return bad_arg(error, "local fingerprint has an unknown hash");
        }
        g_ptr_array_add(fps, fp);
    }
    if (local->tls_id != NULL && !sc_sdp_tls_id_is_valid(local->tls_id))
        return bad_arg(error, "local tls-id must be 20-255 characters of "
                              "ALPHA / DIGIT / + / - _");
    if (local->sctp_port == 0)
        return bad_arg(error, "local SCTP port must not be 0");
    if (local->session_id > (guint64)G_MAXINT64)
        return bad_arg(error, "session id must be below 2^63");
    if (local->identity != NULL && !identity_is_valid(local->identity))
        return bad_arg(error, "identity value must be printable ASCII");
    return TRUE;
}

static GstSDPMessage *
new_message(const ScSdpLocal *local)
{
    GstSDPMessage *msg = NULL;
    char id[24], ver[24];

    gst_sdp_message_new(&msg);
    g_snprintf(id, sizeof id, "%" G_GUINT64_FORMAT, local->session_id);
    g_snprintf(ver, sizeof ver, "%" G_GUINT64_FORMAT, local->session_version);
    gst_sdp_message_set_version(msg, "0");
    gst_sdp_message_set_origin(msg, "-", id, ver, "IN", "IP4", "127.0.0.1");
    gst_sdp_message_set_session_name(msg, "-");
    gst_sdp_message_add_time(msg, "0", "0", NULL);
    return msg;
}

/* The transport and data attributes of our data m-section. */
static void
add_transport_attrs(GstSDPMedia *m, const ScSdpLocal *local, GPtrArray *fps,
                    gboolean trickle, ScSdpSetup setup, gboolean tls_id)
{
    gst_sdp_media_add_attribute(m, "ice-ufrag", local->ice_ufrag);
    gst_sdp_media_add_attribute(m, "ice-pwd", local->ice_pwd);
    if (trickle)
        gst_sdp_media_add_attribute(m, "ice-options", "trickle");
    for (guint i = 0; i < fps->len; i++)
        gst_sdp_media_add_attribute(m, "fingerprint", fps->pdata[i]);
    gst_sdp_media_add_attribute(m, "setup", sc_sdp_setup_to_string(setup));
    if (tls_id && local->tls_id != NULL)
        gst_sdp_media_add_attribute(m, "tls-id", local->tls_id);
}

static void
add_sctp_attrs(GstSDPMedia *m, const ScSdpLocal *local, gboolean legacy)
{
    char buf[64];

    if (legacy) {
        g_snprintf(buf, sizeof buf, "%u webrtc-datachannel %u",
                   local->sctp_port, SC_SDP_LEGACY_SCTP_STREAMS);
        gst_sdp_media_add_attribute(m, "sctpmap", buf);
    } else {
        g_snprintf(buf, sizeof buf, "%u", local->sctp_port);
        gst_sdp_media_add_attribute(m, "sctp-port", buf);
    }
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, local->max_message_size);
    gst_sdp_media_add_attribute(m, "max-message-size", buf);
}

static char *
finish(GstSDPMessage *msg)
{
    char *text = gst_sdp_message_as_text(msg);

    gst_sdp_message_free(msg);
    return text;
}

char *
sc_sdp_create_offer(const ScSdpLocal *local, GError **error)
{
    g_autoptr(GPtrArray) fps = g_ptr_array_new_with_free_func(g_free);
    GstSDPMessage *msg;
    GstSDPMedia media = {0}, *m = &media;

    g_return_val_if_fail(local != NULL, NULL);
    if (!check_local(local, fps, error))
        return NULL;

    msg = new_message(local);
    gst_sdp_message_add_attribute(msg, "group", "BUNDLE 0");
    if (local->identity != NULL)
        gst_sdp_message_add_attribute(msg, "identity", local->identity);
    if (local->ice_pacing_ms > 0) {
        char pacing[16];
        g_snprintf(pacing, sizeof pacing, "%u", local->ice_pacing_ms);
        gst_sdp_message_add_attribute(msg, "ice-pacing", pacing);
    }

    gst_sdp_media_init(m);
    gst_sdp_media_set_media(m, "application");
    gst_sdp_media_set_port_info(m, 9, 0);
    gst_sdp_media_set_proto(m, "UDP/DTLS/SCTP");
    gst_sdp_media_add_format(m, "webrtc-datachannel");
    gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
    add_transport_attrs(m, local, fps, TRUE, SC_SDP_SETUP_ACTPASS, TRUE);
    gst_sdp_media_add_attribute(m, "mid", "0");
    add_sctp_attrs(m, local, FALSE);
    /* takes over the contents of the media (not the struct itself) */
    gst_sdp_message_add_media(msg, m);
    return finish(msg);
}

static ScSdpSetup
answer_setup(ScSdpSetup offered)
{
    /* RFC 5763 §5 / JSEP §5.3.1: active for actpass; the opposite role for
     * an offer from an older endpoint that already picked one. */
    return offered == SC_SDP_SETUP_ACTIVE ? SC_SDP_SETUP_PASSIVE
                                          : SC_SDP_SETUP_ACTIVE;
}

char *
sc_sdp_create_answer(const ScSdpLocal *local, const ScSdpDesc *offer,
                     GError **error)
{
    g_autoptr(GPtrArray) fps = g_ptr_array_new_with_free_func(g_free);
    GstSDPMessage *msg;
    const ScSdpSection *ds;

    g_return_val_if_fail(local != NULL, NULL);
    g_return_val_if_fail(offer != NULL, NULL);

    if (offer->type != SC_SDP_TYPE_OFFER) {
        bad_arg(error, "cannot answer a description that is not an offer");
        return NULL;
    }
    if (!check_local(local, fps, error))
        return NULL;
    if (offer->data_section < 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                            "offer has no data channel section");
        return NULL;
    }
    ds = offer->sections->pdata[offer->data_section];

    msg = new_message(local);
    if (ds->mid != NULL && offer->bundle_mids != NULL &&
        g_strv_contains((const char *const *)offer->bundle_mids, ds->mid)) {
        g_autofree char *group = g_strconcat("BUNDLE ", ds->mid, NULL);
        gst_sdp_message_add_attribute(msg, "group", group);
    }
    if (local->identity != NULL)
        gst_sdp_message_add_attribute(msg, "identity", local->identity);
    if (local->ice_pacing_ms > 0) {
        char pacing[16];
        g_snprintf(pacing, sizeof pacing, "%u", local->ice_pacing_ms);
        gst_sdp_message_add_attribute(msg, "ice-pacing", pacing);
    }

    for (guint i = 0; i < offer->sections->len; i++) {
        const ScSdpSection *os = offer->sections->pdata[i];
        GstSDPMedia media = {0}, *m = &media;

        gst_sdp_media_init(m);
        gst_sdp_media_set_media(m, os->media);
        gst_sdp_media_set_proto(m, os->proto);
        if ((int)i == offer->data_section) {
            char port[8];

            gst_sdp_media_set_port_info(m, 9, 0);
            if (os->legacy_sctpmap) {
                g_snprintf(port, sizeof port, "%u", local->sctp_port);
                gst_sdp_media_add_format(m, port);
            } else {
                gst_sdp_media_add_format(m, "webrtc-datachannel");
            }
            gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
            add_transport_attrs(m, local, fps, offer->ice_trickle,
                                answer_setup(offer->setup),
                                offer->tls_id != NULL);
            if (os->mid != NULL)
                gst_sdp_media_add_attribute(m, "mid", os->mid);
            add_sctp_attrs(m, local, os->legacy_sctpmap);
        } else {
            /* rejected (RFC 3264 §6, JSEP §5.3.1) */
            gst_sdp_media_set_port_info(m, 0, 0);
            for (guint k = 0; k < os->formats->len; k++)
                gst_sdp_media_add_format(m, os->formats->pdata[k]);
            gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
            if (os->mid != NULL)
                gst_sdp_media_add_attribute(m, "mid", os->mid);
            gst_sdp_media_add_attribute(m, "inactive", NULL);
        }
        gst_sdp_message_add_media(msg, m); /* takes the contents */
    }
    return finish(msg);
}
