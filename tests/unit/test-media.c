/* tests/unit/test-media.c - media: two GStreamer media sessions back to back
 * on one GMainContext (no network): Opus + VP8 both ways, RTCP, PLI ->
 * keyframe, WebM and Ogg/Opus recordings checked by decoding them (level,
 * spectrum), unknown payload types, garbage, teardown while flowing.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/media-priv.h"
#include "media/media.h"
#include "media/ssrc-guard.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

/* GLib leaks its quark array each time it grows (by design: lock-free
 * lookups), and GStreamer's plugins register enough quarks to grow it once.
 * The first array is allocated in GLib's library constructor; LeakSanitizer
 * can only see that through the slow unwinder (GLib has no frame pointers).
 * So, for this test alone: slow unwinding, and ignore what library
 * constructors allocated (one-time by nature). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SC_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SC_TEST_ASAN)
#define SC_TEST_ASAN 1
#endif
#ifdef SC_TEST_ASAN
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);
const char *
__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
const char *
__lsan_default_suppressions(void)
{
    return "leak:_dl_init\n";
}
#endif

#define DEADLINE_MS 30000
#define PT_OPUS 111
#define PT_VP8 96

/* ---- a wire between two sessions: packets are delivered from an idle
 * source, never from inside the sender's callback ---- */

typedef struct Peer Peer;

typedef struct {
    GBytes *pkt;
    gboolean rtcp;
} WirePacket;

typedef struct {
    GMainContext *ctx;
    GQueue q;
    GSource *idle;
    Peer *to;
    /* test hooks on the video RTP of this direction */
    guint drop_video_first;     /* drop this many video RTP packets */
    guint video_seen;
    guint keyframes_after_drop; /* VP8 keyframes delivered after the drop */
    guint rtcp_sr;              /* RTCP compounds starting with an SR */
    guint rtcp_cname;           /* ... that carry the sender's CNAME */
    guint drop_audio_every;     /* drop every Nth audio RTP packet */
    gboolean watch_first_video; /* note whether the next video RTP packet */
    gboolean first_video_key;   /* ... starts a VP8 keyframe */
    guint32 first_video_ts;     /* ... its RTP timestamp */
    gint64 first_video_us;      /* ... and when it came */
    guint32 last_video_ts;      /* the last video RTP timestamp */
    gint64 last_video_us;       /* ... and when it came */
    guint audio_seen;
    gboolean cut;               /* drop everything */
} Wire;

struct Peer {
    const char *name;
    char cname[32];
    ScMediaSession *s;
    Wire out;                   /* what this peer sends */
    gboolean flowing[SC_MEDIA_N_KINDS][2]; /* [kind][send] */
    guint flow_events;
    gboolean free_in_callback;  /* frees itself from on_flow */
};

typedef struct {
    GMainContext *ctx;
    Peer a, b;
    char *dir;
} Fixture;

static void
wire_packet_free(gpointer data)
{
    WirePacket *p = data;

    g_bytes_unref(p->pkt);
    g_free(p);
}

/* RFC 7741 §4.2/§4.3: is this the start of a VP8 keyframe? */
static gboolean
vp8_rtp_is_keyframe_start(const guint8 *b, gsize len)
{
    gsize off = 12 + 4u * (b[0] & 0x0f);
    guint8 d;

    if (b[0] & 0x10) {
        if (off + 4 > len)
            return FALSE;
        off += 4 + 4u * ((b[off + 2] << 8) | b[off + 3]);
    }
    if (off >= len)
        return FALSE;
    d = b[off++];
    if (!(d & 0x10) || (d & 0x07) != 0) /* S=1 and PID=0 */
        return FALSE;
    if (d & 0x80) {                     /* X */
        guint8 x;
        if (off >= len)
            return FALSE;
        x = b[off++];
        if (x & 0x80) {                 /* I: 7 or 15 bit picture id */
            if (off >= len)
                return FALSE;
            off += (b[off] & 0x80) ? 2 : 1;
        }
        if (x & 0x40)                   /* L */
            off++;
        if (x & 0x30)                   /* T or K */
            off++;
    }
    return off < len && (b[off] & 0x01) == 0; /* P bit 0: keyframe */
}

static gboolean
wire_deliver(gpointer data)
{
    Wire *w = data;
    WirePacket *p;

    while ((p = g_queue_pop_head(&w->q)) != NULL) {
        gsize len;
        const guint8 *b = g_bytes_get_data(p->pkt, &len);
        gboolean deliver = w->to && w->to->s && !w->cut;

        if (deliver && !p->rtcp && len >= 12 && (b[1] & 0x7f) == PT_VP8) {
            guint32 ts = ((guint32)b[4] << 24) | ((guint32)b[5] << 16) |
                         ((guint32)b[6] << 8) | b[7];
            if (w->watch_first_video) {
                w->watch_first_video = FALSE;
                w->first_video_key = vp8_rtp_is_keyframe_start(b, len);
                w->first_video_ts = ts;
                w->first_video_us = g_get_monotonic_time();
            } else {
                w->last_video_ts = ts;
                w->last_video_us = g_get_monotonic_time();
            }
            w->video_seen++;
            if (w->video_seen <= w->drop_video_first)
                deliver = FALSE;
            else if (w->drop_video_first && vp8_rtp_is_keyframe_start(b, len))
                w->keyframes_after_drop++;
        }
        if (deliver && !p->rtcp && len >= 12 && (b[1] & 0x7f) == PT_OPUS &&
            w->drop_audio_every && ++w->audio_seen % w->drop_audio_every == 0)
            deliver = FALSE;
        if (deliver)
            (void)sc_media_session_receive(w->to->s, b, len, p->rtcp);
        wire_packet_free(p);
    }
    g_clear_pointer(&w->idle, g_source_unref);
    return G_SOURCE_REMOVE;
}

static void
on_send(gpointer user_data, const guint8 *buf, gsize len, gboolean is_rtcp)
{
    Peer *p = user_data;
    Wire *w = &p->out;
    WirePacket *wp = g_new0(WirePacket, 1);

    if (is_rtcp && len >= 8 && buf[1] == 200) { /* RFC 3550 §6.4.1 SR */
        gsize cl = strlen(p->cname);
        w->rtcp_sr++;
        for (gsize i = 0; i + cl <= len; i++) {
            if (memcmp(buf + i, p->cname, cl) == 0) {
                w->rtcp_cname++;
                break;
            }
        }
    }
    wp->pkt = g_bytes_new(buf, len);
    wp->rtcp = is_rtcp;
    g_queue_push_tail(&w->q, wp);
    if (!w->idle) {
        w->idle = g_idle_source_new();
        g_source_set_callback(w->idle, wire_deliver, w, NULL);
        g_source_attach(w->idle, w->ctx);
    }
}

static void
on_flow(gpointer user_data, ScMediaKind kind, gboolean send, gboolean flowing,
        guint64 packets)
{
    Peer *p = user_data;

    g_assert_cmpint(kind, <, SC_MEDIA_N_KINDS);
    if (flowing)
        g_assert_cmpuint(packets, >, 0);
    p->flowing[kind][send ? 1 : 0] = flowing;
    p->flow_events++;
    if (p->free_in_callback && flowing) {
        g_clear_pointer(&p->s, sc_media_session_free);
        p->free_in_callback = FALSE;
    }
}

static const ScMediaCallbacks callbacks = { on_send, on_flow };

static void
peer_init(Peer *p, const char *name, GMainContext *ctx, Peer *to)
{
    g_autoptr(GError) err = NULL;

    memset(p, 0, sizeof *p);
    p->name = name;
    g_snprintf(p->cname, sizeof p->cname, "cname-%s@sealcall.test", name);
    p->out.ctx = ctx;
    p->out.to = to;
    g_queue_init(&p->out.q);
    p->s = sc_media_session_new(ctx, name, p->cname, &callbacks, p, &err);
    g_assert_no_error(err);
    g_assert_nonnull(p->s);
}

/* @remote: the peer's signalled SSRCs (a=ssrc), @n_remote of them */
static void
peer_add_signalled(Peer *p, ScMediaKind kind, guint32 ssrc, gboolean send,
                   gboolean recv, guint keyframe_max_dist,
                   const guint32 *remote, guint n_remote)
{
    g_autoptr(GError) err = NULL;
    ScMediaTrack t = {
        .kind = kind,
        .payload_type = kind == SC_MEDIA_AUDIO ? PT_OPUS : PT_VP8,
        .clock_rate = kind == SC_MEDIA_AUDIO ? 48000 : 90000,
        .channels = kind == SC_MEDIA_AUDIO ? 2 : 0,
        .ssrc = ssrc,
        .send = send,
        .recv = recv,
        .keyframe_max_dist = keyframe_max_dist,
        .remote_ssrcs = remote,
        .n_remote_ssrcs = n_remote,
    };

    g_assert_true(sc_media_session_add_track(p->s, &t, &err));
    g_assert_no_error(err);
}

static void
peer_add(Peer *p, ScMediaKind kind, guint32 ssrc, gboolean send,
         gboolean recv, guint keyframe_max_dist)
{
    peer_add_signalled(p, kind, ssrc, send, recv, keyframe_max_dist, NULL, 0);
}

static void
peer_start(Peer *p)
{
    g_autoptr(GError) err = NULL;
    gboolean ok = sc_media_session_start(p->s, &err);

    g_assert_no_error(err);
    g_assert_true(ok);
}

static void
peer_clear(Peer *p)
{
    g_clear_pointer(&p->s, sc_media_session_free);
    if (p->out.idle) {
        g_source_destroy(p->out.idle);
        g_clear_pointer(&p->out.idle, g_source_unref);
    }
    g_queue_clear_full(&p->out.q, wire_packet_free);
}

static guint64
frames(Peer *p, ScMediaKind kind)
{
    ScMediaStats st;

    sc_media_session_get_stats(p->s, kind, &st);
    return st.frames_decoded;
}

typedef struct {
    Peer *a, *b;
    gboolean video;
} Both;

static void
dump(Peer *p)
{
    for (int k = 0; k < SC_MEDIA_N_KINDS; k++) {
        ScMediaStats st;
        sc_media_session_get_stats(p->s, k, &st);
        g_test_message("%s %s: send %d recv %d sent %" G_GUINT64_FORMAT
                       " received %" G_GUINT64_FORMAT " decoded %" G_GUINT64_FORMAT,
                       p->name, sc_media_kind_to_string(k), p->flowing[k][1],
                       p->flowing[k][0], st.packets_sent, st.packets_received,
                       st.frames_decoded);
    }
}

static gboolean
both_flowing(gpointer data)
{
    Both *x = data;
    Peer *peers[2] = { x->a, x->b };

    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < (x->video ? 2 : 1); k++) {
            if (!peers[i]->flowing[k][0] || !peers[i]->flowing[k][1])
                return FALSE;
        }
    }
    if (frames(x->b, SC_MEDIA_AUDIO) < 25 || frames(x->a, SC_MEDIA_AUDIO) < 25)
        return FALSE;
    return !x->video || (frames(x->b, SC_MEDIA_VIDEO) >= 30 &&
                         frames(x->a, SC_MEDIA_VIDEO) >= 30);
}

/* ---- checking a recording by decoding it ---- */

typedef struct {
    gboolean done, error;
    double max_rms_db;
    double mag_sum[1024];
    guint spectra;
    guint64 video_frames;
    guint rate;
} FileCheck;

#define SPECTRUM_BANDS 1024

static gboolean
on_check_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    FileCheck *fc = data;
    const GstStructure *st;

    (void)bus;
    switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_EOS:
        fc->done = TRUE;
        break;
    case GST_MESSAGE_ERROR: {
        g_autoptr(GError) err = NULL;
        gst_message_parse_error(msg, &err, NULL);
        g_test_message("decode error: %s", err->message);
        fc->error = TRUE;
        fc->done = TRUE;
        break;
    }
    case GST_MESSAGE_ELEMENT:
        st = gst_message_get_structure(msg);
        if (gst_structure_has_name(st, "level")) {
            const GValue *rms = gst_structure_get_value(st, "rms");
            G_GNUC_BEGIN_IGNORE_DEPRECATIONS
            GValueArray *arr = g_value_get_boxed(rms);
            for (guint i = 0; arr && i < arr->n_values; i++) {
                double db = g_value_get_double(g_value_array_get_nth(arr, i));
                if (db > fc->max_rms_db)
                    fc->max_rms_db = db;
            }
            G_GNUC_END_IGNORE_DEPRECATIONS
        } else if (gst_structure_has_name(st, "spectrum")) {
            const GValue *mag = gst_structure_get_value(st, "magnitude");
            guint n = gst_value_list_get_size(mag);
            for (guint i = 0; i < n && i < SPECTRUM_BANDS; i++)
                fc->mag_sum[i] +=
                    g_value_get_float(gst_value_list_get_value(mag, i));
            fc->spectra++;
        }
        break;
    default:
        break;
    }
    return G_SOURCE_CONTINUE;
}

static void
on_video_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer data)
{
    FileCheck *fc = data;

    (void)sink;
    (void)buf;
    (void)pad;
    g_atomic_pointer_add(&fc->video_frames, 1); /* streaming thread */
}

static void
check_recording(GMainContext *ctx, const char *path, gboolean want_video)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *desc = NULL;
    GstElement *pipe, *vsink;
    GstBus *bus;
    GSource *watch;
    FileCheck fc = { .max_rms_db = -1000.0 };
    GStatBuf sb;
    guint peak = 0;
    double peak_hz;

    g_assert_cmpint(g_stat(path, &sb), ==, 0);
    g_test_message("recording %s: %lld bytes", path, (long long)sb.st_size);
    g_assert_cmpint(sb.st_size, >, 1000);

    desc = g_strdup_printf(
        "filesrc location=\"%s\" ! decodebin name=d "
        "d. ! audio/x-raw ! queue ! audioconvert ! audioresample ! "
        "audio/x-raw,rate=48000,format=F32LE ! level ! spectrum bands=%d "
        "threshold=-90 ! fakesink sync=false %s",
        path, SPECTRUM_BANDS,
        want_video ? "d. ! video/x-raw ! queue ! fakesink name=vsink "
                     "sync=false signal-handoffs=true"
                   : "");
    pipe = gst_parse_launch(desc, &err);
    g_assert_no_error(err);
    fc.rate = 48000;
    vsink = gst_bin_get_by_name(GST_BIN(pipe), "vsink");
    if (vsink) {
        g_signal_connect(vsink, "handoff", G_CALLBACK(on_video_handoff), &fc);
        gst_object_unref(vsink);
    }
    bus = gst_pipeline_get_bus(GST_PIPELINE(pipe));
    watch = gst_bus_create_watch(bus);
    g_source_set_callback(watch, (GSourceFunc)(void (*)(void))on_check_bus,
                          &fc, NULL);
    g_source_attach(watch, ctx);
    gst_object_unref(bus);
    g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=,
                    GST_STATE_CHANGE_FAILURE);
    sc_test_run_until_flag(ctx, &fc.done, DEADLINE_MS);
    gst_element_set_state(pipe, GST_STATE_NULL);
    g_source_destroy(watch);
    g_source_unref(watch);
    gst_object_unref(pipe);

    g_assert_false(fc.error);
    g_test_message("max RMS %.1f dB, %u spectra, %" G_GUINT64_FORMAT
                   " video frames",
                   fc.max_rms_db, fc.spectra, fc.video_frames);
    g_assert_cmpfloat(fc.max_rms_db, >, -40.0); /* not silence */
    g_assert_cmpuint(fc.spectra, >, 0);
    for (guint i = 1; i < SPECTRUM_BANDS; i++) {
        if (fc.mag_sum[i] > fc.mag_sum[peak])
            peak = i;
    }
    /* spectrum's FFT has 2 * (bands - 1) points: band i is bin i */
    peak_hz = peak * (fc.rate / 2.0) / (SPECTRUM_BANDS - 1);
    g_test_message("spectrum peak band %u: %.0f Hz", peak, peak_hz);
    g_assert_cmpfloat(fabs(peak_hz - 440.0), <, 50.0); /* the 440 Hz tone */
    if (want_video)
        g_assert_cmpuint(fc.video_frames, >, 0);
}

/* ---- tests ---- */



static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    (void)data;
    f->ctx = g_main_context_new();
    g_main_context_push_thread_default(f->ctx);
    f->dir = g_dir_make_tmp("sc-media-XXXXXX", &err);
    g_assert_no_error(err);
    peer_init(&f->a, "A", f->ctx, &f->b);
    peer_init(&f->b, "B", f->ctx, &f->a);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autoptr(GDir) d = NULL;
    const char *name;

    (void)data;
    peer_clear(&f->a);
    peer_clear(&f->b);
    /* let sources from the sessions die */
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
    d = g_dir_open(f->dir, 0, NULL);
    while (d && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(f->dir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(f->dir);
    g_free(f->dir);
    g_main_context_pop_thread_default(f->ctx);
    g_main_context_unref(f->ctx);
}

static gboolean
sr_both_ways(gpointer data)
{
    Fixture *f = data;

    return f->a.out.rtcp_cname > 0 && f->b.out.rtcp_cname > 0;
}

static void
test_av_loopback_record(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "b.webm", NULL);
    Both both = { &f->a, &f->b, TRUE };
    ScMediaStats st;

    (void)data;
    /* A produces a keyframe only at the start and on PLI; the wire drops
     * A's first video packets, so B decodes only if its PLI reaches A's
     * encoder (RFC 4585 §6.3.1). */
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x1111aaaa, TRUE, TRUE, 0);
    peer_add(&f->a, SC_MEDIA_VIDEO, 0x2222aaaa, TRUE, TRUE, 100000);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x3333bbbb, TRUE, TRUE, 0);
    peer_add(&f->b, SC_MEDIA_VIDEO, 0x4444bbbb, TRUE, TRUE, 0);
    f->a.out.drop_video_first = 40;
    sc_media_session_set_record(f->b.s, path, FALSE);
    peer_start(&f->a);
    peer_start(&f->b);

    if (!sc_test_run_until(f->ctx, both_flowing, &both, DEADLINE_MS)) {
        dump(&f->a);
        dump(&f->b);
    }
    g_assert_true(both_flowing(&both));
    g_test_message("B decoded %" G_GUINT64_FORMAT " video frames, %u "
                   "keyframes after the drop",
                   frames(&f->b, SC_MEDIA_VIDEO),
                   f->a.out.keyframes_after_drop);
    g_assert_cmpuint(f->a.out.keyframes_after_drop, >=, 1);

    sc_media_session_get_stats(f->b.s, SC_MEDIA_VIDEO, &st);
    g_assert_cmpuint(st.remote_ssrc, ==, 0x2222aaaa);
    g_assert_cmpuint(st.packets_received, >, 0);
    g_assert_cmpuint(st.bytes_received, >, st.packets_received * 12);
    sc_media_session_get_stats(f->b.s, SC_MEDIA_AUDIO, &st);
    g_assert_cmpuint(st.remote_ssrc, ==, 0x1111aaaa);
    sc_media_session_get_stats(f->a.s, SC_MEDIA_AUDIO, &st);
    g_assert_cmpuint(st.packets_sent, >, 0);
    g_assert_cmpuint(st.bytes_sent, >, 0);
    g_assert_cmpuint(sc_media_session_get_dropped(f->b.s), ==, 0);
    /* rtpbin's RTCP: sender reports with our CNAME (RFC 7022) both ways */
    g_assert_true(sc_test_run_until(f->ctx, sr_both_ways, f, DEADLINE_MS));

    sc_media_session_stop(f->b.s);
    sc_media_session_stop(f->a.s);
    check_recording(f->ctx, path, TRUE);
}

static gboolean
audio_received(gpointer data)
{
    Peer *b = data;

    return b->flowing[SC_MEDIA_AUDIO][0] && frames(b, SC_MEDIA_AUDIO) >= 50;
}

static void
test_audio_only_ogg(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "b.ogg", NULL);
    g_autofree char *head = NULL;
    gsize len = 0, i;

    (void)data;
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x5555aaaa, TRUE, FALSE, 0);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x6666bbbb, FALSE, TRUE, 0);
    sc_media_session_set_record(f->b.s, path, FALSE);
    peer_start(&f->a);
    peer_start(&f->b);
    g_assert_true(sc_test_run_until(f->ctx, audio_received, &f->b, DEADLINE_MS));
    g_assert_true(f->a.flowing[SC_MEDIA_AUDIO][1]);
    sc_media_session_stop(f->b.s);
    sc_media_session_stop(f->a.s);

    g_assert_true(g_file_get_contents(path, &head, &len, NULL));
    g_assert_cmpuint(len, >, 64);
    g_assert_cmpmem(head, 4, "OggS", 4);
    for (i = 0; i + 8 <= MIN(len, 200); i++) {
        if (memcmp(head + i, "OpusHead", 8) == 0)
            break;
    }
    g_assert_cmpuint(i + 8, <=, MIN(len, 200)); /* RFC 7845 §5.1 header */
    check_recording(f->ctx, path, FALSE);
}

/* Video negotiated but never sent: the WebM file must still be finalized,
 * with the audio that did arrive. */
static void
test_webm_without_video(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "b.webm", NULL);
    gint64 t0;

    (void)data;
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x5555aaaa, TRUE, FALSE, 0);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x6666bbbb, FALSE, TRUE, 0);
    peer_add(&f->b, SC_MEDIA_VIDEO, 0x7777bbbb, FALSE, TRUE, 0);
    sc_media_session_set_record(f->b.s, path, FALSE);
    peer_start(&f->a);
    peer_start(&f->b);
    g_assert_true(sc_test_run_until(f->ctx, audio_received, &f->b, DEADLINE_MS));
    t0 = g_get_monotonic_time();
    sc_media_session_stop(f->b.s);
    g_test_message("stop took %" G_GINT64_FORMAT " ms",
                   (g_get_monotonic_time() - t0) / 1000);
    sc_media_session_stop(f->a.s);
    check_recording(f->ctx, path, FALSE);
}

static gboolean
ran_out(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Iterates the context for @ms (lets the pipeline chew on what it got). */
static void
spin(GMainContext *ctx, guint ms)
{
    gboolean done = FALSE;
    GSource *t = g_timeout_source_new(ms);

    g_source_set_callback(t, ran_out, &done, NULL);
    g_source_attach(t, ctx);
    sc_test_run_until_flag(ctx, &done, ms + DEADLINE_MS);
    g_source_destroy(t);
    g_source_unref(t);
}

static void
test_unknown_pt_and_garbage(Fixture *f, gconstpointer data)
{
    guint8 pkt[200];
    ScMediaStats st;

    (void)data;
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x7777bbbb, FALSE, TRUE, 0);
    peer_add(&f->b, SC_MEDIA_VIDEO, 0x8888bbbb, FALSE, TRUE, 0);
    f->b.out.to = NULL; /* nobody listens to B */

    memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x80;
    pkt[1] = PT_OPUS;
    g_assert_cmpint(sc_media_session_receive(f->b.s, pkt, 100, FALSE), ==,
                    SC_DROP_STATE); /* not started */
    peer_start(&f->b);

    pkt[1] = 99; /* not negotiated */
    g_assert_cmpint(sc_media_session_receive(f->b.s, pkt, 100, FALSE), ==,
                    SC_DROP_UNKNOWN);
    g_assert_cmpuint(sc_media_session_get_dropped(f->b.s), ==, 2);
    sc_media_session_get_stats(f->b.s, SC_MEDIA_AUDIO, &st);
    g_assert_cmpuint(st.packets_received, ==, 0);

    g_assert_cmpint(sc_media_session_receive(f->b.s, pkt, 3, FALSE), ==,
                    SC_DROP_MALFORMED);
    pkt[0] = 0x8f; /* 15 CSRCs do not fit in 20 bytes */
    pkt[1] = PT_OPUS;
    g_assert_cmpint(sc_media_session_receive(f->b.s, pkt, 20, FALSE), ==,
                    SC_DROP_MALFORMED);
    pkt[0] = 0x40; /* version 1 */
    g_assert_cmpint(sc_media_session_receive(f->b.s, pkt, 100, TRUE), ==,
                    SC_DROP_MALFORMED);

    /* random bytes, then well-formed RTP headers with random payloads for
     * both decoders, then RTCP-looking garbage: nothing may crash */
    for (int i = 0; i < 3000; i++) {
        gsize len = 1 + sc_random_uniform(sizeof pkt);
        sc_random_bytes(pkt, len);
        if (len >= 12 && i < 2000) {
            /* two SSRCs in all: random ones would take the places the
             * session learns (media/ssrc-guard.h) before these come */
            pkt[8] = 0x12;
            pkt[9] = 0x34;
            pkt[10] = 0x56;
            pkt[11] = (guint8)(i % 2);
        }
        if (i >= 1000 && len >= 12) {
            pkt[0] = 0x80 | (pkt[0] & 0x20); /* maybe padding */
            pkt[1] = (pkt[1] & 0x80) | (i % 2 ? PT_OPUS : PT_VP8);
        }
        if (i >= 2000 && len >= 8) {
            pkt[0] = 0x80 | (pkt[0] & 0x1f);
            pkt[1] = 200 + (pkt[1] % 8);
        }
        (void)sc_media_session_receive(f->b.s, pkt, len, i >= 2000);
        if (i % 100 == 0)
            g_main_context_iteration(f->ctx, FALSE);
    }
    spin(f->ctx, 500);
    sc_media_session_get_stats(f->b.s, SC_MEDIA_AUDIO, &st);
    g_assert_cmpuint(st.packets_received, >, 0);
    g_assert_cmpuint(st.remote_ssrc, ==, 0x12345601);
    g_assert_cmpuint(sc_media_session_get_dropped(f->b.s), >, 2);
    sc_media_session_stop(f->b.s);
}

static gboolean
b_recv_stopped(gpointer data)
{
    Peer *b = data;

    return !b->flowing[SC_MEDIA_AUDIO][0] && !b->flowing[SC_MEDIA_VIDEO][0];
}

static void
test_free_while_flowing(Fixture *f, gconstpointer data)
{
    Both both = { &f->a, &f->b, TRUE };

    (void)data;
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x9999aaaa, TRUE, TRUE, 0);
    peer_add(&f->a, SC_MEDIA_VIDEO, 0xaaaaaaaa, TRUE, TRUE, 0);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0xbbbbbbbb, TRUE, TRUE, 0);
    peer_add(&f->b, SC_MEDIA_VIDEO, 0xcccccccc, TRUE, TRUE, 0);
    sc_media_session_set_record(f->b.s, NULL, TRUE); /* playback path too */
    peer_start(&f->a);
    peer_start(&f->b);
    g_assert_true(sc_test_run_until(f->ctx, both_flowing, &both, DEADLINE_MS));
    /* cut A -> B: B reports its receive directions stopped (~2 s), then
     * flowing again once packets return */
    f->a.out.cut = TRUE;
    g_assert_true(sc_test_run_until(f->ctx, b_recv_stopped, &f->b, DEADLINE_MS));
    g_assert_true(f->b.flowing[SC_MEDIA_AUDIO][1]); /* B still sends */
    f->a.out.cut = FALSE;
    g_assert_true(sc_test_run_until(f->ctx, both_flowing, &both, DEADLINE_MS));
    /* no stop: free tears everything down */
    g_clear_pointer(&f->a.s, sc_media_session_free);
    g_clear_pointer(&f->b.s, sc_media_session_free);
}

static gboolean
session_gone(gpointer data)
{
    return ((Peer *)data)->s == NULL;
}

static void
test_free_in_callback(Fixture *f, gconstpointer data)
{
    (void)data;
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x12121212, TRUE, FALSE, 0);
    f->a.out.to = NULL;
    f->a.free_in_callback = TRUE;
    peer_start(&f->a);
    /* the first send-flowing event frees the session from inside on_flow */
    g_assert_true(sc_test_run_until(f->ctx, session_gone, &f->a, DEADLINE_MS));
    spin(f->ctx, 100); /* no callback after the free */
    g_assert_cmpuint(f->a.flow_events, ==, 1);
}

static void
test_api_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    ScMediaTrack t = {
        .kind = SC_MEDIA_AUDIO, .payload_type = 8, .ssrc = 1, .send = TRUE,
    };

    (void)data;
    g_assert_false(sc_media_session_start(f->a.s, &err));
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&err);

    g_assert_false(sc_media_session_add_track(f->a.s, &t, &err)); /* PT 8 */
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&err);

    t.payload_type = PT_OPUS;
    t.send = t.recv = FALSE;
    g_assert_false(sc_media_session_add_track(f->a.s, &t, &err));
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&err);

    t.send = TRUE;
    t.source = "no-such-element-xyz ! audioconvert";
    g_assert_false(sc_media_session_add_track(f->a.s, &t, &err));
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&err);

    t.source = "audiotestsrc is-live=true wave=square";
    g_assert_true(sc_media_session_add_track(f->a.s, &t, &err));
    g_assert_no_error(err);
    g_assert_false(sc_media_session_add_track(f->a.s, &t, &err)); /* twice */
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&err);

    t.kind = SC_MEDIA_VIDEO; /* same PT as the audio track */
    g_assert_false(sc_media_session_add_track(f->a.s, &t, &err));
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&err);

    peer_start(&f->a);
    g_assert_false(sc_media_session_start(f->a.s, &err));
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&err);
    t.payload_type = PT_VP8;
    g_assert_false(sc_media_session_add_track(f->a.s, &t, &err));
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&err);
    sc_media_session_stop(f->a.s);
    sc_media_session_stop(f->a.s); /* idempotent */
}

/* ---- stopping and resuming what we send (set_sending) ---- */

static gboolean
video_recv_flowing(gpointer data)
{
    return ((Peer *)data)->flowing[SC_MEDIA_VIDEO][0];
}

static gboolean
video_recv_stopped(gpointer data)
{
    return !((Peer *)data)->flowing[SC_MEDIA_VIDEO][0];
}

typedef struct {
    Peer *p;
    guint64 n;
} Decoded;

static gboolean
decoded_video(gpointer data)
{
    Decoded *d = data;

    return frames(d->p, SC_MEDIA_VIDEO) >= d->n;
}

/* The source element of A's @kind: its state, from the pipeline (what
 * the device sees), not from our flags. */
static GstState
source_state(Peer *p, ScMediaKind kind)
{
    GstState cur = GST_STATE_VOID_PENDING;
    g_autoptr(GstElement) src = NULL;
    GstIterator *it;
    GValue v = G_VALUE_INIT;

    /* the live test source: the only videotestsrc/audiotestsrc of @p's
     * pipeline (media-priv.h: the test looks inside) */
    it = gst_bin_iterate_recurse(GST_BIN(p->s->pipeline));
    while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        GstElement *e = g_value_get_object(&v);
        const char *fname = GST_OBJECT_NAME(gst_element_get_factory(e));
        if (g_strcmp0(fname, kind == SC_MEDIA_VIDEO ? "videotestsrc"
                                                    : "audiotestsrc") == 0)
            src = gst_object_ref(e);
        g_value_reset(&v);
    }
    g_value_unset(&v);
    gst_iterator_free(it);
    g_assert_nonnull(src);
    g_assert_cmpint(gst_element_get_state(src, &cur, NULL, GST_SECOND), !=,
                    GST_STATE_CHANGE_FAILURE);
    return cur;
}

/* A stops its video: B's receive flow stops (2 s without a packet) and
 * A's camera (the live test source) is released, in state NULL; A
 * resumes: the source runs again, the first packet B gets starts a
 * keyframe (A's periodic ones are 20 s apart), its RTP timestamp has
 * advanced with the time that passed (not restarted, not frozen), and B
 * decodes again. Only sending tracks can stop. */
static void
test_send_stop_resume(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint64 decoded, seen;
    Decoded want = { &f->b, 0 };
    gint64 gap_us, ts_us;

    (void)data;
    peer_add(&f->a, SC_MEDIA_VIDEO, 0x33333333, TRUE, FALSE, 0);
    peer_add(&f->b, SC_MEDIA_VIDEO, 0x44444444, FALSE, TRUE, 0);
    peer_start(&f->a);
    peer_start(&f->b);
    g_assert_true(sc_test_run_until(f->ctx, video_recv_flowing, &f->b,
                                    DEADLINE_MS));
    g_assert_true(sc_media_session_is_capturing(f->a.s, SC_MEDIA_VIDEO));
    g_assert_cmpint(source_state(&f->a, SC_MEDIA_VIDEO), ==,
                    GST_STATE_PLAYING);
    g_assert_true(sc_media_session_set_sending(f->a.s, SC_MEDIA_VIDEO, FALSE,
                                               &err));
    g_assert_no_error(err);
    /* released at once, before any wait */
    g_assert_cmpint(source_state(&f->a, SC_MEDIA_VIDEO), ==, GST_STATE_NULL);
    g_assert_false(sc_media_session_is_capturing(f->a.s, SC_MEDIA_VIDEO));
    g_assert_true(sc_test_run_until(f->ctx, video_recv_stopped, &f->b,
                                    DEADLINE_MS));
    seen = f->a.out.video_seen;
    g_assert_true(sc_media_session_set_sending(f->a.s, SC_MEDIA_VIDEO, FALSE,
                                               &err)); /* idempotent */
    g_assert_cmpint(source_state(&f->a, SC_MEDIA_VIDEO), ==, GST_STATE_NULL);
    decoded = frames(&f->b, SC_MEDIA_VIDEO);
    f->a.out.watch_first_video = TRUE;
    g_assert_true(sc_media_session_set_sending(f->a.s, SC_MEDIA_VIDEO, TRUE,
                                               &err));
    g_assert_cmpint(source_state(&f->a, SC_MEDIA_VIDEO), ==,
                    GST_STATE_PLAYING);
    g_assert_true(sc_media_session_is_capturing(f->a.s, SC_MEDIA_VIDEO));
    g_assert_true(sc_test_run_until(f->ctx, video_recv_flowing, &f->b,
                                    DEADLINE_MS));
    g_assert_false(f->a.out.watch_first_video);
    g_assert_true(f->a.out.first_video_key);
    g_assert_cmpuint(f->a.out.video_seen, >, seen);
    /* RTP timestamps follow wall time across the gap: the capture times of
     * the last frame before and the first after differ about as much as
     * their arrivals (a restarted source would go back to its start, a
     * frozen one move one frame) */
    gap_us = f->a.out.first_video_us - f->a.out.last_video_us;
    ts_us = (gint64)(guint32)(f->a.out.first_video_ts -
                              f->a.out.last_video_ts) *
            G_USEC_PER_SEC / 90000;
    g_test_message("resume: %" G_GINT64_FORMAT " ms between packets, RTP "
                   "timestamps %" G_GINT64_FORMAT " ms apart",
                   gap_us / 1000, ts_us / 1000);
    g_assert_cmpint(gap_us, >, 2 * G_USEC_PER_SEC);
    g_assert_cmpint(ts_us, >=, gap_us / 2);
    g_assert_cmpint(ts_us, <=, 2 * gap_us);
    want.n = decoded + 5;
    g_assert_true(sc_test_run_until(f->ctx, decoded_video, &want,
                                    DEADLINE_MS));

    g_assert_false(sc_media_session_set_sending(f->b.s, SC_MEDIA_VIDEO, FALSE,
                                                &err)); /* receive only */
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&err);
    g_assert_false(sc_media_session_set_sending(f->a.s, SC_MEDIA_AUDIO, FALSE,
                                                &err)); /* no such track */
    g_assert_error(err, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
}

/* A's microphone stopped before the pipeline starts: the source never
 * opens (NULL while the rest plays), nothing reaches B; resumed, it
 * starts and B hears it. */
static void
test_send_start_stopped(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    ScMediaStats st;

    (void)data;
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x35353535, TRUE, FALSE, 0);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x45454545, FALSE, TRUE, 0);
    g_assert_true(sc_media_session_set_sending(f->a.s, SC_MEDIA_AUDIO, FALSE,
                                               &err));
    g_assert_no_error(err);
    peer_start(&f->b);
    peer_start(&f->a);
    g_assert_cmpint(gst_element_get_state(f->a.s->pipeline, NULL, NULL,
                                          10 * GST_SECOND),
                    !=, GST_STATE_CHANGE_FAILURE);
    g_assert_cmpint(source_state(&f->a, SC_MEDIA_AUDIO), ==, GST_STATE_NULL);
    g_assert_false(sc_media_session_is_capturing(f->a.s, SC_MEDIA_AUDIO));
    spin(f->ctx, 300); /* the pipeline runs: RTCP, timers */
    sc_media_session_get_stats(f->a.s, SC_MEDIA_AUDIO, &st);
    g_assert_cmpuint(st.packets_sent, ==, 0);

    g_assert_true(sc_media_session_set_sending(f->a.s, SC_MEDIA_AUDIO, TRUE,
                                               &err));
    g_assert_no_error(err);
    g_assert_cmpint(source_state(&f->a, SC_MEDIA_AUDIO), ==,
                    GST_STATE_PLAYING);
    g_assert_true(sc_media_session_is_capturing(f->a.s, SC_MEDIA_AUDIO));
    g_assert_true(sc_test_run_until(f->ctx, audio_received, &f->b,
                                    DEADLINE_MS));
}

/* ---- RTCP statistics (sc_media_session_get_rtcp_stats()) ---- */

static ScMediaRtcpStats
rtcp(Peer *p)
{
    ScMediaRtcpStats r;

    sc_media_session_get_rtcp_stats(p->s, SC_MEDIA_AUDIO, &r);
    return r;
}

static gboolean
loss_reported(gpointer data)
{
    Fixture *f = data;
    ScMediaRtcpStats a = rtcp(&f->a), b = rtcp(&f->b);

    return a.sent.have && a.sent.packets_lost > 0 &&
           a.sent.fraction_lost > 0 && a.round_trip_us >= 0 &&
           b.received.have && b.received.packets_lost > 0 &&
           b.sent.have && b.round_trip_us >= 0 && a.bitrate_sent > 0 &&
           b.bitrate_received > 0;
}

static void
start_audio_pair(Fixture *f)
{
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x11111111, TRUE, TRUE, 0);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x22222222, TRUE, TRUE, 0);
    peer_start(&f->a);
    peer_start(&f->b);
}

/* A -> B loses every 10th audio packet: B's own statistics and its
 * receiver report, as A sees it, say so; B -> A loses nothing; both have a
 * round-trip time and a bitrate. */
static void
test_rtcp_loss(Fixture *f, gconstpointer data)
{
    ScMediaRtcpStats a, b;
    ScMediaStats sa, sb;

    (void)data;
    f->a.out.drop_audio_every = 10;
    start_audio_pair(f);
    g_assert_true(sc_test_run_until(f->ctx, loss_reported, f, DEADLINE_MS));
    a = rtcp(&f->a);
    b = rtcp(&f->b);
    sc_media_session_get_stats(f->a.s, SC_MEDIA_AUDIO, &sa);
    sc_media_session_get_stats(f->b.s, SC_MEDIA_AUDIO, &sb);
    g_test_message("A sent %" G_GUINT64_FORMAT ", B reports %" G_GUINT64_FORMAT
                   " lost (%u/256), B counts %" G_GUINT64_FORMAT
                   " lost; rtt %" G_GINT64_FORMAT " us; %" G_GUINT64_FORMAT
                   " bit/s",
                   sa.packets_sent, a.sent.packets_lost, a.sent.fraction_lost,
                   b.received.packets_lost, a.round_trip_us, a.bitrate_sent);
    /* the report A holds is one B sent earlier */
    g_assert_cmpuint(a.sent.packets_lost, <=, b.received.packets_lost);
    g_assert_cmpuint(b.received.packets_lost * 5, <=, sb.packets_received);
    g_assert_cmpuint(a.sent.fraction_lost, <=, 64); /* ~10 %, not more */
    g_assert_cmpint(a.sent.jitter_us, >=, 0);
    g_assert_cmpint(b.received.jitter_us, >=, 0);
    g_assert_cmpint(a.round_trip_us, <, 5 * G_USEC_PER_SEC);
    /* nothing is lost B -> A */
    g_assert_true(b.sent.have && a.received.have);
    g_assert_cmpuint(b.sent.packets_lost, ==, 0);
    g_assert_cmpuint(a.received.packets_lost, ==, 0);
    g_assert_cmpuint(b.sent.fraction_lost, ==, 0);
}

/* RFC 3550 §6.4.2 RR from @sender with one report block about @about. */
static void
inject_rr(Peer *to, guint32 sender, guint32 about, guint8 fraction,
          guint32 lost24, guint32 jitter, guint32 lsr)
{
    guint8 b[32] = { 0x81, 201, 0, 7 };

    b[4] = sender >> 24, b[5] = sender >> 16, b[6] = sender >> 8, b[7] = sender;
    b[8] = about >> 24, b[9] = about >> 16, b[10] = about >> 8, b[11] = about;
    b[12] = fraction;
    b[13] = lost24 >> 16, b[14] = lost24 >> 8, b[15] = lost24;
    b[20] = jitter >> 24, b[21] = jitter >> 16, b[22] = jitter >> 8;
    b[23] = jitter;
    b[24] = lsr >> 24, b[25] = lsr >> 16, b[26] = lsr >> 8, b[27] = lsr;
    g_assert_cmpint(sc_media_session_receive(to->s, b, sizeof b, TRUE), ==,
                    SC_OK);
}

typedef struct {
    Peer *p;
    guint8 fraction;
} Marker;

static gboolean
report_is(gpointer data)
{
    Marker *m = data;

    return rtcp(m->p).sent.fraction_lost == m->fraction;
}

static gboolean
have_round_trip(gpointer data)
{
    return rtcp(data).round_trip_us >= 0;
}

/* The peer's receiver report is its claim: a cumulative loss beyond what
 * we sent, a jitter of 13 hours and an LSR that names no SR of ours are
 * clamped or unknown, not shown as they came; plausible values pass. */
static void
test_rtcp_hostile_report(Fixture *f, gconstpointer data)
{
    Marker m = { &f->a, 255 };
    ScMediaRtcpStats r;
    ScMediaStats st;

    (void)data;
    start_audio_pair(f);
    g_assert_true(sc_test_run_until(f->ctx, have_round_trip, &f->a,
                                    DEADLINE_MS));
    f->b.out.cut = TRUE; /* only our forged reports reach A now */
    inject_rr(&f->a, 0x22222222, 0x11111111, 255, 0x7fffff, 0xffffffffu,
              0xdeadbeefu);
    g_assert_true(sc_test_run_until(f->ctx, report_is, &m, DEADLINE_MS));
    r = rtcp(&f->a);
    sc_media_session_get_stats(f->a.s, SC_MEDIA_AUDIO, &st);
    g_assert_cmpuint(r.sent.packets_lost, <=, st.packets_sent);
    g_assert_cmpuint(r.sent.packets_lost, <, 0x7fffff);
    g_assert_cmpint(r.sent.jitter_us, ==, -1);
    g_assert_cmpint(r.round_trip_us, ==, -1);

    /* negative cumulative loss (duplicates, RFC 3550 §6.4.1) reads 0; a
     * 100 ms jitter is shown */
    m.fraction = 254;
    inject_rr(&f->a, 0x22222222, 0x11111111, 254, 0xffffff, 4800, 0);
    g_assert_true(sc_test_run_until(f->ctx, report_is, &m, DEADLINE_MS));
    r = rtcp(&f->a);
    g_assert_cmpuint(r.sent.packets_lost, ==, 0);
    g_assert_cmpint(r.sent.jitter_us, ==, 100000);
    g_assert_cmpint(r.round_trip_us, ==, -1); /* LSR 0: no SR arrived */
}

/* ---- a peer naming thousands of SSRCs (media/ssrc-guard.h) ---- */

#define FLOOD_SSRCS 10000
/* ours + the legitimate sender + what may be learned */
#define SOURCES_MAX (2 + SC_SSRC_GUARD_LEARN_MAX)

static void
put32(guint8 *p, guint32 v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

/* The hostile peer's packets, each naming new SSRCs @x, @x + 1, ...: RTP
 * (with three CSRCs) of @pt, then a compound RR + SDES + BYE whose report
 * blocks are about @about (our SSRC: learnable) and a stranger. */
static void
flood_one(Peer *to, guint8 pt, guint32 x, guint32 about)
{
    guint8 rtp[40] = { 0x83, pt };
    guint8 c[96];
    guint8 *q = c;

    rtp[2] = x >> 8, rtp[3] = x;
    put32(rtp + 4, x * 960);
    put32(rtp + 8, x);
    put32(rtp + 12, x + 1);
    put32(rtp + 16, x + 2);
    put32(rtp + 20, x + 3);
    (void)sc_media_session_receive(to->s, rtp, sizeof rtp, FALSE);

    memset(c, 0, sizeof c);
    q[0] = 0x82, q[1] = 201, q[3] = 13; /* RR, 2 blocks */
    put32(q + 4, x + 4);
    put32(q + 8, about);
    put32(q + 32, x + 5);
    q += 56;
    q[0] = 0x82, q[1] = 202, q[3] = 6; /* SDES, 2 chunks of 12 bytes */
    put32(q + 4, x + 6);
    q[8] = 1, q[9] = 2, q[10] = 'x', q[11] = 'y';
    put32(q + 16, x + 7);
    q[20] = 1, q[21] = 2, q[22] = 'z', q[23] = 'w';
    q += 28;
    q[0] = 0x82, q[1] = 203, q[3] = 2; /* BYE, 2 SSRCs */
    put32(q + 4, x + 8);
    put32(q + 8, x + 9);
    q += 12;
    g_assert_cmpint(sc_media_session_receive(to->s, c, (gsize)(q - c), TRUE),
                    ==, SC_OK);
}

static guint64
rss_kib(void)
{
    g_autofree char *status = NULL;
    const char *line;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL) ||
        (line = strstr(status, "VmRSS:")) == NULL)
        return 0;
    return g_ascii_strtoull(line + 6, NULL, 10);
}

static void
assert_sources_bounded(Peer *p)
{
    for (int k = 0; k < SC_MEDIA_N_KINDS; k++)
        g_assert_cmpuint(sc_media_session_get_source_count(p->s, k), <=,
                         SOURCES_MAX);
}

/* @n SSRC-naming rounds at B, each kind, checking rtpbin's sources as it
 * goes: the old code fails at the first check (thousands of sources). */
static void
flood(Fixture *f, guint32 base, guint n, gboolean audio)
{
    for (guint i = 0; i < n; i++) {
        guint32 x = base + 32 * i;
        if (audio)
            flood_one(&f->b, PT_OPUS, x, 0x66666666);
        flood_one(&f->b, PT_VP8, x + 16, 0x77777777);
        if (i % 500 == 499) {
            spin(f->ctx, 50);
            assert_sources_bounded(&f->b);
        }
    }
}

static gboolean
b_receives(gpointer data)
{
    Peer *b = data;

    return b->flowing[SC_MEDIA_AUDIO][0] && b->flowing[SC_MEDIA_VIDEO][0] &&
           frames(b, SC_MEDIA_AUDIO) >= 25 && frames(b, SC_MEDIA_VIDEO) >= 30;
}

static gboolean
both_recv_more(gpointer data)
{
    Decoded *d = data; /* n: video frames; audio more than at the start */
    ScMediaStats st;

    sc_media_session_get_stats(d->p->s, SC_MEDIA_AUDIO, &st);
    return frames(d->p, SC_MEDIA_VIDEO) >= d->n &&
           st.frames_decoded >= d[1].n;
}

/* A peer with valid keys names 10,000 SSRCs in RTP (senders and CSRCs) and
 * in RTCP (RR senders, report blocks, SDES chunks, BYE): rtpbin's sources
 * stay a handful, the SSRCs are counted as refused, and A's media (video
 * signalled by a=ssrc, audio learned) keeps flowing to B; the peer's
 * receiver report from A's SSRC still reaches B's statistics. */
static void
test_ssrc_flood(Fixture *f, gconstpointer data)
{
    const guint32 a_video = 0x55555555;
    Decoded more[2] = { { &f->b, 0 }, { &f->b, 0 } };
    Marker m = { &f->b, 201 };
    ScMediaStats sa, sv;
    guint64 rss0, rss1;

    (void)data;
    peer_add(&f->a, SC_MEDIA_AUDIO, 0x44444444, TRUE, TRUE, 0);
    peer_add(&f->a, SC_MEDIA_VIDEO, a_video, TRUE, FALSE, 0);
    peer_add(&f->b, SC_MEDIA_AUDIO, 0x66666666, TRUE, TRUE, 0);
    peer_add_signalled(&f->b, SC_MEDIA_VIDEO, 0x77777777, FALSE, TRUE, 0,
                       &a_video, 1);
    peer_start(&f->b);
    /* before A sends anything: the signalled video SSRC keeps its place
     * (an unsignalled one is learned first come, first served) */
    flood(f, 0x10000000, FLOOD_SSRCS / 10, FALSE);
    peer_start(&f->a);
    g_assert_true(sc_test_run_until(f->ctx, b_receives, &f->b, DEADLINE_MS));
    rss0 = rss_kib();
    flood(f, 0x20000000, FLOOD_SSRCS, TRUE);
    assert_sources_bounded(&f->b);

    /* A's media still flows: more decoded after the flood */
    sc_media_session_get_stats(f->b.s, SC_MEDIA_AUDIO, &sa);
    more[0].n = frames(&f->b, SC_MEDIA_VIDEO) + 10;
    more[1].n = sa.frames_decoded + 10;
    g_assert_true(sc_test_run_until(f->ctx, both_recv_more, more,
                                    DEADLINE_MS));
    /* and A's receiver report (from its SSRC) is taken after it */
    f->a.out.cut = TRUE;
    inject_rr(&f->b, 0x44444444, 0x66666666, 201, 0, 0, 0);
    g_assert_true(sc_test_run_until(f->ctx, report_is, &m, DEADLINE_MS));
    assert_sources_bounded(&f->b);
    rss1 = rss_kib();

    sc_media_session_get_stats(f->b.s, SC_MEDIA_AUDIO, &sa);
    sc_media_session_get_stats(f->b.s, SC_MEDIA_VIDEO, &sv);
    g_test_message("sources audio %u video %u; refused RTP audio %"
                   G_GUINT64_FORMAT " video %" G_GUINT64_FORMAT
                   ", RTCP parts %" G_GUINT64_FORMAT "; RSS %" G_GUINT64_FORMAT
                   " -> %" G_GUINT64_FORMAT " KiB",
                   sc_media_session_get_source_count(f->b.s, SC_MEDIA_AUDIO),
                   sc_media_session_get_source_count(f->b.s, SC_MEDIA_VIDEO),
                   sa.ssrc_refused, sv.ssrc_refused,
                   sc_media_session_get_rtcp_refused(f->b.s), rss0, rss1);
    g_assert_cmpuint(sa.remote_ssrc, ==, 0x44444444);
    g_assert_cmpuint(sv.remote_ssrc, ==, a_video);
    /* audio learned at most its share, video (signalled) none */
    g_assert_cmpuint(sa.ssrc_refused, >=,
                     FLOOD_SSRCS - SC_SSRC_GUARD_LEARN_MAX);
    g_assert_cmpuint(sv.ssrc_refused, >=, FLOOD_SSRCS + FLOOD_SSRCS / 10);
    g_assert_cmpuint(sc_media_session_get_rtcp_refused(f->b.s), >=,
                     2 * (FLOOD_SSRCS + FLOOD_SSRCS / 10));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/media/loopback/av-record-webm-pli", test_av_loopback_record);
    ADD("/media/record/audio-only-ogg", test_audio_only_ogg);
    ADD("/media/record/webm-without-video", test_webm_without_video);
    ADD("/media/receive/unknown-pt-and-garbage", test_unknown_pt_and_garbage);
    ADD("/media/lifecycle/free-while-flowing", test_free_while_flowing);
    ADD("/media/lifecycle/free-in-callback", test_free_in_callback);
    ADD("/media/api/errors", test_api_errors);
    ADD("/media/send/stop-resume-keyframe", test_send_stop_resume);
    ADD("/media/send/start-stopped", test_send_start_stopped);
    ADD("/media/rtcp/loss", test_rtcp_loss);
    ADD("/media/rtcp/hostile-report", test_rtcp_hostile_report);
    ADD("/media/receive/ssrc-flood", test_ssrc_flood);
#undef ADD
    return g_test_run();
}
