/* tests/unit/test-sdp-media.c - audio (Opus) and video (VP8) m-sections
 * bundled with the data channel: our offers parsed back, answers to
 * Chromium 156 and Firefox ESR 128 offers (payload types, directions,
 * feedback, rejected sections), browser answers to our offer, and
 * sc_sdp_media_negotiated() from both sides.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sdp/sdp.h"
#include "test-util.h"

#include <string.h>

#define FP2                                                                   \
    "sha-256 3B:9F:53:0E:E8:23:7B:F9:AD:3C:BD:2D:BE:93:7E:91:B5:52:D1:AD:4B:" \
    "BD:58:E0:F3:97:4C:44:3B:21:FE:B8"
#define TLS_ID "T9b2kQ7xZ1mN4pR8sV0wY3-_"
#define UFRAG "L0c4"
#define PWD "l0calPassw0rdl0calPassw0rd"
#define CNAME "k3Vq9ZpR2mXw7bLs"
#define STREAM "sc-stream-4f2a"
#define ATRACK "sc-audio-9d1e"
#define VTRACK "sc-video-7c3b"
#define ASSRC 305419896u
#define VSSRC 2882400001u

static const char *const local_fps[] = {FP2, NULL};

/* Audio and video, sendrecv, default feedback. */
static ScSdpLocal
local_media(void)
{
    ScSdpLocal l = {
        .ice_ufrag = UFRAG,
        .ice_pwd = PWD,
        .fingerprints = local_fps,
        .tls_id = TLS_ID,
        .sctp_port = 5000,
        .max_message_size = 262144,
        .session_id = 4611686018427387904ull,
        .session_version = 2,
        .audio = {.enabled = TRUE,
                  .direction = SC_SDP_DIRECTION_SENDRECV,
                  .ssrc = ASSRC,
                  .track_id = ATRACK},
        .video = {.enabled = TRUE,
                  .direction = SC_SDP_DIRECTION_SENDRECV,
                  .ssrc = VSSRC,
                  .track_id = VTRACK},
        .cname = CNAME,
        .stream_id = STREAM,
    };
    return l;
}

static char *
load(const char *name)
{
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "data", "sdp", name, NULL);
    GError *error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("%s: %s", path, error->message);
    return text;
}

static ScSdpDesc *
parse_ok(ScSdpType type, const char *text)
{
    GError *error = NULL;
    ScSdpDesc *d = sc_sdp_parse(type, text, &error);

    if (d == NULL)
        g_error("parse failed: %s\n%s", error->message, text);
    return d;
}

static char *
offer_ok(const ScSdpLocal *l)
{
    GError *error = NULL;
    char *text = sc_sdp_create_offer(l, &error);

    if (text == NULL)
        g_error("create_offer failed: %s", error->message);
    return text;
}

static char *
answer_ok(const ScSdpLocal *l, const ScSdpDesc *offer)
{
    GError *error = NULL;
    char *text = sc_sdp_create_answer(l, offer, &error);

    if (text == NULL)
        g_error("create_answer failed: %s", error->message);
    return text;
}

static const ScSdpSection *
section(const ScSdpDesc *d, guint i)
{
    g_assert_cmpuint(i, <, d->sections->len);
    return d->sections->pdata[i];
}

static gboolean
has_line(const char *text, const char *line)
{
    g_autofree char *needle = g_strconcat("\r\n", line, "\r\n", NULL);
    return strstr(text, needle) != NULL;
}

static guint
count(const char *text, const char *needle)
{
    guint n = 0;

    for (const char *p = strstr(text, needle); p != NULL;
         p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The text of m-section @i (from its m= line to the next). */
static char *
msection(const char *text, guint i)
{
    const char *p = text, *end;

    for (guint k = 0; k <= i; k++) {
        p = strstr(p, "\r\nm=");
        g_assert_nonnull(p);
        p += 2;
    }
    end = strstr(p, "\r\nm=");
    return end != NULL ? g_strndup(p - 2, (gsize)(end - p) + 4)
                       : g_strdup(p - 2);
}

static guint
sub_replace(GString *s, const char *find, const char *with, guint limit)
{
    gsize flen = strlen(find), wlen = strlen(with), pos = 0;
    guint n = 0;
    char *hit;

    while ((limit == 0 || n < limit) &&
           (hit = strstr(s->str + pos, find)) != NULL) {
        pos = (gsize)(hit - s->str);
        g_string_erase(s, (gssize)pos, (gssize)flen);
        g_string_insert(s, (gssize)pos, with);
        pos += wlen;
        n++;
    }
    return n;
}

static ScSdpDesc *
parse_mutated(ScSdpType type, const char *base, const char *find,
              const char *replace)
{
    g_autoptr(GString) text = g_string_new(base);

    g_assert_cmpuint(sub_replace(text, find, replace, 1), ==, 1);
    return parse_ok(type, text->str);
}

static void
assert_bundle(const ScSdpDesc *d, const char *const *mids)
{
    g_assert_nonnull(d->bundle_mids);
    g_assert_cmpuint(g_strv_length(d->bundle_mids), ==,
                     g_strv_length((char **)mids));
    for (guint i = 0; mids[i] != NULL; i++)
        g_assert_cmpstr(d->bundle_mids[i], ==, mids[i]);
}

/* ---- direction helpers ---- */

static void
test_direction_names(void)
{
    g_assert_cmpstr(sc_sdp_direction_to_string(SC_SDP_DIRECTION_INACTIVE), ==,
                    "inactive");
    g_assert_cmpstr(sc_sdp_direction_to_string(SC_SDP_DIRECTION_SENDONLY), ==,
                    "sendonly");
    g_assert_cmpstr(sc_sdp_direction_to_string(SC_SDP_DIRECTION_RECVONLY), ==,
                    "recvonly");
    g_assert_cmpstr(sc_sdp_direction_to_string(SC_SDP_DIRECTION_SENDRECV), ==,
                    "sendrecv");
    g_assert_null(sc_sdp_direction_to_string((ScSdpDirection)4));
    g_assert_cmpint(sc_sdp_direction_reverse(SC_SDP_DIRECTION_SENDONLY), ==,
                    SC_SDP_DIRECTION_RECVONLY);
    g_assert_cmpint(sc_sdp_direction_reverse(SC_SDP_DIRECTION_RECVONLY), ==,
                    SC_SDP_DIRECTION_SENDONLY);
    g_assert_cmpint(sc_sdp_direction_reverse(SC_SDP_DIRECTION_SENDRECV), ==,
                    SC_SDP_DIRECTION_SENDRECV);
    g_assert_cmpint(sc_sdp_direction_reverse(SC_SDP_DIRECTION_INACTIVE), ==,
                    SC_SDP_DIRECTION_INACTIVE);
    g_assert_true(SC_SDP_DIRECTION_SENDS(SC_SDP_DIRECTION_SENDONLY));
    g_assert_false(SC_SDP_DIRECTION_SENDS(SC_SDP_DIRECTION_RECVONLY));
    g_assert_true(SC_SDP_DIRECTION_RECEIVES(SC_SDP_DIRECTION_SENDRECV));
    g_assert_false(SC_SDP_DIRECTION_RECEIVES(SC_SDP_DIRECTION_INACTIVE));
}

/* ---- our offers ---- */

static void
test_offer_av_roundtrip(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *text = offer_ok(&l);
    g_autofree char *audio = msection(text, 0), *video = msection(text, 1);
    g_autofree char *data = msection(text, 2);
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    static const char *const mids[] = {"0", "1", "2", NULL};
    const ScSdpSection *a, *v;

    g_test_message("%s", text);
    g_assert_true(has_line(text, "a=group:BUNDLE 0 1 2"));
    g_assert_true(has_line(text, "a=msid-semantic:WMS *"));
    /* audio */
    g_assert_true(g_str_has_prefix(audio, "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                                          "c=IN IP4 0.0.0.0\r\n"));
    g_assert_true(has_line(audio, "a=rtcp:9 IN IP4 0.0.0.0"));
    g_assert_true(has_line(audio, "a=mid:0"));
    g_assert_true(has_line(audio, "a=sendrecv"));
    g_assert_true(has_line(audio, "a=msid:" STREAM " " ATRACK));
    g_assert_true(has_line(audio, "a=rtcp-mux"));
    g_assert_true(has_line(audio, "a=rtcp-rsize"));
    g_assert_true(has_line(audio, "a=rtpmap:111 opus/48000/2"));
    g_assert_true(has_line(audio, "a=fmtp:111 minptime=10;useinbandfec=1"));
    g_assert_null(strstr(audio, "rtcp-fb"));
    g_assert_true(has_line(audio, "a=ssrc:305419896 cname:" CNAME));
    g_assert_true(has_line(audio, "a=ssrc:305419896 msid:" STREAM " " ATRACK));
    /* video */
    g_assert_true(g_str_has_prefix(video, "\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"));
    g_assert_true(has_line(video, "a=mid:1"));
    g_assert_true(has_line(video, "a=rtpmap:96 VP8/90000"));
    g_assert_true(has_line(video, "a=rtcp-fb:96 nack"));
    g_assert_true(has_line(video, "a=rtcp-fb:96 nack pli"));
    g_assert_true(has_line(video, "a=rtcp-fb:96 ccm fir"));
    g_assert_cmpuint(count(video, "a=rtcp-fb"), ==, 3);
    g_assert_null(strstr(video, "a=fmtp"));
    g_assert_null(strstr(video, "rtx"));
    g_assert_true(has_line(video, "a=ssrc:2882400001 cname:" CNAME));
    /* the same transport attributes in every section */
    for (guint i = 0; i < 3; i++) {
        g_autofree char *m = msection(text, i);
        g_assert_true(has_line(m, "a=ice-ufrag:" UFRAG));
        g_assert_true(has_line(m, "a=ice-pwd:" PWD));
        g_assert_true(has_line(m, "a=ice-options:trickle"));
        g_assert_true(has_line(m, "a=fingerprint:" FP2));
        g_assert_true(has_line(m, "a=setup:actpass"));
        g_assert_true(has_line(m, "a=tls-id:" TLS_ID));
    }
    g_assert_true(has_line(data, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
    g_assert_true(has_line(data, "a=mid:2"));
    g_assert_null(strstr(data, "ssrc"));

    /* parsed back */
    g_assert_cmpuint(d->sections->len, ==, 3);
    assert_bundle(d, mids);
    g_assert_cmpint(d->data_section, ==, 2);
    g_assert_cmpint(d->transport_section, ==, 0);
    g_assert_true(section(d, 2)->accepted);
    a = sc_sdp_desc_find_media(d, "audio");
    v = sc_sdp_desc_find_media(d, "video");
    g_assert_true(a == section(d, 0));
    g_assert_true(v == section(d, 1));
    g_assert_true(sc_sdp_desc_find_media(d, "application") == section(d, 2));
    g_assert_cmpint(sc_sdp_desc_find_media_index(d, "video"), ==, 1);
    g_assert_null(sc_sdp_desc_find_media(d, "text"));
    g_assert_cmpuint(a->codec->pt, ==, 111);
    g_assert_cmpstr(a->codec->encoding, ==, "opus");
    g_assert_cmpuint(a->codec->clock_rate, ==, 48000);
    g_assert_cmpuint(a->codec->channels, ==, 2);
    g_assert_cmpstr(a->codec->fmtp, ==, "minptime=10;useinbandfec=1");
    g_assert_cmpuint(a->codec->rtcp_fb, ==, 0);
    g_assert_cmpint(a->dir, ==, SC_SDP_DIRECTION_SENDRECV);
    g_assert_true(a->rtcp_mux);
    g_assert_true(a->rtcp_rsize);
    g_assert_cmpuint(a->ssrcs->len, ==, 1);
    g_assert_cmpuint(a->ssrc, ==, ASSRC);
    g_assert_cmpuint(a->rtx_ssrc, ==, 0);
    g_assert_cmpstr(a->cname, ==, CNAME);
    g_assert_cmpstr(a->msid_stream, ==, STREAM);
    g_assert_cmpstr(a->msid_track, ==, ATRACK);
    g_assert_cmpuint(v->codec->pt, ==, 96);
    g_assert_cmpstr(v->codec->encoding, ==, "VP8");
    g_assert_cmpuint(v->codec->rtcp_fb, ==, SC_SDP_RTCP_FB_WRITABLE);
    g_assert_cmpuint(v->ssrc, ==, VSSRC);
    g_assert_cmpstr(v->msid_track, ==, VTRACK);
    for (guint i = 0; i < 3; i++)
        g_assert_true(sc_sdp_desc_candidate_mid_ok(d, section(d, i)->mid, -1));
}

static void
test_offer_partial(void)
{
    /* audio only, receive only: no msid or ssrc, no CNAME needed */
    ScSdpLocal l = local_media();
    g_autofree char *text = NULL, *vtext = NULL;
    g_autoptr(ScSdpDesc) d = NULL, vd = NULL;
    static const char *const mids[] = {"0", "1", NULL};

    l.video.enabled = FALSE;
    l.audio.direction = SC_SDP_DIRECTION_RECVONLY;
    l.cname = NULL;
    l.stream_id = NULL;
    l.audio.track_id = NULL;
    text = offer_ok(&l);
    d = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_assert_true(has_line(text, "a=group:BUNDLE 0 1"));
    g_assert_true(has_line(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111"));
    g_assert_null(strstr(text, "m=video"));
    g_assert_true(has_line(text, "a=recvonly"));
    g_assert_null(strstr(text, "a=ssrc"));
    g_assert_null(strstr(text, "a=msid:"));
    g_assert_cmpuint(d->sections->len, ==, 2);
    assert_bundle(d, mids);
    g_assert_cmpint(d->data_section, ==, 1);
    g_assert_cmpint(section(d, 0)->dir, ==, SC_SDP_DIRECTION_RECVONLY);
    g_assert_cmpuint(section(d, 0)->ssrcs->len, ==, 0);
    g_assert_null(section(d, 0)->cname);

    /* video only, inactive, no feedback */
    l = local_media();
    l.audio.enabled = FALSE;
    l.video.direction = SC_SDP_DIRECTION_INACTIVE;
    l.video.rtcp_fb = SC_SDP_RTCP_FB_NONE;
    vtext = offer_ok(&l);
    vd = parse_ok(SC_SDP_TYPE_OFFER, vtext);
    g_assert_true(has_line(vtext, "m=video 9 UDP/TLS/RTP/SAVPF 96"));
    g_assert_true(has_line(vtext, "a=inactive"));
    g_assert_null(strstr(vtext, "rtcp-fb"));
    g_assert_null(strstr(vtext, "a=ssrc"));
    g_assert_cmpstr(section(vd, 0)->mid, ==, "0");
    g_assert_cmpstr(section(vd, 1)->mid, ==, "1");
    g_assert_true(section(vd, 0)->accepted);
}

static void
test_offer_rtcp_fb(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *text = NULL;

    /* only the flags we can write survive; audio gets them when asked */
    l.video.rtcp_fb = SC_SDP_RTCP_FB_NACK | SC_SDP_RTCP_FB_GOOG_REMB |
                      SC_SDP_RTCP_FB_TRANSPORT_CC;
    l.audio.rtcp_fb = SC_SDP_RTCP_FB_NACK;
    text = offer_ok(&l);
    g_assert_true(has_line(text, "a=rtcp-fb:96 nack"));
    g_assert_true(has_line(text, "a=rtcp-fb:111 nack"));
    g_assert_cmpuint(count(text, "a=rtcp-fb"), ==, 2);
    g_assert_null(strstr(text, "goog-remb"));
    g_assert_null(strstr(text, "transport-cc"));
}

static void
test_offer_bad_local(void)
{
    for (guint i = 0;; i++) {
        ScSdpLocal l = local_media();
        GError *error = NULL;
        g_autofree char *text = NULL;
        g_autoptr(ScSdpDesc) offer = NULL;
        char *answer;

        switch (i) {
        case 0: l.audio.ssrc = 0; break;
        case 1: l.video.track_id = NULL; break;
        case 2: l.video.track_id = "has space"; break;
        case 3: l.audio.track_id = "0123456789012345678901234567890123456789"
                                   "012345678901234567890123456"; break;
        case 4: l.cname = NULL; break;
        case 5: l.cname = "two words"; break;
        case 6: l.cname = ""; break;
        case 7: l.stream_id = NULL; break;
        case 8: l.stream_id = "a/b"; break;
        case 9: l.video.ssrc = ASSRC; break;
        case 10: l.audio.direction = (ScSdpDirection)7; break;
        default: return;
        }
        text = sc_sdp_create_offer(&l, &error);
        g_assert_null(text);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
        g_clear_error(&error);
        /* the answer checks the same */
        text = load("chromium156-av-data-offer.sdp");
        offer = parse_ok(SC_SDP_TYPE_OFFER, text);
        answer = sc_sdp_create_answer(&l, offer, &error);
        g_assert_null(answer);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
        g_clear_error(&error);
    }
}

/* ---- answers to browser offers ---- */

/* What every answer with media must satisfy against its offer. */
static ScSdpDesc *
check_media_answer(const ScSdpDesc *offer, const char *text)
{
    ScSdpDesc *a = parse_ok(SC_SDP_TYPE_ANSWER, text);

    g_assert_cmpuint(a->sections->len, ==, offer->sections->len);
    g_assert_cmpint(a->data_section, ==, offer->data_section);
    g_assert_null(strstr(text, "bundle-only"));
    g_assert_null(strstr(text, "rtx/"));
    g_assert_null(strstr(text, "a=candidate"));
    for (guint i = 0; i < a->sections->len; i++) {
        const ScSdpSection *x = section(a, i), *y = section(offer, i);

        g_assert_cmpstr(x->media, ==, y->media);
        g_assert_cmpstr(x->proto, ==, y->proto);
        g_assert_cmpstr(x->mid, ==, y->mid);
        if (x->accepted) {
            g_assert_cmpuint(x->port, ==, 9);
            /* no group only when the offer bundled nothing with data */
            if (a->bundle_mids != NULL)
                g_assert_true(g_strv_contains(
                    (const char *const *)a->bundle_mids, x->mid));
            else
                g_assert_cmpint((int)i, ==, a->data_section);
            g_assert_cmpstr(x->ice_ufrag, ==, UFRAG);
            if ((int)i != a->data_section) {
                /* one format: the offerer's payload type */
                g_assert_cmpuint(x->formats->len, ==, 1);
                g_assert_nonnull(x->codec);
                g_assert_cmpuint(x->codec->pt, ==, y->codec->pt);
                g_assert_true(x->rtcp_mux);
                g_assert_cmpint(x->rtcp_rsize, ==, y->rtcp_rsize);
                /* never more than offered, never more than we write */
                g_assert_cmpuint(x->codec->rtcp_fb & ~y->codec->rtcp_fb, ==, 0);
                g_assert_cmpuint(x->codec->rtcp_fb & ~SC_SDP_RTCP_FB_WRITABLE,
                                 ==, 0);
                g_assert_cmpuint(x->dir & ~sc_sdp_direction_reverse(y->dir),
                                 ==, 0);
                g_assert_cmpuint(x->ssrcs->len, ==,
                                 SC_SDP_DIRECTION_SENDS(x->dir) ? 1 : 0);
            }
        } else {
            g_assert_cmpuint(x->port, ==, 0);
            g_assert_cmpint(x->dir, ==, SC_SDP_DIRECTION_INACTIVE);
            g_assert_false(a->bundle_mids != NULL &&
                           g_strv_contains((const char *const *)a->bundle_mids,
                                           x->mid));
        }
    }
    g_assert_cmpint(a->setup, ==, SC_SDP_SETUP_ACTIVE);
    return a;
}

static void
test_answer_chromium156(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *text = load("chromium156-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_autofree char *answer = answer_ok(&l, offer);
    g_autoptr(ScSdpDesc) a = check_media_answer(offer, answer);
    g_autofree char *atext = msection(answer, 0), *vtext = msection(answer, 1);
    static const char *const mids[] = {"0", "1", "2", NULL};
    const ScSdpSection *ov = section(offer, 1);
    ScSdpMedia m;

    g_test_message("%s", answer);
    /* the offer as parsed */
    g_assert_cmpuint(ov->formats->len, ==, 29);
    g_assert_cmpuint(ov->codec->pt, ==, 96);
    g_assert_cmpuint(ov->codec->rtcp_fb, ==,
                     SC_SDP_RTCP_FB_WRITABLE | SC_SDP_RTCP_FB_GOOG_REMB |
                         SC_SDP_RTCP_FB_TRANSPORT_CC);
    g_assert_cmpuint(ov->ssrc, ==, 2867398712u);
    g_assert_cmpuint(ov->rtx_ssrc, ==, 1205932254u);
    g_assert_cmpuint(ov->ssrcs->len, ==, 2);
    g_assert_cmpstr(ov->cname, ==, "5Hq2Yb8rVxk3LmNp");
    g_assert_cmpstr(ov->msid_stream, ==, "2d2f1b9e-8c6a-4f43-9a57-0c1e5b7d3a21");
    g_assert_cmpstr(section(offer, 0)->codec->fmtp, ==,
                    "minptime=10;useinbandfec=1");
    g_assert_cmpuint(section(offer, 0)->codec->rtcp_fb, ==,
                     SC_SDP_RTCP_FB_TRANSPORT_CC);

    /* the answer */
    g_assert_true(has_line(answer, "a=group:BUNDLE 0 1 2"));
    g_assert_true(has_line(answer, "a=msid-semantic:WMS *"));
    g_assert_true(has_line(atext, "m=audio 9 UDP/TLS/RTP/SAVPF 111"));
    g_assert_true(has_line(atext, "a=rtpmap:111 opus/48000/2"));
    g_assert_true(has_line(atext, "a=fmtp:111 minptime=10;useinbandfec=1"));
    g_assert_null(strstr(atext, "rtcp-fb")); /* transport-cc: not ours */
    g_assert_true(has_line(atext, "a=sendrecv"));
    g_assert_true(has_line(atext, "a=ssrc:305419896 cname:" CNAME));
    g_assert_true(has_line(vtext, "m=video 9 UDP/TLS/RTP/SAVPF 96"));
    g_assert_true(has_line(vtext, "a=rtpmap:96 VP8/90000"));
    g_assert_true(has_line(vtext, "a=rtcp-fb:96 nack"));
    g_assert_true(has_line(vtext, "a=rtcp-fb:96 nack pli"));
    g_assert_true(has_line(vtext, "a=rtcp-fb:96 ccm fir"));
    g_assert_cmpuint(count(vtext, "a=rtcp-fb"), ==, 3);
    g_assert_true(has_line(vtext, "a=msid:" STREAM " " VTRACK));
    g_assert_true(has_line(vtext, "a=ssrc:2882400001 msid:" STREAM " " VTRACK));
    g_assert_null(strstr(answer, "a=tls-id")); /* not offered */
    g_assert_null(strstr(answer, "red/"));
    g_assert_null(strstr(answer, "H264"));
    assert_bundle(a, mids);
    g_assert_cmpint(a->transport_section, ==, 0);

    /* what the answerer's call layer reads: our answer vs their offer */
    g_assert_true(sc_sdp_media_negotiated(a, offer, "audio", &m));
    g_assert_cmpuint(m.index, ==, 0);
    g_assert_cmpstr(m.mid, ==, "0");
    g_assert_cmpint(m.direction, ==, SC_SDP_DIRECTION_SENDRECV);
    g_assert_cmpuint(m.send_codec->pt, ==, 111);
    g_assert_cmpstr(m.send_codec->fmtp, ==, "minptime=10;useinbandfec=1");
    g_assert_cmpuint(m.recv_codec->pt, ==, 111);
    g_assert_cmpuint(m.rtcp_fb, ==, 0);
    g_assert_cmpuint(m.remote->ssrc, ==, 1591383411u);
    g_assert_cmpstr(m.remote->cname, ==, "5Hq2Yb8rVxk3LmNp");
    g_assert_cmpuint(m.local->ssrc, ==, ASSRC);
    g_assert_true(sc_sdp_media_negotiated(a, offer, "video", &m));
    g_assert_cmpuint(m.index, ==, 1);
    g_assert_cmpuint(m.send_codec->pt, ==, 96);
    g_assert_cmpuint(m.rtcp_fb, ==, SC_SDP_RTCP_FB_WRITABLE);
    g_assert_cmpuint(m.remote->rtx_ssrc, ==, 1205932254u);
    g_assert_false(sc_sdp_media_negotiated(a, offer, "text", &m));
    g_assert_null(m.mid);
}

static void
test_answer_firefox128(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *text = load("firefox128-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_autofree char *answer = answer_ok(&l, offer);
    g_autoptr(ScSdpDesc) a = check_media_answer(offer, answer);
    g_autofree char *atext = msection(answer, 0), *vtext = msection(answer, 1);
    const ScSdpSection *ov = section(offer, 1);
    ScSdpMedia m;

    g_test_message("%s", answer);
    g_assert_cmpuint(ov->codec->pt, ==, 120);
    g_assert_cmpstr(ov->codec->fmtp, ==, "max-fs=12288;max-fr=60");
    g_assert_cmpuint(ov->ssrc, ==, 1781642913u); /* FID after the ssrc lines */
    g_assert_cmpuint(ov->rtx_ssrc, ==, 2403958716u);
    g_assert_cmpstr(ov->msid_stream, ==, "{0f6a3e2b-5c1d-4a8e-b7f9-2d4c6e8a0b13}");
    g_assert_cmpstr(ov->msid_track, ==, "{a9c8e7f6-0b1d-4c2e-8f3a-6d5b4c3a2e19}");
    /* ulpfec 123 carries feedback lines too: only 120 counts */
    g_assert_cmpuint(ov->codec->rtcp_fb & SC_SDP_RTCP_FB_WRITABLE, ==,
                     SC_SDP_RTCP_FB_WRITABLE);

    g_assert_true(has_line(answer, "a=group:BUNDLE 0 1 2"));
    g_assert_true(has_line(atext, "m=audio 9 UDP/TLS/RTP/SAVPF 109"));
    g_assert_true(has_line(atext, "a=rtpmap:109 opus/48000/2"));
    g_assert_true(has_line(atext, "a=fmtp:109 minptime=10;useinbandfec=1"));
    g_assert_null(strstr(atext, "rtcp-rsize")); /* Firefox does not offer it */
    g_assert_true(has_line(vtext, "m=video 9 UDP/TLS/RTP/SAVPF 120"));
    g_assert_true(has_line(vtext, "a=rtpmap:120 VP8/90000"));
    g_assert_true(has_line(vtext, "a=rtcp-fb:120 nack pli"));
    g_assert_true(has_line(vtext, "a=rtcp-rsize"));
    g_assert_null(strstr(answer, "124"));

    g_assert_true(sc_sdp_media_negotiated(a, offer, "audio", &m));
    g_assert_cmpuint(m.send_codec->pt, ==, 109);
    g_assert_cmpstr(m.send_codec->fmtp, ==,
                    "maxplaybackrate=48000;stereo=1;useinbandfec=1");
    g_assert_cmpuint(m.remote->ssrc, ==, 3902114635u);
    g_assert_cmpstr(m.remote->cname, ==,
                    "{e2a4c6d8-1f3b-4d5e-9a7c-0b2d4f6a8c1e}");
    g_assert_true(sc_sdp_media_negotiated(a, offer, "video", &m));
    g_assert_cmpuint(m.send_codec->pt, ==, 120);
    g_assert_cmpuint(m.recv_codec->pt, ==, 120);
    g_assert_cmpint(m.direction, ==, SC_SDP_DIRECTION_SENDRECV);
}

/* Older captures: Chromium with candidates, Firefox max-bundle with
 * bundle-only sections at port 0. */
static void
test_answer_older_captures(void)
{
    static const struct {
        const char *name;
        guint audio_pt, video_pt;
    } caps[] = {
        {"chromium-av-data-offer.sdp", 111, 96},
        {"firefox-av-data-offer.sdp", 109, 120},
    };
    ScSdpLocal l = local_media();

    for (guint i = 0; i < G_N_ELEMENTS(caps); i++) {
        g_autofree char *text = load(caps[i].name);
        g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
        g_autofree char *answer = answer_ok(&l, offer);
        g_autoptr(ScSdpDesc) a = check_media_answer(offer, answer);
        ScSdpMedia m;

        g_assert_true(sc_sdp_media_negotiated(a, offer, "audio", &m));
        g_assert_cmpuint(m.send_codec->pt, ==, caps[i].audio_pt);
        g_assert_true(sc_sdp_media_negotiated(a, offer, "video", &m));
        g_assert_cmpuint(m.send_codec->pt, ==, caps[i].video_pt);
        g_assert_cmpint(sc_sdp_desc_find_media_index(a, "application"), ==, 2);
    }
}

static void
test_answer_directions(void)
{
    static const struct {
        const char *offered;
        ScSdpDirection wish, answered;
    } cases[] = {
        {"sendrecv", SC_SDP_DIRECTION_SENDRECV, SC_SDP_DIRECTION_SENDRECV},
        {"sendonly", SC_SDP_DIRECTION_SENDRECV, SC_SDP_DIRECTION_RECVONLY},
        {"recvonly", SC_SDP_DIRECTION_SENDRECV, SC_SDP_DIRECTION_SENDONLY},
        {"inactive", SC_SDP_DIRECTION_SENDRECV, SC_SDP_DIRECTION_INACTIVE},
        {"sendrecv", SC_SDP_DIRECTION_RECVONLY, SC_SDP_DIRECTION_RECVONLY},
        {"sendrecv", SC_SDP_DIRECTION_SENDONLY, SC_SDP_DIRECTION_SENDONLY},
        {"sendrecv", SC_SDP_DIRECTION_INACTIVE, SC_SDP_DIRECTION_INACTIVE},
        {"sendonly", SC_SDP_DIRECTION_SENDONLY, SC_SDP_DIRECTION_INACTIVE},
        {"recvonly", SC_SDP_DIRECTION_RECVONLY, SC_SDP_DIRECTION_INACTIVE},
        {"sendonly", SC_SDP_DIRECTION_RECVONLY, SC_SDP_DIRECTION_RECVONLY},
    };
    g_autofree char *base = load("chromium156-av-data-offer.sdp");

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        ScSdpLocal l = local_media();
        g_autofree char *line = g_strdup_printf("a=%s\r\n", cases[i].offered);
        /* the first direction line is the audio section's */
        g_autoptr(ScSdpDesc) offer =
            parse_mutated(SC_SDP_TYPE_OFFER, base, "a=sendrecv\r\n", line);
        g_autofree char *answer = NULL, *atext = NULL, *want = NULL;
        g_autoptr(ScSdpDesc) a = NULL;
        ScSdpMedia m, r;

        l.audio.direction = cases[i].wish;
        answer = answer_ok(&l, offer);
        a = check_media_answer(offer, answer);
        atext = msection(answer, 0);
        g_assert_true(section(a, 0)->accepted);
        g_assert_cmpint(section(a, 0)->dir, ==, cases[i].answered);
        want = g_strconcat("a=", sc_sdp_direction_to_string(cases[i].answered),
                           NULL);
        g_assert_true(has_line(atext, want));
        g_assert_cmpint(strstr(atext, "a=ssrc:") != NULL, ==,
                        SC_SDP_DIRECTION_SENDS(cases[i].answered));
        g_assert_cmpint(strstr(atext, "a=msid:") != NULL, ==,
                        SC_SDP_DIRECTION_SENDS(cases[i].answered));
        /* both ends agree */
        g_assert_true(sc_sdp_media_negotiated(a, offer, "audio", &m));
        g_assert_cmpint(m.direction, ==, cases[i].answered);
        g_assert_true(sc_sdp_media_negotiated(offer, a, "audio", &r));
        g_assert_cmpint(r.direction, ==,
                        sc_sdp_direction_reverse(cases[i].answered));
        /* video untouched */
        g_assert_cmpint(section(a, 1)->dir, ==, SC_SDP_DIRECTION_SENDRECV);
    }
}

static void
test_answer_h264_only(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *base = load("chromium156-av-data-offer.sdp");
    g_autoptr(GString) t = g_string_new(base);
    g_autoptr(ScSdpDesc) offer = NULL, a = NULL;
    g_autofree char *answer = NULL;
    static const char *const mids[] = {"0", "2", NULL};
    ScSdpMedia m;

    /* codec preferences left H264 and its rtx only */
    g_assert_cmpuint(sub_replace(t, "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 "
                                    "101 35 36 37 38 102",
                                 "m=video 9 UDP/TLS/RTP/SAVPF 102", 1), ==, 1);
    g_assert_cmpuint(sub_replace(t, " 39 40 45 46 49 50 116 117 118\r\n", "\r\n",
                                 1), ==, 1);
    offer = parse_ok(SC_SDP_TYPE_OFFER, t->str);
    g_assert_cmpuint(section(offer, 1)->formats->len, ==, 10);
    g_assert_null(section(offer, 1)->codec);
    g_assert_false(section(offer, 1)->accepted);
    g_assert_null(sc_sdp_desc_find_media(offer, "video"));
    answer = answer_ok(&l, offer);
    a = check_media_answer(offer, answer);
    g_assert_true(has_line(answer, "a=group:BUNDLE 0 2"));
    g_assert_true(has_line(answer,
                           "m=video 0 UDP/TLS/RTP/SAVPF 102 103 104 105 106 107 "
                           "108 109 127 125"));
    assert_bundle(a, mids);
    g_assert_false(section(a, 1)->accepted);
    g_assert_true(section(a, 0)->accepted);
    g_assert_true(section(a, 2)->accepted);
    g_assert_true(sc_sdp_media_negotiated(a, offer, "audio", &m));
    g_assert_false(sc_sdp_media_negotiated(a, offer, "video", &m));
}

static void
test_answer_local_wishes(void)
{
    g_autofree char *base = load("chromium156-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, base);

    /* --no-video: video rejected */
    {
        ScSdpLocal l = local_media();
        g_autofree char *answer = NULL;
        g_autoptr(ScSdpDesc) a = NULL;

        l.video.enabled = FALSE;
        answer = answer_ok(&l, offer);
        a = check_media_answer(offer, answer);
        g_assert_true(has_line(answer, "a=group:BUNDLE 0 2"));
        g_assert_true(has_line(answer, "a=mid:1\r\na=inactive"));
        g_assert_false(section(a, 1)->accepted);
        g_assert_cmpuint(count(answer, "a=ssrc:"), ==, 2);
    }
    /* enabled but inactive: accepted, nothing flows, no SSRC needed */
    {
        ScSdpLocal l = local_media();
        g_autofree char *answer = NULL, *vtext = NULL;
        g_autoptr(ScSdpDesc) a = NULL;
        ScSdpMedia m;

        l.video.direction = SC_SDP_DIRECTION_INACTIVE;
        l.video.ssrc = 0;
        l.video.track_id = NULL;
        answer = answer_ok(&l, offer);
        a = check_media_answer(offer, answer);
        vtext = msection(answer, 1);
        g_assert_true(has_line(answer, "a=group:BUNDLE 0 1 2"));
        g_assert_true(has_line(vtext, "m=video 9 UDP/TLS/RTP/SAVPF 96"));
        g_assert_true(has_line(vtext, "a=inactive"));
        g_assert_true(sc_sdp_media_negotiated(a, offer, "video", &m));
        g_assert_cmpint(m.direction, ==, SC_SDP_DIRECTION_INACTIVE);
    }
    /* no audio: the offerer-tagged section (mid 0) is rejected; we keep
     * video and data bundled without it (documented deviation from
     * RFC 8843 §7.3.3) */
    {
        ScSdpLocal l = local_media();
        g_autofree char *answer = NULL;
        g_autoptr(ScSdpDesc) a = NULL;
        static const char *const mids[] = {"1", "2", NULL};

        l.audio.enabled = FALSE;
        answer = answer_ok(&l, offer);
        a = check_media_answer(offer, answer);
        assert_bundle(a, mids);
        g_assert_cmpint(a->transport_section, ==, 1);
        g_assert_true(section(a, 1)->accepted);
    }
}

/* Media the offer does not let us run on the data's transport. */
static void
test_answer_unusable(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *base = load("chromium156-av-data-offer.sdp");
    static const struct {
        const char *find, *replace;
        int audio, video; /* accepted afterwards */
    } cases[] = {
        /* no rtcp-mux in audio (the first one) */
        {"a=rtcp-mux\r\n", "", 0, 1},
        /* RTP/SAVPF without DTLS */
        {"m=video 9 UDP/TLS/RTP/SAVPF", "m=video 9 RTP/SAVPF", 1, 0},
        /* rejected by the offerer */
        {"m=audio 9", "m=audio 0", 0, 1},
        /* not bundled */
        {"a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 2", 1, 0},
        /* the data section is not in the group: no media at all */
        {"a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1", 0, 0},
        {"a=group:BUNDLE 0 1 2\r\n", "", 0, 0},
        /* opus with one channel is not RFC 7587 opus */
        {"a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/48000", 0, 1},
        /* VP8 at another clock rate */
        {"a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP8/48000", 1, 0},
        /* TCP/TLS/RTP/SAVPF is fine */
        {"m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 9 TCP/TLS/RTP/SAVPF", 1, 1},
        /* lower case encoding names are fine */
        {"a=rtpmap:96 VP8/90000", "a=rtpmap:96 vp8/90000", 1, 1},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(ScSdpDesc) offer = parse_mutated(SC_SDP_TYPE_OFFER, base,
                                                   cases[i].find,
                                                   cases[i].replace);
        g_autofree char *answer = answer_ok(&l, offer);
        g_autoptr(ScSdpDesc) a = check_media_answer(offer, answer);

        g_test_message("case %u", i);
        g_assert_cmpint(section(offer, 0)->accepted, ==, cases[i].audio);
        g_assert_cmpint(section(offer, 1)->accepted, ==, cases[i].video);
        g_assert_cmpint(section(a, 0)->accepted, ==, cases[i].audio);
        g_assert_cmpint(section(a, 1)->accepted, ==, cases[i].video);
        g_assert_true(section(a, 2)->accepted);
    }
}

static void
test_answer_two_audio(void)
{
    static const char *text =
        "v=0\r\no=- 5 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        "a=group:BUNDLE a1 a2 d\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
        "a=fingerprint:" FP2 "\r\na=setup:actpass\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 8 96\r\nc=IN IP4 0.0.0.0\r\n"
        "a=mid:a1\r\na=rtcp-mux\r\na=sendonly\r\n"
        "a=rtpmap:8 PCMA/8000\r\na=rtpmap:96 OPUS/48000/2\r\n"
        "a=rtcp-fb:* nack\r\n"
        "a=ssrc:7 cname:x\r\na=ssrc:7 cname:y\r\na=ssrc:bad cname:z\r\n"
        "a=ssrc:8\r\na=ssrc:9 label:q\r\na=ssrc-group:FID 11 12\r\n"
        "a=msid:s\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 97\r\nc=IN IP4 0.0.0.0\r\n"
        "a=mid:a2\r\na=rtcp-mux\r\na=rtpmap:97 opus/48000/2\r\n"
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        "c=IN IP4 0.0.0.0\r\na=mid:d\r\na=sctp-port:5000\r\n";
    ScSdpLocal l = local_media();
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_autofree char *answer = answer_ok(&l, offer);
    g_autoptr(ScSdpDesc) a = check_media_answer(offer, answer);
    const ScSdpSection *s = section(offer, 0);
    static const char *const mids[] = {"a1", "d", NULL};

    g_test_message("%s", answer);
    /* the first audio section: opus is its second format */
    g_assert_cmpuint(s->codec->pt, ==, 96);
    g_assert_cmpuint(s->codec->rtcp_fb, ==, SC_SDP_RTCP_FB_NACK); /* "*" */
    g_assert_cmpuint(((ScSdpCodec *)s->codecs->pdata[0])->rtcp_fb, ==,
                     SC_SDP_RTCP_FB_NACK);
    /* a=ssrc: malformed lines skipped, the FID group wins for primary */
    g_assert_cmpuint(s->ssrcs->len, ==, 4); /* 7 9 11 12 ("8" has no
                                              * attribute) */
    g_assert_cmpuint(s->ssrc, ==, 11);
    g_assert_cmpuint(s->rtx_ssrc, ==, 12);
    g_assert_cmpstr(s->cname, ==, "x");
    g_assert_cmpstr(s->msid_stream, ==, "s");
    g_assert_null(s->msid_track);
    g_assert_true(s->accepted);
    g_assert_false(section(offer, 1)->accepted); /* one audio section */
    g_assert_cmpuint(section(offer, 1)->codec->pt, ==, 97);

    assert_bundle(a, mids);
    g_assert_true(has_line(answer, "m=audio 9 UDP/TLS/RTP/SAVPF 96"));
    g_assert_true(has_line(answer, "a=rtpmap:96 opus/48000/2"));
    g_assert_null(strstr(answer, "a=rtcp-fb")); /* audio: none of ours */
    g_assert_true(has_line(answer, "m=audio 0 UDP/TLS/RTP/SAVPF 97"));
    g_assert_cmpint(section(a, 0)->dir, ==, SC_SDP_DIRECTION_RECVONLY);
    g_assert_null(strstr(answer, "a=ice-options")); /* not offered */
}

/* ---- browser answers to our offer ---- */

static void
test_browser_answers(void)
{
    static const struct {
        const char *name;
        ScSdpDirection video_dir; /* ours */
        guint32 audio_ssrc;
        const char *video_fmtp;
    } caps[] = {
        {"chromium156-av-data-answer.sdp", SC_SDP_DIRECTION_SENDRECV,
         2473019581u, NULL},
        {"firefox128-av-data-answer.sdp", SC_SDP_DIRECTION_SENDONLY,
         1046275389u, "max-fs=12288;max-fr=60"},
    };
    ScSdpLocal l = local_media();
    g_autofree char *offer_text = offer_ok(&l);
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, offer_text);

    for (guint i = 0; i < G_N_ELEMENTS(caps); i++) {
        g_autofree char *text = load(caps[i].name);
        g_autoptr(ScSdpDesc) a = parse_ok(SC_SDP_TYPE_ANSWER, text);
        ScSdpMedia m;

        g_assert_cmpint(a->data_section, ==, 2);
        g_assert_cmpint(a->setup, ==, SC_SDP_SETUP_ACTIVE);
        g_assert_true(sc_sdp_media_negotiated(offer, a, "audio", &m));
        g_assert_cmpuint(m.index, ==, 0);
        g_assert_cmpint(m.direction, ==, SC_SDP_DIRECTION_SENDRECV);
        g_assert_cmpuint(m.send_codec->pt, ==, 111);
        g_assert_cmpuint(m.recv_codec->pt, ==, 111);
        g_assert_cmpuint(m.remote->ssrc, ==, caps[i].audio_ssrc);
        g_assert_nonnull(m.remote->cname);
        g_assert_true(sc_sdp_media_negotiated(offer, a, "video", &m));
        g_assert_cmpuint(m.index, ==, 1);
        g_assert_cmpstr(m.mid, ==, "1");
        g_assert_cmpint(m.direction, ==, caps[i].video_dir);
        g_assert_cmpuint(m.send_codec->pt, ==, 96);
        g_assert_cmpstr(m.send_codec->fmtp, ==, caps[i].video_fmtp);
        g_assert_cmpuint(m.rtcp_fb, ==, SC_SDP_RTCP_FB_WRITABLE);
        g_assert_true(m.remote->rtcp_mux);
        /* candidates for any bundled mid reach the one transport */
        g_assert_true(sc_sdp_desc_candidate_mid_ok(a, "0", -1));
        g_assert_true(sc_sdp_desc_candidate_mid_ok(a, "1", -1));
    }
}

/* An answer that rejects video, or drops rtcp-mux, gives no video. */
static void
test_browser_answer_rejects(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *offer_text = offer_ok(&l);
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, offer_text);
    g_autofree char *base = load("chromium156-av-data-answer.sdp");
    g_autoptr(GString) t = g_string_new(base);
    g_autoptr(ScSdpDesc) a = NULL, b = NULL;
    ScSdpMedia m;

    sub_replace(t, "m=video 9", "m=video 0", 1);
    sub_replace(t, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 2", 1);
    a = parse_ok(SC_SDP_TYPE_ANSWER, t->str);
    g_assert_false(sc_sdp_media_negotiated(offer, a, "video", &m));
    g_assert_true(sc_sdp_media_negotiated(offer, a, "audio", &m));

    b = parse_mutated(SC_SDP_TYPE_ANSWER, base, "a=rtcp-mux\r\n", "");
    g_assert_false(sc_sdp_media_negotiated(offer, b, "audio", &m));
    g_assert_true(sc_sdp_media_negotiated(offer, b, "video", &m));
}

/* sealcall calling sealcall with media. */
static void
test_own_offer_answer(void)
{
    ScSdpLocal ol = local_media(), al = local_media();
    g_autofree char *offer_text = NULL, *answer_text = NULL;
    g_autoptr(ScSdpDesc) offer = NULL, answer = NULL;
    ScSdpMedia om, am;

    ol.video.direction = SC_SDP_DIRECTION_SENDONLY;
    al.audio.ssrc = 42;
    al.video.ssrc = 43;
    al.cname = "answerer-cname-1";
    offer_text = offer_ok(&ol);
    offer = parse_ok(SC_SDP_TYPE_OFFER, offer_text);
    answer_text = answer_ok(&al, offer);
    answer = check_media_answer(offer, answer_text);

    g_assert_true(sc_sdp_media_negotiated(offer, answer, "video", &om));
    g_assert_true(sc_sdp_media_negotiated(answer, offer, "video", &am));
    g_assert_cmpint(om.direction, ==, SC_SDP_DIRECTION_SENDONLY);
    g_assert_cmpint(am.direction, ==, SC_SDP_DIRECTION_RECVONLY);
    g_assert_cmpuint(am.remote->ssrc, ==, VSSRC);
    g_assert_cmpuint(om.remote->ssrcs->len, ==, 0); /* recvonly: no SSRC */
    g_assert_cmpuint(om.rtcp_fb, ==, SC_SDP_RTCP_FB_WRITABLE);
    g_assert_cmpuint(am.rtcp_fb, ==, SC_SDP_RTCP_FB_WRITABLE);
    g_assert_true(sc_sdp_media_negotiated(offer, answer, "audio", &om));
    g_assert_true(sc_sdp_media_negotiated(answer, offer, "audio", &am));
    g_assert_cmpuint(om.remote->ssrc, ==, 42);
    g_assert_cmpstr(om.remote->cname, ==, "answerer-cname-1");
    g_assert_cmpuint(am.remote->ssrc, ==, ASSRC);
    g_assert_cmpint(om.direction, ==, SC_SDP_DIRECTION_SENDRECV);
    g_assert_cmpint(am.direction, ==, SC_SDP_DIRECTION_SENDRECV);
    /* two descriptions of the same type are a programming error */
    g_assert_cmpint(offer->type, !=, answer->type);
}

/* A data-only local answers a media offer exactly as before. */
static void
test_data_only_unchanged(void)
{
    ScSdpLocal l = local_media();
    g_autofree char *text = load("chromium156-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_autofree char *answer = NULL;
    g_autoptr(ScSdpDesc) a = NULL;
    ScSdpMedia m;

    memset(&l.audio, 0, sizeof l.audio);
    memset(&l.video, 0, sizeof l.video);
    answer = answer_ok(&l, offer);
    a = check_media_answer(offer, answer);
    g_assert_true(has_line(answer, "a=group:BUNDLE 2"));
    g_assert_null(strstr(answer, "msid"));
    g_assert_null(strstr(answer, "a=ssrc"));
    g_assert_false(sc_sdp_media_negotiated(a, offer, "audio", &m));
    g_assert_false(sc_sdp_media_negotiated(a, offer, "video", &m));
}

/* ---- candidates in our descriptions (RFC 8838 §4.1) ---- */

static const char *const cands2[] = {
    "candidate:1 1 UDP 2015363327 192.0.2.10 50000 typ host",
    "candidate:2 1 udp 1679819007 198.51.100.7 40000 typ srflx raddr "
    "192.0.2.10 rport 50000",
    NULL,
};

/* @text has both candidates of cands2 (canonical form) and the
 * end-of-candidates line iff @eoc; the placeholders stay. */
static void
check_cands(const char *text, gboolean eoc)
{
    g_assert_true(has_line(text, "a=candidate:1 1 udp 2015363327 192.0.2.10 "
                                 "50000 typ host"));
    g_assert_true(has_line(text, "a=candidate:2 1 udp 1679819007 "
                                 "198.51.100.7 40000 typ srflx raddr "
                                 "192.0.2.10 rport 50000"));
    g_assert_cmpuint(count(text, "a=candidate:"), ==, 2);
    g_assert_cmpuint(count(text, "a=end-of-candidates"), ==, eoc ? 1 : 0);
    g_assert_true(has_line(text, "c=IN IP4 0.0.0.0"));
}

static void
test_candidates_offer(void)
{
    for (int media = 0; media < 2; media++) {
        for (int eoc = 0; eoc < 2; eoc++) {
            ScSdpLocal l = local_media();
            g_autofree char *text = NULL, *first = NULL;
            g_autoptr(ScSdpDesc) d = NULL;
            guint n;

            if (!media)
                l.audio.enabled = l.video.enabled = FALSE;
            l.candidates = cands2;
            l.end_of_candidates = eoc;
            text = offer_ok(&l);
            d = parse_ok(SC_SDP_TYPE_OFFER, text);
            n = d->sections->len;
            g_assert_cmpuint(n, ==, media ? 3 : 1);
            /* only the first section (the BUNDLE tag) lists them */
            first = msection(text, 0);
            check_cands(first, eoc);
            g_assert_cmpuint(count(text, "a=candidate:"), ==, 2);
            g_assert_cmpuint(section(d, 0)->candidates->len, ==, 2);
            g_assert_cmpint(section(d, 0)->end_of_candidates, ==, eoc);
            for (guint i = 1; i < n; i++)
                g_assert_cmpuint(section(d, i)->candidates->len, ==, 0);
            g_assert_true(g_str_has_prefix(first,
                                           media ? "\r\nm=audio 9 "
                                                 : "\r\nm=application 9 "));
        }
    }
}

static void
test_candidates_answer(void)
{
    static const struct {
        const char *file;
        gboolean media;
        guint tag; /* section index that must carry our candidates */
    } cases[] = {
        {"chromium156-av-data-offer.sdp", TRUE, 0},
        {"firefox128-av-data-offer.sdp", TRUE, 0},
        {"chromium-data-offer.sdp", FALSE, 0},
        {"aiortc-offer.sdp", FALSE, 0},
    };

    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        ScSdpLocal l = local_media();
        g_autofree char *otext = load(cases[c].file);
        g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, otext);
        g_autofree char *answer = NULL, *tag = NULL;
        g_autoptr(ScSdpDesc) a = NULL;

        if (!cases[c].media)
            l.audio.enabled = l.video.enabled = FALSE;
        l.candidates = cands2;
        l.end_of_candidates = TRUE;
        answer = answer_ok(&l, offer);
        a = parse_ok(SC_SDP_TYPE_ANSWER, answer);
        tag = msection(answer, cases[c].tag);
        check_cands(tag, TRUE);
        g_assert_cmpuint(count(answer, "a=candidate:"), ==, 2);
        g_assert_cmpint(a->transport_section, ==, (int)cases[c].tag);
        g_assert_cmpuint(section(a, cases[c].tag)->candidates->len, ==, 2);
    }

    /* the data section is not first and audio is rejected: the data
     * section is the answer's tag */
    {
        ScSdpLocal l = local_media();
        g_autofree char *otext = load("chromium156-av-data-offer.sdp");
        g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, otext);
        g_autofree char *answer = NULL, *data = NULL;

        l.audio.enabled = l.video.enabled = FALSE;
        l.candidates = cands2;
        answer = answer_ok(&l, offer);
        data = msection(answer, 2);
        check_cands(data, FALSE);
        g_assert_cmpuint(count(answer, "a=candidate:"), ==, 2);
    }
}

static void
test_candidates_bad(void)
{
    static const char *const bad[][2] = {
        {"candidate:garbage", NULL},
        {"candidate:1 1 udp 1 evil.example.com 5 typ host", NULL},
        /* a line break must not smuggle another attribute in */
        {"candidate:1 1 udp 1 192.0.2.1 5 typ host\r\na=fingerprint:sha-1 "
         "00:11", NULL},
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        ScSdpLocal l = local_media();
        GError *error = NULL;
        char *text;

        l.candidates = bad[i];
        text = sc_sdp_create_offer(&l, &error);
        g_assert_null(text);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "local candidate"));
        g_clear_error(&error);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp-media/attr/directions", test_direction_names);
    g_test_add_func("/sdp-media/offer/av-roundtrip", test_offer_av_roundtrip);
    g_test_add_func("/sdp-media/offer/partial", test_offer_partial);
    g_test_add_func("/sdp-media/offer/rtcp-fb", test_offer_rtcp_fb);
    g_test_add_func("/sdp-media/offer/bad-local", test_offer_bad_local);
    g_test_add_func("/sdp-media/answer/chromium156", test_answer_chromium156);
    g_test_add_func("/sdp-media/answer/firefox128", test_answer_firefox128);
    g_test_add_func("/sdp-media/answer/older-captures",
                    test_answer_older_captures);
    g_test_add_func("/sdp-media/answer/directions", test_answer_directions);
    g_test_add_func("/sdp-media/answer/h264-only", test_answer_h264_only);
    g_test_add_func("/sdp-media/answer/local-wishes", test_answer_local_wishes);
    g_test_add_func("/sdp-media/answer/unusable", test_answer_unusable);
    g_test_add_func("/sdp-media/answer/two-audio", test_answer_two_audio);
    g_test_add_func("/sdp-media/answer/data-only", test_data_only_unchanged);
    g_test_add_func("/sdp-media/remote-answer/browsers", test_browser_answers);
    g_test_add_func("/sdp-media/remote-answer/rejects",
                    test_browser_answer_rejects);
    g_test_add_func("/sdp-media/own/offer-answer", test_own_offer_answer);
    g_test_add_func("/sdp-media/candidates/offer", test_candidates_offer);
    g_test_add_func("/sdp-media/candidates/answer", test_candidates_answer);
    g_test_add_func("/sdp-media/candidates/bad", test_candidates_bad);
    return g_test_run();
}
