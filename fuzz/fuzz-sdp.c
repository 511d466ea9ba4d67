/* fuzz/fuzz-sdp.c - sc_sdp_parse() on arbitrary text, as offer and as
 * answer. Property: whatever parses as an offer with a data section gets an
 * answer from sc_sdp_create_answer(), and that answer parses as an answer
 * with the same m-lines, the data section accepted. Twice: data only, and
 * with audio and video wishes, where the answer must accept exactly the
 * offer's accepted audio/video sections, with the offered payload type, a
 * direction within the reversed offered one, feedback within the offered
 * one, and sc_sdp_media_negotiated() must agree from both sides.
 * Links sdp + core only (pure module, no stubs).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sdp/sdp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fps[] = {
    "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:"
    "FF:00:11:22:33:44:55:66:77:88:99",
    NULL};

static void
check_media(const ScSdpDesc *offer, const ScSdpDesc *a, const char *kind,
            ScSdpDirection wish)
{
    int oi = sc_sdp_desc_find_media_index(offer, kind);
    int ai = sc_sdp_desc_find_media_index(a, kind);
    const ScSdpSection *os, *as;
    ScSdpMedia m, r;

    g_assert_cmpint(oi, ==, ai);
    g_assert_cmpint(sc_sdp_media_negotiated(a, offer, kind, &m), ==, ai >= 0);
    g_assert_cmpint(sc_sdp_media_negotiated(offer, a, kind, &r), ==, ai >= 0);
    if (ai < 0)
        return;
    os = offer->sections->pdata[oi];
    as = a->sections->pdata[ai];
    g_assert_cmpuint(as->formats->len, ==, 1);
    g_assert_cmpuint(as->codec->pt, ==, os->codec->pt);
    g_assert_cmpuint(as->codec->rtcp_fb & ~os->codec->rtcp_fb, ==, 0);
    g_assert_cmpint(as->dir, ==,
                    sc_sdp_direction_reverse(os->dir) & wish);
    g_assert_cmpint(m.direction, ==, as->dir);
    g_assert_cmpint(r.direction, ==, sc_sdp_direction_reverse(as->dir));
    g_assert_cmpuint(m.send_codec->pt, ==, os->codec->pt);
    g_assert_cmpuint(as->ssrcs->len, ==, SC_SDP_DIRECTION_SENDS(as->dir));
}

static void
answer_and_check(const ScSdpDesc *offer, const ScSdpLocal *local)
{
    GError *error = NULL;
    char *answer = sc_sdp_create_answer(local, offer, &error);
    ScSdpDesc *a;
    const ScSdpSection *ds;

    if (answer == NULL) {
        /* the only reason to refuse a valid offer */
        g_assert_cmpint(offer->data_section, ==, -1);
        g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
        g_error_free(error);
        return;
    }
    a = sc_sdp_parse(SC_SDP_TYPE_ANSWER, answer, &error);
    if (a == NULL)
        g_error("our answer does not parse: %s\n%s", error->message, answer);
    g_assert_cmpuint(a->sections->len, ==, offer->sections->len);
    g_assert_cmpint(a->data_section, ==, offer->data_section);
    ds = a->sections->pdata[a->data_section];
    g_assert_cmpuint(ds->sctp_port, ==, 5000);
    g_assert_cmpstr(a->ice_ufrag, ==, "fUzZ");
    g_assert_cmpint(a->setup, !=, SC_SDP_SETUP_ACTPASS);
    for (guint i = 0; i < a->sections->len; i++) {
        const ScSdpSection *x = a->sections->pdata[i];
        const ScSdpSection *y = offer->sections->pdata[i];
        g_assert_cmpstr(x->mid, ==, y->mid);
        g_assert_cmpstr(x->proto, ==, y->proto);
        g_assert_cmpstr(x->media, ==, y->media);
    }
    /* our candidates: in the section that carries the transport only */
    for (guint i = 0; i < a->sections->len; i++) {
        const ScSdpSection *x = a->sections->pdata[i];
        guint want = local->candidates != NULL &&
                             (int)i == a->transport_section
                         ? 1
                         : 0;
        g_assert_cmpuint(x->candidates->len, ==, want);
        g_assert_cmpint(x->end_of_candidates, ==,
                        want == 1 && local->end_of_candidates);
    }
    if (local->audio.enabled) {
        check_media(offer, a, "audio", local->audio.direction);
        check_media(offer, a, "video", local->video.direction);
    } else {
        g_assert_null(sc_sdp_desc_find_media(a, "audio"));
        g_assert_null(sc_sdp_desc_find_media(a, "video"));
    }
    sc_sdp_desc_free(a);
    g_free(answer);
}

static const char *const cands[] = {
    "candidate:1 1 udp 2015363327 192.0.2.10 50000 typ host", NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    ScSdpDesc *offer = sc_sdp_parse(SC_SDP_TYPE_OFFER, text, NULL);
    ScSdpDesc *as_answer = sc_sdp_parse(SC_SDP_TYPE_ANSWER, text, NULL);

    if (offer != NULL) {
        ScSdpLocal local = {
            .ice_ufrag = "fUzZ",
            .ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz",
            .fingerprints = fps,
            .tls_id = "0123456789abcdefghijKLMN",
            .sctp_port = 5000,
            .max_message_size = 262144,
            .session_id = 1,
            .session_version = 2,
        };

        answer_and_check(offer, &local);
        /* with media: the video wish depends on the input, so that every
         * direction pair is reached */
        local.audio = (ScSdpLocalMedia){.enabled = TRUE,
                                        .direction = SC_SDP_DIRECTION_SENDRECV,
                                        .ssrc = 1,
                                        .track_id = "a"};
        local.video = (ScSdpLocalMedia){
            .enabled = TRUE,
            .direction = (ScSdpDirection)(size & 3),
            .ssrc = 2,
            .track_id = "v",
            .rtcp_fb = (size & 4) ? SC_SDP_RTCP_FB_NACK_PLI : 0};
        local.cname = "fuzzcname";
        local.stream_id = "s";
        local.candidates = cands;
        local.end_of_candidates = (size & 8) != 0;
        answer_and_check(offer, &local);
        sc_sdp_desc_free(offer);
    }
    sc_sdp_desc_free(as_answer);
    g_free(text);
    return 0;
}
