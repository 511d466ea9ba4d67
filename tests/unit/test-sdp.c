/* tests/unit/test-sdp.c - JSEP offers and answers: our offer round trip,
 * browser captures (tests/data/sdp) parsed and answered, every validation
 * error of sc_sdp_parse(), and the liberal cases we must accept.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sdp/sdp.h"
#include "test-util.h"

#include <string.h>

#define FP1                                                                   \
    "sha-256 C1:60:D2:32:D1:4A:C9:C7:4D:3E:1F:51:F2:8A:20:4A:59:DA:59:DA:1E:" \
    "FF:0B:DF:BA:45:C1:42:FC:93:4E:EA"
#define FP2                                                                   \
    "sha-256 3B:9F:53:0E:E8:23:7B:F9:AD:3C:BD:2D:BE:93:7E:91:B5:52:D1:AD:4B:" \
    "BD:58:E0:F3:97:4C:44:3B:21:FE:B8"
#define TLS_ID "T9b2kQ7xZ1mN4pR8sV0wY3-_"
#define UFRAG "L0c4"
#define PWD "l0calPassw0rdl0calPassw0rd"

static const char *const local_fps[] = {FP2, NULL};

static ScSdpLocal
local_defaults(void)
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
        .identity = NULL,
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

static ScSdpSection *
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

/* Replaces occurrences of @find (all if @limit is 0); returns the count.
 * (sub_replace() needs GLib 2.68; we target 2.66.) */
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

/* ---- our offer ---- */

static void
test_offer_roundtrip(void)
{
    ScSdpLocal l = local_defaults();
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_autoptr(ScSdpDesc) d = NULL;
    ScSdpSection *s;

    l.identity = "eyJpZHAiOnsiZG9tYWluIjoiZXhhbXBsZS5vcmcifX0=";
    text = sc_sdp_create_offer(&l, &error);
    g_assert_no_error(error);
    g_assert_nonnull(text);

    g_assert_true(g_str_has_prefix(text, "v=0\r\no=- 4611686018427387904 2 "
                                         "IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
    g_assert_true(has_line(text, "a=group:BUNDLE 0"));
    g_assert_true(
        has_line(text, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
    g_assert_true(has_line(text, "c=IN IP4 0.0.0.0"));
    g_assert_true(has_line(text, "a=ice-options:trickle"));
    g_assert_true(has_line(text, "a=fingerprint:" FP2));
    g_assert_true(has_line(text, "a=setup:actpass"));
    g_assert_true(has_line(text, "a=tls-id:" TLS_ID));
    g_assert_true(has_line(text, "a=mid:0"));
    g_assert_true(has_line(text, "a=sctp-port:5000"));
    g_assert_true(has_line(text, "a=max-message-size:262144"));
    g_assert_true(has_line(text, "a=identity:" "eyJpZHAiOnsiZG9tYWluIjoiZXhhbXBsZS5vcmcifX0="));
    g_assert_null(strstr(text, "a=candidate"));

    d = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_assert_cmpint(d->type, ==, SC_SDP_TYPE_OFFER);
    g_assert_cmpstr(d->ice_ufrag, ==, UFRAG);
    g_assert_cmpstr(d->ice_pwd, ==, PWD);
    g_assert_cmpuint(d->fingerprints->len, ==, 1);
    g_assert_cmpstr(d->fingerprints->pdata[0], ==, FP2);
    g_assert_cmpint(d->setup, ==, SC_SDP_SETUP_ACTPASS);
    g_assert_cmpstr(d->tls_id, ==, TLS_ID);
    g_assert_cmpstr(d->identity, ==,
                    "eyJpZHAiOnsiZG9tYWluIjoiZXhhbXBsZS5vcmcifX0=");
    g_assert_true(d->ice_trickle);
    g_assert_false(d->ice_lite);
    g_assert_cmpstr(d->session_id, ==, "4611686018427387904");
    g_assert_cmpuint(d->session_version, ==, 2);
    g_assert_nonnull(d->bundle_mids);
    g_assert_cmpstr(d->bundle_mids[0], ==, "0");
    g_assert_null(d->bundle_mids[1]);
    g_assert_cmpuint(d->sections->len, ==, 1);
    g_assert_cmpint(d->data_section, ==, 0);
    g_assert_cmpint(d->transport_section, ==, 0);
    s = section(d, 0);
    g_assert_true(s->is_datachannel);
    g_assert_false(s->legacy_sctpmap);
    g_assert_cmpstr(s->media, ==, "application");
    g_assert_cmpstr(s->proto, ==, "UDP/DTLS/SCTP");
    g_assert_cmpuint(s->port, ==, 9);
    g_assert_cmpstr(s->mid, ==, "0");
    g_assert_cmpuint(s->sctp_port, ==, 5000);
    g_assert_cmpuint(s->max_message_size, ==, 262144);
    g_assert_cmpstr(s->ice_ufrag, ==, UFRAG);
    g_assert_true(s->has_setup);
    g_assert_cmpuint(s->candidates->len, ==, 0);
}

static void
test_offer_options(void)
{
    ScSdpLocal l = local_defaults();
    static const char *const two[] = {
        "SHA-256 c1:60:d2:32:d1:4a:c9:c7:4d:3e:1f:51:f2:8a:20:4a:59:da:59:da:1e:"
        "ff:0b:df:ba:45:c1:42:fc:93:4e:ea",
        FP2, NULL};
    g_autofree char *text = NULL;
    g_autoptr(ScSdpDesc) d = NULL;

    l.tls_id = NULL;
    l.fingerprints = two;
    l.max_message_size = 0;
    l.sctp_port = 5001;
    text = sc_sdp_create_offer(&l, NULL);
    g_assert_nonnull(text);
    g_assert_null(strstr(text, "tls-id"));
    g_assert_null(strstr(text, "identity"));
    g_assert_true(has_line(text, "a=fingerprint:" FP1)); /* normalised */
    d = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_assert_null(d->tls_id);
    g_assert_cmpuint(d->fingerprints->len, ==, 2);
    g_assert_cmpuint(section(d, 0)->max_message_size, ==, 0);
    g_assert_cmpuint(section(d, 0)->sctp_port, ==, 5001);
}

static void
test_offer_bad_local(void)
{
    static const char *const md5[] = {"md5 AA:BB", NULL};
    static const char *const unknown[] = {"foo-9 AA:BB", NULL};
    static const char *const sha1[] = {
        "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
        NULL};
    static const char *const none[] = {NULL};

    for (guint i = 0;; i++) {
        ScSdpLocal l = local_defaults();
        GError *error = NULL;
        char *text;

        switch (i) {
        case 0: l.ice_ufrag = "abc"; break;
        case 1: l.ice_ufrag = "0123456789012345678901234567890123"; break;
        case 2: l.ice_pwd = "short"; break;
        case 3: l.ice_pwd = "has-a-dash-which-is-not-ice"; break;
        case 4: l.fingerprints = NULL; break;
        case 5: l.fingerprints = none; break;
        case 6: l.fingerprints = md5; break;
        case 7: l.fingerprints = unknown; break;
        case 8: l.tls_id = "short"; break;
        case 9: l.sctp_port = 0; break;
        case 10: l.session_id = G_MAXUINT64; break;
        case 11: l.identity = "two\r\nlines"; break;
        case 12: l.fingerprints = sha1; break;
        default: return;
        }
        text = sc_sdp_create_offer(&l, &error);
        g_assert_null(text);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
        g_error_free(error);
    }
}

/* ---- browser captures ---- */

static void
test_parse_chromium_data(void)
{
    g_autofree char *text = load("chromium-data-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);

    g_assert_cmpstr(d->ice_ufrag, ==, "Xk3P");
    g_assert_cmpstr(d->ice_pwd, ==, "q2ZOeKfE1rcl7T8Yr5wZG1Pc");
    g_assert_cmpstr(d->fingerprints->pdata[0], ==, FP1);
    g_assert_cmpint(d->setup, ==, SC_SDP_SETUP_ACTPASS);
    g_assert_null(d->tls_id);
    g_assert_true(d->ice_trickle);
    g_assert_cmpint(d->data_section, ==, 0);
    g_assert_cmpuint(section(d, 0)->sctp_port, ==, 5000);
    g_assert_cmpuint(section(d, 0)->max_message_size, ==, 262144);
    g_assert_cmpstr(d->session_id, ==, "4215775240449105457");
}

static void
test_parse_chromium_av_data(void)
{
    g_autofree char *text = load("chromium-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    ScSdpSection *a, *v;
    ScSdpCodec *opus;

    g_assert_cmpuint(d->sections->len, ==, 3);
    g_assert_cmpint(d->data_section, ==, 2);
    g_assert_cmpint(d->transport_section, ==, 0); /* BUNDLE-tagged */
    g_assert_cmpuint(g_strv_length(d->bundle_mids), ==, 3);
    g_assert_cmpstr(d->ice_ufrag, ==, "mV+7");
    g_assert_cmpstr(d->fingerprints->pdata[0], ==, FP2);

    a = section(d, 0);
    g_assert_cmpstr(a->media, ==, "audio");
    g_assert_cmpstr(a->proto, ==, "UDP/TLS/RTP/SAVPF");
    g_assert_cmpuint(a->port, ==, 51780);
    g_assert_false(a->is_datachannel);
    g_assert_true(a->rtcp_mux);
    g_assert_cmpstr(a->direction, ==, "sendrecv");
    g_assert_cmpuint(a->formats->len, ==, 8);
    g_assert_cmpstr(a->formats->pdata[0], ==, "111");
    g_assert_cmpuint(a->codecs->len, ==, 8);
    opus = a->codecs->pdata[0];
    g_assert_cmpuint(opus->pt, ==, 111);
    g_assert_cmpstr(opus->encoding, ==, "opus");
    g_assert_cmpuint(opus->clock_rate, ==, 48000);
    g_assert_cmpuint(opus->channels, ==, 2);
    g_assert_cmpstr(opus->fmtp, ==, "minptime=10;useinbandfec=1");
    /* host v4, host v6, tcp active, srflx, relay */
    g_assert_cmpuint(a->candidates->len, ==, 5);
    g_assert_cmpstr(((ScIceCandidate *)a->candidates->pdata[2])->tcptype, ==,
                    "active");

    v = section(d, 1);
    g_assert_cmpstr(v->media, ==, "video");
    g_assert_cmpuint(v->codecs->len, ==, 6);
    g_assert_cmpstr(((ScSdpCodec *)v->codecs->pdata[0])->encoding, ==, "VP8");
    g_assert_cmpuint(((ScSdpCodec *)v->codecs->pdata[0])->channels, ==, 0);

    g_assert_true(section(d, 2)->is_datachannel);
    g_assert_cmpstr(section(d, 2)->mid, ==, "2");
    g_assert_cmpuint(section(d, 2)->codecs->len, ==, 0);
}

static void
test_parse_firefox_data(void)
{
    g_autofree char *text = load("firefox-data-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    ScSdpSection *s;

    /* fingerprint and ice-options only at session level */
    g_assert_cmpstr(d->fingerprints->pdata[0], ==,
                    "sha-256 9C:0E:9D:B0:3C:37:65:51:9A:FC:44:B1:2E:B6:0E:D3:"
                    "41:AF:04:FB:FF:43:5F:F1:1F:A4:73:A3:93:7B:16:F3");
    g_assert_true(d->ice_trickle);
    g_assert_cmpstr(d->ice_ufrag, ==, "9ab5b6b6");
    g_assert_cmpstr(d->ice_pwd, ==, "7578869c79a668924942e917aaaeceb8");
    g_assert_cmpint(d->setup, ==, SC_SDP_SETUP_ACTPASS);
    g_assert_cmpuint(d->session_version, ==, 0);
    s = section(d, 0);
    g_assert_cmpuint(s->fingerprints->len, ==, 0);
    g_assert_cmpuint(s->max_message_size, ==, 1073741823);
    g_assert_cmpstr(s->direction, ==, "sendrecv");
}

static void
test_parse_firefox_av_data(void)
{
    g_autofree char *text = load("firefox-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    ScSdpSection *a, *ds;
    guint n_mdns = 0;

    g_assert_cmpuint(d->sections->len, ==, 3);
    /* the data section is bundle-only with port 0: still the data section */
    g_assert_cmpint(d->data_section, ==, 2);
    ds = section(d, 2);
    g_assert_cmpuint(ds->port, ==, 0);
    g_assert_true(ds->bundle_only);
    g_assert_true(section(d, 1)->bundle_only);
    g_assert_cmpint(d->transport_section, ==, 0);
    a = section(d, 0);
    g_assert_true(a->end_of_candidates);
    g_assert_cmpuint(a->candidates->len, ==, 4);
    for (guint i = 0; i < a->candidates->len; i++)
        n_mdns += ((ScIceCandidate *)a->candidates->pdata[i])->mdns;
    g_assert_cmpuint(n_mdns, ==, 3);
    g_assert_cmpstr(((ScIceCandidate *)a->candidates->pdata[1])->transport, ==,
                    "tcp");
    g_assert_cmpuint(a->codecs->len, ==, 5);
    g_assert_cmpuint(((ScSdpCodec *)a->codecs->pdata[1])->channels, ==, 1);
}

static void
test_parse_aiortc(void)
{
    g_autofree char *text = load("aiortc-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    ScSdpSection *s = section(d, 0);

    g_assert_false(d->ice_trickle);
    g_assert_cmpuint(d->fingerprints->len, ==, 3);
    g_assert_true(g_str_has_prefix(d->fingerprints->pdata[1], "sha-384 "));
    g_assert_true(g_str_has_prefix(d->fingerprints->pdata[2], "sha-512 "));
    g_assert_cmpuint(s->port, ==, 43617);
    g_assert_cmpuint(s->max_message_size, ==, 65536);
    g_assert_cmpuint(s->candidates->len, ==, 3);
    g_assert_true(s->end_of_candidates);
    g_assert_cmpstr(d->ice_pwd, ==, "3nF7CJmJq3kV6ZdTqXmZ8b");
}

static void
test_parse_legacy(void)
{
    g_autofree char *text = load("legacy-sctpmap-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    ScSdpSection *s = section(d, 0);

    g_assert_cmpint(d->data_section, ==, 0);
    g_assert_true(s->is_datachannel);
    g_assert_true(s->legacy_sctpmap);
    g_assert_cmpstr(s->proto, ==, "DTLS/SCTP");
    g_assert_cmpuint(s->sctp_port, ==, 5000);
    g_assert_cmpuint(s->max_message_size, ==, 65536); /* default */
    g_assert_cmpstr(s->mid, ==, "data");
}

static void
test_parse_browser_answers(void)
{
    static const char *const names[] = {"chromium-data-answer.sdp",
                                        "firefox-data-answer.sdp"};

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *text = load(names[i]);
        g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_ANSWER, text);

        g_assert_cmpint(d->type, ==, SC_SDP_TYPE_ANSWER);
        g_assert_cmpint(d->setup, ==, SC_SDP_SETUP_ACTIVE);
        g_assert_cmpint(d->data_section, ==, 0);
        g_assert_cmpuint(section(d, 0)->sctp_port, ==, 5000);
    }
}

/* ---- answers ---- */

static char *
answer_ok(const ScSdpLocal *l, const ScSdpDesc *offer)
{
    GError *error = NULL;
    char *text = sc_sdp_create_answer(l, offer, &error);

    if (text == NULL)
        g_error("create_answer failed: %s", error->message);
    return text;
}

/* Checks what every answer to @offer must satisfy; returns it parsed. */
static ScSdpDesc *
check_answer(const ScSdpDesc *offer, const char *text)
{
    ScSdpDesc *a = parse_ok(SC_SDP_TYPE_ANSWER, text);
    const ScSdpSection *ds;

    g_assert_cmpuint(a->sections->len, ==, offer->sections->len);
    g_assert_cmpint(a->data_section, ==, offer->data_section);
    for (guint i = 0; i < a->sections->len; i++) {
        const ScSdpSection *x = section(a, i), *y = section(offer, i);

        g_assert_cmpstr(x->media, ==, y->media);
        g_assert_cmpstr(x->proto, ==, y->proto);
        g_assert_cmpstr(x->mid, ==, y->mid);
        if ((int)i != a->data_section) {
            g_assert_cmpuint(x->port, ==, 0);
            g_assert_cmpstr(x->direction, ==, "inactive");
            g_assert_null(x->ice_ufrag);
            g_assert_cmpuint(x->formats->len, ==, y->formats->len);
            g_assert_false(a->bundle_mids != NULL && x->mid != NULL &&
                           g_strv_contains((const char *const *)a->bundle_mids,
                                           x->mid));
        }
    }
    ds = section(a, a->data_section);
    g_assert_cmpuint(ds->port, ==, 9);
    g_assert_true(ds->is_datachannel);
    g_assert_cmpuint(ds->sctp_port, ==, 5000);
    g_assert_cmpuint(ds->max_message_size, ==, 262144);
    g_assert_cmpstr(a->ice_ufrag, ==, UFRAG);
    g_assert_cmpstr(a->ice_pwd, ==, PWD);
    g_assert_cmpuint(a->fingerprints->len, ==, 1);
    g_assert_cmpstr(a->fingerprints->pdata[0], ==, FP2);
    g_assert_cmpint(a->setup, ==, SC_SDP_SETUP_ACTIVE);
    g_assert_cmpstr(a->ice_trickle ? "yes" : "no", ==,
                    offer->ice_trickle ? "yes" : "no");
    g_assert_cmpint(a->tls_id != NULL, ==, offer->tls_id != NULL);
    if (a->bundle_mids != NULL) {
        g_assert_cmpstr(a->bundle_mids[0], ==, ds->mid);
        g_assert_null(a->bundle_mids[1]);
    }
    return a;
}

static void
test_answer_captures(void)
{
    static const char *const names[] = {
        "chromium-data-offer.sdp", "chromium-av-data-offer.sdp",
        "firefox-data-offer.sdp",  "firefox-av-data-offer.sdp",
        "aiortc-offer.sdp",        "legacy-sctpmap-offer.sdp",
    };
    ScSdpLocal l = local_defaults();

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *text = load(names[i]);
        g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
        g_autofree char *answer = answer_ok(&l, offer);
        g_autoptr(ScSdpDesc) a = check_answer(offer, answer);

        g_test_message("%s answered:\n%s", names[i], answer);
        g_assert_null(strstr(answer, "a=tls-id")); /* no browser sends it */
        g_assert_null(strstr(answer, "a=candidate"));
        g_assert_null(strstr(answer, "bundle-only"));
        g_assert_cmpint(a->transport_section, ==, a->data_section);
    }
}

static void
test_answer_chromium_av(void)
{
    ScSdpLocal l = local_defaults();
    g_autofree char *text = load("chromium-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_autofree char *answer = answer_ok(&l, offer);
    g_autoptr(ScSdpDesc) a = check_answer(offer, answer);

    g_assert_true(has_line(answer, "a=group:BUNDLE 2"));
    g_assert_true(
        has_line(answer, "m=audio 0 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126"));
    g_assert_true(has_line(answer, "m=video 0 UDP/TLS/RTP/SAVPF 96 97 98 99 45 46"));
    g_assert_true(
        has_line(answer, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
    g_assert_true(has_line(answer, "a=ice-options:trickle"));
    g_assert_true(has_line(answer, "a=setup:active"));
    g_assert_true(has_line(answer, "a=inactive"));
    g_assert_cmpint(a->transport_section, ==, 2);
}

static void
test_answer_legacy(void)
{
    ScSdpLocal l = local_defaults();
    g_autofree char *text = load("legacy-sctpmap-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, text);
    g_autofree char *answer = answer_ok(&l, offer);
    g_autoptr(ScSdpDesc) a = check_answer(offer, answer);

    g_assert_true(has_line(answer, "m=application 9 DTLS/SCTP 5000"));
    g_assert_true(has_line(answer, "a=sctpmap:5000 webrtc-datachannel 1024"));
    g_assert_true(has_line(answer, "a=group:BUNDLE data"));
    g_assert_null(strstr(answer, "a=sctp-port"));
    g_assert_true(section(a, 0)->legacy_sctpmap);
}

static void
test_answer_own_offer(void)
{
    ScSdpLocal ol = local_defaults(), al = local_defaults();
    g_autofree char *offer_text = NULL, *answer = NULL;
    g_autoptr(ScSdpDesc) offer = NULL, a = NULL;

    ol.ice_ufrag = "0ffr";
    ol.tls_id = "offerer-tls-id-0123456789";
    al.tls_id = TLS_ID;
    offer_text = sc_sdp_create_offer(&ol, NULL);
    offer = parse_ok(SC_SDP_TYPE_OFFER, offer_text);
    answer = answer_ok(&al, offer);
    a = check_answer(offer, answer);
    g_assert_cmpstr(a->tls_id, ==, TLS_ID);
    g_assert_true(has_line(answer, "a=group:BUNDLE 0"));
    g_assert_true(sc_sdp_desc_candidate_mid_ok(a, "0", -1));
}

static void
test_answer_setup_roles(void)
{
    static const struct {
        const char *offered;
        ScSdpSetup answered;
    } roles[] = {
        {"actpass", SC_SDP_SETUP_ACTIVE},
        {"active", SC_SDP_SETUP_PASSIVE},
        {"passive", SC_SDP_SETUP_ACTIVE},
        {NULL, SC_SDP_SETUP_PASSIVE}, /* absent: RFC 4145 default active */
    };
    ScSdpLocal l = local_defaults();
    g_autofree char *base = load("chromium-data-offer.sdp");

    for (guint i = 0; i < G_N_ELEMENTS(roles); i++) {
        g_autoptr(GString) text = g_string_new(base);
        g_autoptr(ScSdpDesc) offer = NULL, a = NULL;
        g_autofree char *answer = NULL;

        sub_replace(text, "a=setup:actpass\r\n",
                         roles[i].offered ? "" : "", 0);
        if (roles[i].offered != NULL) {
            g_autofree char *line =
                g_strdup_printf("a=setup:%s\r\na=mid", roles[i].offered);
            sub_replace(text, "a=mid", line, 1);
        }
        offer = parse_ok(SC_SDP_TYPE_OFFER, text->str);
        answer = answer_ok(&l, offer);
        a = parse_ok(SC_SDP_TYPE_ANSWER, answer);
        g_assert_cmpint(a->setup, ==, roles[i].answered);
    }
}

/* An answer to a later offer (actpass, JSEP §5.2.2) keeps the role of the
 * existing DTLS association (JSEP §5.3.2): the side that was the DTLS
 * server answers passive, the client active, whatever actpass would get
 * in a first answer. */
static void
test_answer_setup_kept(void)
{
    static const ScSdpSetup kept[] = {SC_SDP_SETUP_PASSIVE,
                                      SC_SDP_SETUP_ACTIVE};
    g_autofree char *base = load("chromium-data-offer.sdp");
    g_autoptr(ScSdpDesc) offer = parse_ok(SC_SDP_TYPE_OFFER, base);

    g_assert_cmpint(offer->setup, ==, SC_SDP_SETUP_ACTPASS);
    for (guint i = 0; i < G_N_ELEMENTS(kept); i++) {
        ScSdpLocal l = local_defaults();
        g_autoptr(ScSdpDesc) a = NULL;
        g_autofree char *answer = NULL;

        l.answer_setup = kept[i];
        answer = answer_ok(&l, offer);
        a = parse_ok(SC_SDP_TYPE_ANSWER, answer);
        g_assert_cmpint(a->setup, ==, kept[i]);
    }
}

static void
test_answer_no_data(void)
{
    ScSdpLocal l = local_defaults();
    g_autofree char *base = load("chromium-av-data-offer.sdp");
    char *cut = strstr(base, "m=application");
    GError *error = NULL;

    /* audio + video only */
    *cut = '\0';
    {
        g_autoptr(GString) av = g_string_new(base);
        g_autoptr(ScSdpDesc) offer = NULL;

        g_assert_cmpuint(sub_replace(av, "BUNDLE 0 1 2", "BUNDLE 0 1", 1), ==, 1);
        offer = parse_ok(SC_SDP_TYPE_OFFER, av->str);
        g_assert_cmpint(offer->data_section, ==, -1);
        g_assert_false(sc_sdp_desc_candidate_mid_ok(offer, "0", 0));
        g_assert_null(sc_sdp_create_answer(&l, offer, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
        g_assert_cmpstr(error->message, ==, "offer has no data channel section");
        g_clear_error(&error);
    }
    /* a rejected data section (port 0, not bundle-only) does not count */
    {
        g_autofree char *data = load("chromium-data-offer.sdp");
        g_autoptr(GString) text = g_string_new(data);
        g_autoptr(ScSdpDesc) offer = NULL;

        sub_replace(text, "m=application 9", "m=application 0", 1);
        sub_replace(text, "a=sctp-port:5000\r\n", "", 1);
        offer = parse_ok(SC_SDP_TYPE_OFFER, text->str);
        g_assert_cmpint(offer->data_section, ==, -1);
        g_assert_null(sc_sdp_create_answer(&l, offer, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
        g_clear_error(&error);
    }
}

static void
test_answer_needs_offer(void)
{
    ScSdpLocal l = local_defaults();
    g_autofree char *text = load("chromium-data-answer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_ANSWER, text);
    g_autoptr(GError) error = NULL;

    g_assert_null(sc_sdp_create_answer(&l, d, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
}

static void
test_answer_tcp_and_no_bundle(void)
{
    ScSdpLocal l = local_defaults();
    g_autofree char *base = load("chromium-data-offer.sdp");
    g_autoptr(GString) text = g_string_new(base);
    g_autoptr(ScSdpDesc) offer = NULL, a = NULL;
    g_autofree char *answer = NULL;

    sub_replace(text, "UDP/DTLS/SCTP", "TCP/DTLS/SCTP", 1);
    sub_replace(text, "a=group:BUNDLE 0\r\n", "", 1);
    offer = parse_ok(SC_SDP_TYPE_OFFER, text->str);
    g_assert_null(offer->bundle_mids);
    g_assert_cmpint(offer->data_section, ==, 0);
    answer = answer_ok(&l, offer);
    a = check_answer(offer, answer);
    g_assert_true(
        has_line(answer, "m=application 9 TCP/DTLS/SCTP webrtc-datachannel"));
    g_assert_null(strstr(answer, "a=group"));
    g_assert_null(a->bundle_mids);
}

/* ---- validation errors ---- */

#define BASE                                                                  \
    "v=0\n"                                                                   \
    "o=- 1 1 IN IP4 127.0.0.1\n"                                              \
    "s=-\n"                                                                   \
    "t=0 0\n"                                                                 \
    "a=group:BUNDLE 0 1\n"                                                    \
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\n"                                       \
    "c=IN IP4 0.0.0.0\n"                                                      \
    "a=ice-ufrag:abcd\n"                                                      \
    "a=ice-pwd:abcdefghijklmnopqrstuv\n"                                      \
    "a=fingerprint:" FP1 "\n"                                                 \
    "a=setup:actpass\n"                                                       \
    "a=mid:0\n"                                                               \
    "a=rtpmap:111 opus/48000/2\n"                                             \
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\n"                      \
    "c=IN IP4 0.0.0.0\n"                                                      \
    "a=mid:1\n"                                                               \
    "a=ice-ufrag:abcd\n"                                                      \
    "a=ice-pwd:abcdefghijklmnopqrstuv\n"                                      \
    "a=fingerprint:" FP1 "\n"                                                 \
    "a=setup:actpass\n"                                                       \
    "a=sctp-port:5000\n"

typedef struct {
    ScSdpType type;
    const char *find, *replace; /* all occurrences; find NULL = whole text */
    const char *message;        /* expected substring of the error */
    int code;                   /* 0 = SC_ERROR_SDP_SYNTAX */
} BadCase;

#define FP_REFUSED SC_ERROR_FINGERPRINT_MISMATCH
#define HEX16 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
#define FP384_A HEX16 ":" HEX16 ":" HEX16
#define HEX15 "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
#define FP384_B "FF:" HEX16 ":" HEX16 ":" HEX15
#define FP512_A HEX16 ":" HEX16 ":" HEX16 ":" HEX16
#define FP512_B "FF:" HEX16 ":" HEX16 ":" HEX16 ":" HEX15
#define FP256_C HEX16 ":" HEX16
#define FP256_D "AA:" HEX16 ":" HEX15
#define FP256_E "BB:" HEX16 ":" HEX15
#define SHA1_VALUE                                                            \
    "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"

static const BadCase bad_cases[] = {
    {SC_SDP_TYPE_OFFER, NULL, "hello", "no v= line"},
    {SC_SDP_TYPE_OFFER, NULL, "", "SDP is empty"},
    {SC_SDP_TYPE_OFFER, "v=0", "v=1", "v= must be 0"},
    {SC_SDP_TYPE_OFFER, "o=- 1 1 IN IP4 127.0.0.1\n", "", "no complete o= line"},
    {SC_SDP_TYPE_OFFER, "o=- 1 1 IN", "o=- 1 x IN", "session version"},
    {SC_SDP_TYPE_OFFER, "s=-\n", "", "no s= line"},
    {SC_SDP_TYPE_OFFER, NULL, "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nt=0 0\n",
     "no m= line"},
    {SC_SDP_TYPE_OFFER, "m=audio 9", "m=audio 70000", "port 70000"},
    {SC_SDP_TYPE_OFFER, "SAVPF 111", "SAVPF", "no format"},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:" FP1 "\n", "",
     "remote description has no a=fingerprint"},
    {SC_SDP_TYPE_ANSWER, "a=fingerprint:" FP1 "\n", "",
     "remote description has no a=fingerprint"},
    /* one rule (RFC 8122 §5, RFC 8827 §6.5): only sha-256/384/512 count;
     * a description with nothing else cannot authenticate its sender */
    {SC_SDP_TYPE_OFFER, "a=fingerprint:sha-256", "a=fingerprint:md5",
     "no acceptable a=fingerprint (fingerprint: hash \"md5\" is not accepted",
     FP_REFUSED},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:sha-256", "a=fingerprint:md2",
     "hash \"md2\" is not accepted", FP_REFUSED},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:sha-256", "a=fingerprint:sha-1",
     "hash \"sha-1\" is not accepted (sha-256, sha-384 or sha-512 is "
     "required)", FP_REFUSED},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:" FP1, "a=fingerprint:" SHA1_VALUE,
     "hash \"sha-1\" is not accepted", FP_REFUSED},
    {SC_SDP_TYPE_ANSWER, "a=fingerprint:" FP1, "a=fingerprint:" SHA1_VALUE,
     "hash \"sha-1\" is not accepted", FP_REFUSED},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:" FP1,
     "a=fingerprint:" SHA1_VALUE "\na=fingerprint:SHA-224 "
     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
     "88:99:AA:BB", "hash \"sha-1\" is not accepted", FP_REFUSED},
    /* a bundled section whose only line is sha-1 does not agree */
    {SC_SDP_TYPE_OFFER, "a=fingerprint:" FP1 "\na=setup:actpass\na=sctp",
     "a=fingerprint:" SHA1_VALUE "\na=setup:actpass\na=sctp",
     "different a=fingerprint"},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:" FP1 "\n",
     "a=fingerprint:" FP1 "\na=fingerprint:" FP2 "\n"
     "a=fingerprint:sha-384 " FP384_A "\na=fingerprint:sha-384 " FP384_B "\n"
     "a=fingerprint:sha-512 " FP512_A "\na=fingerprint:sha-512 " FP512_B "\n"
     "a=fingerprint:sha-256 " FP256_C "\na=fingerprint:sha-256 " FP256_D "\n"
     "a=fingerprint:sha-256 " FP256_E "\n",
     "more than 8 different a=fingerprint values at m-section 0"},
    {SC_SDP_TYPE_OFFER, ":4E:EA\n", ":4E\n", "has 31 bytes, expected 32"},
    {SC_SDP_TYPE_OFFER, ":4E:EA\n", ":4E:EG\n", "hex"},
    {SC_SDP_TYPE_OFFER, ":4E:EA\n", ":4E:EA:\n", "hex"},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:sha-256 ", "a=fingerprint:sha-256",
     "a=fingerprint: expected \"<hash> <hex>\""},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:sha-256", "a=fingerprint:sha-3000",
     "hash \"sha-3000\" is not accepted", FP_REFUSED},
    {SC_SDP_TYPE_OFFER, "a=ice-ufrag:abcd\n", "", "no a=ice-ufrag"},
    {SC_SDP_TYPE_OFFER, "a=ice-pwd:abcdefghijklmnopqrstuv\n", "",
     "no a=ice-pwd"},
    {SC_SDP_TYPE_OFFER, "ice-ufrag:abcd", "ice-ufrag:abc",
     "a=ice-ufrag at m-section 0 (m=audio) must be 4-256 ice-chars"},
    {SC_SDP_TYPE_OFFER, "ice-ufrag:abcd", "ice-ufrag:ab-d", "must be 4-256"},
    {SC_SDP_TYPE_OFFER, "ice-pwd:abcdefghijklmnopqrstuv",
     "ice-pwd:abcdefghijklmnopqrstu", "a=ice-pwd at m-section 0 (m=audio) "
                                      "must be 22-256 ice-chars"},
    {SC_SDP_TYPE_OFFER, "ice-pwd:abcdefghijklmnopqrstuv",
     "ice-pwd:abcdefghijklmnopqrstu=", "must be 22-256"},
    {SC_SDP_TYPE_OFFER, "a=setup:actpass", "a=setup:holdconn", "holdconn"},
    {SC_SDP_TYPE_ANSWER, "a=setup:active", "a=setup:holdconn", "holdconn"},
    {SC_SDP_TYPE_OFFER, "a=setup:actpass", "a=setup:sometimes",
     "unknown value"},
    {SC_SDP_TYPE_ANSWER, NULL, NULL, "a=setup:actpass at m-section 0 is not "
                                     "allowed in an answer"},
    {SC_SDP_TYPE_OFFER, "a=setup:actpass\na=mid:0",
     "a=setup:actpass\na=setup:active\na=mid:0", "two different a=setup"},
    {SC_SDP_TYPE_OFFER, "a=sctp-port:5000\n", "",
     "data channel section has no a=sctp-port"},
    {SC_SDP_TYPE_OFFER, "a=sctp-port:5000", "a=sctp-port:65536", "sctp-port"},
    {SC_SDP_TYPE_OFFER, "a=sctp-port:5000", "a=sctp-port:x", "sctp-port"},
    {SC_SDP_TYPE_OFFER, "a=sctp-port:5000",
     "a=sctp-port:5000\na=max-message-size:99999999999999999999999",
     "max-message-size"},
    {SC_SDP_TYPE_OFFER, "a=sctp-port:5000",
     "a=sctp-port:5000\na=max-message-size:-1", "max-message-size"},
    {SC_SDP_TYPE_OFFER, "a=mid:1\na=ice-ufrag:abcd", "a=mid:1\na=ice-ufrag:wxyz",
     "bundled m-section 1 (mid 1) has a different a=ice-ufrag"},
    {SC_SDP_TYPE_OFFER, "a=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuv\n"
                        "a=fingerprint:" FP1 "\na=setup:actpass\na=sctp",
     "a=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuX\n"
     "a=fingerprint:" FP1 "\na=setup:actpass\na=sctp",
     "different a=ice-pwd"},
    {SC_SDP_TYPE_OFFER, "a=fingerprint:" FP1 "\na=setup:actpass\na=sctp",
     "a=fingerprint:" FP2 "\na=setup:actpass\na=sctp",
     "different a=fingerprint"},
    {SC_SDP_TYPE_OFFER, "a=mid:0\n", "a=mid:0\na=tls-id:short\n", "tls-id"},
    {SC_SDP_TYPE_OFFER, "a=mid:0\n",
     "a=mid:0\na=tls-id:abcdefghijklmnopqrstuvwxyz!\n", "tls-id"},
    {SC_SDP_TYPE_OFFER, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 7",
     "names mid \"7\" but no m-section has it"},
    {SC_SDP_TYPE_OFFER, "a=mid:1", "a=mid:0", "repeats a=mid:0"},
    {SC_SDP_TYPE_OFFER, "a=mid:0", "a=mid:", "a=mid must be a token"},
    {SC_SDP_TYPE_OFFER, "a=ice-ufrag:abcd\na=ice-pwd",
     "a=ice-ufrag:abcd\na=ice-ufrag:dcba\na=ice-pwd",
     "two different a=ice-ufrag"},
};

static void
test_validation_errors(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const BadCase *bc = &bad_cases[i];
        g_autoptr(GString) text = g_string_new(BASE);
        GError *error = NULL;
        ScSdpDesc *d;

        /* answers start from a valid answer (except the actpass case) */
        if (bc->type == SC_SDP_TYPE_ANSWER && bc->find != NULL)
            sub_replace(text, "a=setup:actpass", "a=setup:active", 0);
        if (bc->find == NULL && bc->replace != NULL)
            g_string_assign(text, bc->replace);
        else if (bc->find != NULL)
            g_assert_cmpuint(sub_replace(text, bc->find, bc->replace, 0),
                             >, 0);
        d = sc_sdp_parse(bc->type, text->str, &error);
        if (d != NULL)
            g_error("case %u accepted:\n%s", i, text->str);
        int code = bc->code != 0 ? bc->code : SC_ERROR_SDP_SYNTAX;
        g_assert_error(error, SC_ERROR, code);
        if (strstr(error->message, bc->message) == NULL)
            g_error("case %u: \"%s\" does not contain \"%s\"", i,
                    error->message, bc->message);
        /* the ICE password never appears in an error */
        g_assert_null(strstr(error->message, "abcdefghijklmnopqrstu"));
        g_error_free(error);
    }
}

/* ---- what we must accept ---- */

static ScSdpDesc *
parse_mutated(ScSdpType type, const char *base, const char *find,
              const char *replace)
{
    g_autoptr(GString) text = g_string_new(base);

    if (find != NULL)
        g_assert_cmpuint(sub_replace(text, find, replace, 0), >, 0);
    return parse_ok(type, text->str);
}

static void
test_liberal_line_endings(void)
{
    g_autofree char *crlf = load("chromium-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) a = parse_mutated(SC_SDP_TYPE_OFFER, crlf, "\r\n", "\n");
    g_autoptr(ScSdpDesc) b = parse_ok(SC_SDP_TYPE_OFFER, BASE);

    g_assert_cmpuint(a->sections->len, ==, 3);
    g_assert_cmpuint(section(a, 0)->candidates->len, ==, 5);
    g_assert_cmpint(b->data_section, ==, 1);
}

static void
test_liberal_session_level(void)
{
    static const char *text =
        "v=0\r\no=- 7 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        "a=ice-lite\r\n"
        "a=ice-ufrag:sessUfrag\r\n"
        "a=ice-pwd:sessionpasswordsessionpassword\r\n"
        "a=fingerprint:sha-256 c1:60:d2:32:d1:4a:c9:c7:4d:3e:1f:51:f2:8a:20:4a:"
        "59:da:59:da:1e:ff:0b:df:ba:45:c1:42:fc:93:4e:ea\r\n"
        "a=fingerprint:sha-3000 01:02:03\r\n"
        "a=setup:passive\r\n"
        "a=tls-id:abcdefghijklmnopqrstuvwxyz0123\r\n"
        "a=identity:aWRlbnRpdHk=\r\n"
        "a=recvonly\r\n"
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "a=ice-options:trickle renomination\r\n"
        "a=sctp-port:5000\r\n"
        "a=max-message-size:0\r\n"
        "a=candidate:1 1 udp 1 host.example.org 9 typ host\r\n"
        "a=candidate:2 1 udp 1 10.0.0.1 9 typ host\r\n";
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_ANSWER, text);
    ScSdpSection *s = section(d, 0);

    g_assert_true(d->ice_lite);
    g_assert_true(d->ice_trickle); /* media-level ice-options */
    g_assert_cmpstr(d->ice_ufrag, ==, "sessUfrag");
    g_assert_null(s->ice_ufrag);
    /* normalised; the sha-3000 line is ignored (RFC 8122 §5.1) */
    g_assert_cmpuint(d->fingerprints->len, ==, 1);
    g_assert_cmpstr(d->fingerprints->pdata[0], ==, FP1);
    g_assert_cmpint(d->setup, ==, SC_SDP_SETUP_PASSIVE);
    g_assert_cmpstr(d->tls_id, ==, "abcdefghijklmnopqrstuvwxyz0123");
    g_assert_cmpstr(d->identity, ==, "aWRlbnRpdHk=");
    g_assert_cmpstr(s->direction, ==, "recvonly");
    g_assert_null(s->mid);
    g_assert_null(d->bundle_mids);
    g_assert_cmpuint(s->max_message_size, ==, 0); /* unlimited, kept */
    /* the FQDN candidate is skipped, not an error */
    g_assert_cmpuint(s->candidates->len, ==, 1);
    g_assert_true(sc_sdp_desc_candidate_mid_ok(d, NULL, 0));
    g_assert_false(sc_sdp_desc_candidate_mid_ok(d, NULL, 1));
    g_assert_false(sc_sdp_desc_candidate_mid_ok(d, "0", -1));
}

static void
test_liberal_misc(void)
{
    /* sctpmap without sctp-port on the new proto */
    g_autoptr(ScSdpDesc) a = parse_mutated(
        SC_SDP_TYPE_OFFER, BASE, "a=sctp-port:5000",
        "a=sctpmap:5001 webrtc-datachannel 1024");
    /* the same attribute repeated identically */
    g_autoptr(ScSdpDesc) b = parse_mutated(
        SC_SDP_TYPE_OFFER, BASE, "a=mid:0", "a=mid:0\na=ice-ufrag:abcd");
    /* a rejected data section needs no sctp-port */
    g_autoptr(GString) t = g_string_new(BASE);
    g_autoptr(ScSdpDesc) c = NULL;
    /* an answer with passive, and an offer from an older endpoint with
     * active */
    g_autoptr(ScSdpDesc) d = parse_mutated(SC_SDP_TYPE_ANSWER, BASE,
                                           "a=setup:actpass", "a=setup:passive");
    g_autoptr(ScSdpDesc) e = parse_mutated(SC_SDP_TYPE_OFFER, BASE,
                                           "a=setup:actpass", "a=setup:active");

    g_assert_cmpuint(section(a, 1)->sctp_port, ==, 5001);
    g_assert_cmpint(b->data_section, ==, 1);

    sub_replace(t, "a=group:BUNDLE 0 1\n", "", 0);
    sub_replace(t, "m=application 9", "m=application 0", 0);
    sub_replace(t, "a=sctp-port:5000\n", "", 0);
    c = parse_ok(SC_SDP_TYPE_OFFER, t->str);
    g_assert_cmpint(c->data_section, ==, -1);
    g_assert_true(section(c, 1)->is_datachannel);

    g_assert_cmpint(d->setup, ==, SC_SDP_SETUP_PASSIVE);
    g_assert_cmpint(e->setup, ==, SC_SDP_SETUP_ACTIVE);
}

static void
test_candidate_mid_ok(void)
{
    g_autofree char *text = load("chromium-av-data-offer.sdp");
    g_autoptr(ScSdpDesc) d = parse_ok(SC_SDP_TYPE_OFFER, text);
    ScSdpLocal l = local_defaults();
    g_autofree char *answer = answer_ok(&l, d);
    g_autoptr(ScSdpDesc) a = parse_ok(SC_SDP_TYPE_ANSWER, answer);

    g_assert_cmpint(sc_sdp_desc_find_mid(d, "2"), ==, 2);
    g_assert_cmpint(sc_sdp_desc_find_mid(d, "x"), ==, -1);
    g_assert_true(sc_sdp_desc_candidate_mid_ok(d, "2", -1));
    g_assert_true(sc_sdp_desc_candidate_mid_ok(d, "0", -1)); /* bundled */
    g_assert_true(sc_sdp_desc_candidate_mid_ok(d, "2", 0)); /* mid wins */
    g_assert_false(sc_sdp_desc_candidate_mid_ok(d, "9", 2));
    g_assert_true(sc_sdp_desc_candidate_mid_ok(d, NULL, 2));
    g_assert_true(sc_sdp_desc_candidate_mid_ok(d, NULL, 1));
    g_assert_false(sc_sdp_desc_candidate_mid_ok(d, NULL, 3));
    g_assert_false(sc_sdp_desc_candidate_mid_ok(d, NULL, -1));
    /* in our answer only the data section carries candidates */
    g_assert_true(sc_sdp_desc_candidate_mid_ok(a, "2", -1));
    g_assert_false(sc_sdp_desc_candidate_mid_ok(a, "0", -1));
    g_assert_false(sc_sdp_desc_candidate_mid_ok(a, NULL, 1));
}

/* RFC 8122 §5.1: lines with a hash we do not use are ignored when another
 * one is acceptable; media-level lines replace session-level ones. */
static void
test_fingerprint_lines(void)
{
    g_autoptr(GString) mixed = g_string_new(BASE);
    g_autoptr(GString) sess = g_string_new(BASE);
    g_autoptr(ScSdpDesc) d = NULL, e = NULL;
    ScSdpDesc *bad;
    GError *error = NULL;

    sub_replace(mixed, "a=fingerprint:" FP1 "\n",
                "a=fingerprint:" SHA1_VALUE "\na=fingerprint:md5 AB:CD\n"
                "a=fingerprint:" FP1 "\na=fingerprint:x-new 01\n",
                0);
    d = parse_ok(SC_SDP_TYPE_OFFER, mixed->str);
    g_assert_cmpuint(d->fingerprints->len, ==, 1);
    g_assert_cmpstr(d->fingerprints->pdata[0], ==, FP1);
    g_assert_cmpuint(section(d, 0)->fingerprints->len, ==, 1);

    /* sha-256 at session level, only sha-1 in every m-section: the
     * m-sections' lines count, and they authenticate nothing */
    sub_replace(sess, "t=0 0\n", "t=0 0\na=fingerprint:" FP2 "\n", 0);
    e = parse_ok(SC_SDP_TYPE_OFFER, sess->str);
    g_assert_cmpstr(e->fingerprints->pdata[0], ==, FP1);
    sub_replace(sess, "a=fingerprint:" FP1 "\n",
                "a=fingerprint:" SHA1_VALUE "\n", 0);
    bad = sc_sdp_parse(SC_SDP_TYPE_OFFER, sess->str, &error);
    g_assert_null(bad);
    g_assert_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_assert_nonnull(strstr(error->message, "no acceptable a=fingerprint"));
    g_error_free(error);
}

/* A description with @n data sections (each in the BUNDLE group, the
 * first one carrying the transport). */
static GString *
many_sections(guint n)
{
    GString *s = g_string_new("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                              "t=0 0\r\na=ice-ufrag:abcd\r\n"
                              "a=ice-pwd:abcdefghijklmnopqrstuv\r\n"
                              "a=fingerprint:" FP1 "\r\na=setup:actpass\r\n"
                              "a=group:BUNDLE");

    for (guint i = 0; i < n; i++)
        g_string_append_printf(s, " m%u", i);
    g_string_append(s, "\r\n");
    for (guint i = 0; i < n; i++)
        g_string_append_printf(s,
                               "m=application 9 UDP/DTLS/SCTP "
                               "webrtc-datachannel\r\na=mid:m%u\r\n"
                               "a=sctp-port:5000\r\n",
                               i);
    return s;
}

/* The limits of sdp.h are checked before anything is parsed, and the
 * m-line count is the one GstSDPMessage sees. */
static void
test_limits(void)
{
    g_autoptr(GString) at = many_sections(SC_SDP_MAX_SECTIONS);
    g_autoptr(GString) over = many_sections(SC_SDP_MAX_SECTIONS + 1);
    g_autoptr(GString) spaced = many_sections(SC_SDP_MAX_SECTIONS);
    g_autoptr(GString) big = many_sections(2);
    g_autoptr(GString) fake = many_sections(SC_SDP_MAX_SECTIONS);
    g_autoptr(ScSdpDesc) d = NULL, f = NULL;
    GError *error = NULL;
    char *answer;

    d = parse_ok(SC_SDP_TYPE_OFFER, at->str);
    g_assert_cmpuint(d->sections->len, ==, SC_SDP_MAX_SECTIONS);
    g_assert_cmpint(d->data_section, ==, 0);
    /* our answer to the largest offer parses too */
    {
        ScSdpLocal l = local_defaults();
        g_autoptr(ScSdpDesc) a = NULL;

        answer = sc_sdp_create_answer(&l, d, &error);
        g_assert_no_error(error);
        a = parse_ok(SC_SDP_TYPE_ANSWER, answer);
        g_assert_cmpuint(a->sections->len, ==, SC_SDP_MAX_SECTIONS);
        g_free(answer);
    }

    g_assert_null(sc_sdp_parse(SC_SDP_TYPE_OFFER, over->str, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
    g_assert_cmpstr(error->message, ==,
                    "SDP has 65 m-sections, more than the limit of 64 "
                    "(SC_SDP_MAX_SECTIONS)");
    g_clear_error(&error);

    /* GstSDP skips white space (blank lines included) before a line */
    g_string_append(spaced, "\r\n \t\r\n  m=audio 0 RTP/AVP 0\r\n");
    g_assert_null(sc_sdp_parse(SC_SDP_TYPE_OFFER, spaced->str, &error));
    g_assert_nonnull(strstr(error->message, "SC_SDP_MAX_SECTIONS"));
    g_clear_error(&error);

    /* "m=" inside a line, or after a lone CR, starts no m-section */
    g_string_append(fake, "a=x:m=audio 0 RTP/AVP 0\r\na=y:1\rm=audio 0 "
                          "RTP/AVP 0\r\nxm=audio 0 RTP/AVP 0\r\n");
    f = parse_ok(SC_SDP_TYPE_OFFER, fake->str);
    g_assert_cmpuint(f->sections->len, ==, SC_SDP_MAX_SECTIONS);

    /* size: a long attribute the parser would otherwise ignore */
    g_string_append(big, "a=x-pad:");
    while (big->len < SC_SDP_MAX_SIZE)
        g_string_append_c(big, 'p');
    g_assert_cmpuint(big->len, ==, SC_SDP_MAX_SIZE);
    g_autoptr(ScSdpDesc) ok = parse_ok(SC_SDP_TYPE_OFFER, big->str);
    g_assert_cmpuint(ok->sections->len, ==, 2);
    g_string_append_c(big, 'p');
    g_assert_null(sc_sdp_parse(SC_SDP_TYPE_OFFER, big->str, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
    g_assert_cmpstr(error->message, ==,
                    "SDP is larger than 131072 bytes (SC_SDP_MAX_SIZE)");
    g_clear_error(&error);
}

static void
test_setup_names(void)
{
    g_assert_cmpstr(sc_sdp_setup_to_string(SC_SDP_SETUP_ACTPASS), ==, "actpass");
    g_assert_cmpstr(sc_sdp_setup_to_string(SC_SDP_SETUP_ACTIVE), ==, "active");
    g_assert_cmpstr(sc_sdp_setup_to_string(SC_SDP_SETUP_PASSIVE), ==, "passive");
    g_assert_null(sc_sdp_setup_to_string((ScSdpSetup)42));
    g_assert_cmpstr(sc_sdp_type_to_string(SC_SDP_TYPE_OFFER), ==, "offer");
    g_assert_cmpstr(sc_sdp_type_to_string(SC_SDP_TYPE_ANSWER), ==, "answer");
}

/* The one a=fingerprint parser (also tested with keys/ in test-keys). */
static void
test_fingerprint_rule(void)
{
    static const char *const refused[] = {
        SHA1_VALUE,
        "SHA-1 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33",
        "sha-224 " HEX16 ":" "00:11:22:33:44:55:66:77:88:99:AA:BB",
        "md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
        "MD2 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
        "x-new AB",
        "sha-3 " FP256_C,
        "sha256 " FP256_C,
    };
    static const char *const malformed[] = {
        "", "sha-256", "sha-256 ", "sha-256  " FP256_C, "sha-256\t" FP256_C,
        "sha-256 " FP256_C ":00", "sha-256 " FP256_C ":", "sha-256 AB:CD",
        "sha-256 " FP256_C " junk", "sha-256 0" FP256_C, "sha@256 AB",
    };
    g_autofree char *a = NULL, *b = NULL, *c = NULL;
    ScFingerprint fp;

    g_assert_false(sc_hash_is_accepted(SC_HASH_SHA1));
    g_assert_false(sc_hash_is_accepted(SC_HASH_SHA224));
    g_assert_true(sc_hash_is_accepted(SC_HASH_SHA256));
    g_assert_true(sc_hash_is_accepted(SC_HASH_SHA384));
    g_assert_true(sc_hash_is_accepted(SC_HASH_SHA512));
    g_assert_false(sc_hash_is_accepted(SC_HASH_N));

    /* hash name in any case, hex in either case, canonical output */
    a = sc_fingerprint_normalize("SHA-256 c1:60:d2:32:d1:4a:c9:c7:4d:3e:1f:"
                                 "51:f2:8a:20:4a:59:da:59:da:1e:ff:0b:df:ba:"
                                 "45:c1:42:fc:93:4e:ea",
                                 NULL);
    g_assert_cmpstr(a, ==, FP1);
    b = sc_fingerprint_normalize("Sha-384 " FP384_A, NULL);
    g_assert_cmpstr(b, ==, "sha-384 " FP384_A);
    c = sc_fingerprint_normalize("sha-512 " FP512_A "\r\n", NULL);
    g_assert_cmpstr(c, ==, "sha-512 " FP512_A);

    for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_autoptr(GError) error = NULL;
        g_test_message("refusing \"%s\"", refused[i]);
        g_assert_false(sc_fingerprint_parse(refused[i], &fp, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "sha-256, sha-384 or "
                                                "sha-512 is required"));
    }
    for (guint i = 0; i < G_N_ELEMENTS(malformed); i++) {
        g_autoptr(GError) error = NULL;
        g_test_message("rejecting \"%s\"", malformed[i]);
        g_assert_false(sc_fingerprint_parse(malformed[i], &fp, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
    }
    g_assert_true(sc_sdp_is_ice_chars("ab+/", 4, 4));
    g_assert_false(sc_sdp_is_ice_chars("ab+/5", 4, 4));
    g_assert_false(sc_sdp_is_ice_chars("ab_d", 4, 4));
    g_assert_true(sc_sdp_tls_id_is_valid("abcdefghij-_+/567890"));
    g_assert_false(sc_sdp_tls_id_is_valid("abcdefghij-_+/56789"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/offer/roundtrip", test_offer_roundtrip);
    g_test_add_func("/sdp/offer/options", test_offer_options);
    g_test_add_func("/sdp/offer/bad-local", test_offer_bad_local);
    g_test_add_func("/sdp/parse/chromium-data", test_parse_chromium_data);
    g_test_add_func("/sdp/parse/chromium-av-data", test_parse_chromium_av_data);
    g_test_add_func("/sdp/parse/firefox-data", test_parse_firefox_data);
    g_test_add_func("/sdp/parse/firefox-av-data", test_parse_firefox_av_data);
    g_test_add_func("/sdp/parse/aiortc", test_parse_aiortc);
    g_test_add_func("/sdp/parse/legacy-sctpmap", test_parse_legacy);
    g_test_add_func("/sdp/parse/browser-answers", test_parse_browser_answers);
    g_test_add_func("/sdp/parse/errors", test_validation_errors);
    g_test_add_func("/sdp/parse/line-endings", test_liberal_line_endings);
    g_test_add_func("/sdp/parse/session-level", test_liberal_session_level);
    g_test_add_func("/sdp/parse/liberal", test_liberal_misc);
    g_test_add_func("/sdp/answer/captures", test_answer_captures);
    g_test_add_func("/sdp/answer/chromium-av", test_answer_chromium_av);
    g_test_add_func("/sdp/answer/legacy", test_answer_legacy);
    g_test_add_func("/sdp/answer/own-offer", test_answer_own_offer);
    g_test_add_func("/sdp/answer/setup-roles", test_answer_setup_roles);
    g_test_add_func("/sdp/answer/setup-kept", test_answer_setup_kept);
    g_test_add_func("/sdp/answer/no-data", test_answer_no_data);
    g_test_add_func("/sdp/answer/needs-offer", test_answer_needs_offer);
    g_test_add_func("/sdp/answer/tcp-no-bundle", test_answer_tcp_and_no_bundle);
    g_test_add_func("/sdp/desc/candidate-mid", test_candidate_mid_ok);
    g_test_add_func("/sdp/attr/setup-names", test_setup_names);
    g_test_add_func("/sdp/attr/fingerprint", test_fingerprint_rule);
    g_test_add_func("/sdp/parse/fingerprint-lines", test_fingerprint_lines);
    g_test_add_func("/sdp/parse/limits", test_limits);
    return g_test_run();
}
