/* tests/unit/test-ice.c - ICE transport on libnice, two agents on one
 * context over 127.0.0.1: trickled candidates connect them and carry data;
 * candidates of another ufrag generation and candidates after
 * end-of-candidates are ignored (RFC 8838); bad lines are refused; a
 * burst of datagrams is handed on in batches, so due timers still run.
 * The consent watch recognises an authentic Binding success response
 * (RFC 5769's vector) from the remote address only, without taking any
 * datagram from the socket; on a relayed pair, inside TURN ChannelData
 * and Data indications (from the pair's peer only), over UDP and in a
 * TCP stream, answering a check from our relayed address only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ice/consent-watch.h"
#include "ice/ice.h"
#include "test-util.h"

#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stun/stunagent.h>

typedef struct {
    ScIceTransport *t;
    struct Pair *pair;
    int idx;
    ScIceState state;
    GPtrArray *cands;     /* our gathered candidates */
    gboolean done;
    GByteArray *rx;
    guint n_rx;           /* datagrams delivered to on_recv */
} Side;

typedef struct Pair {
    Side s[2];
} Pair;

static void
on_candidate(gpointer data, const char *candidate)
{
    Side *side = data;
    if (candidate == NULL)
        side->done = TRUE;
    else
        g_ptr_array_add(side->cands, g_strdup(candidate));
}

static void
on_state(gpointer data, ScIceState state)
{
    ((Side *)data)->state = state;
}

static void
on_recv(gpointer data, const guint8 *buf, gsize len)
{
    g_byte_array_append(((Side *)data)->rx, buf, (guint)len);
    ((Side *)data)->n_rx++;
}

static const ScIceCallbacks cb = {on_candidate, on_state, on_recv};

static void
pair_init(Pair *p)
{
    static const char *const lo[] = {"127.0.0.1", NULL};
    for (int i = 0; i < 2; i++) {
        ScIceConfig cfg = {.controlling = i == 0, .local_addresses = lo};
        g_autoptr(GError) error = NULL;
        p->s[i].idx = i;
        p->s[i].pair = p;
        p->s[i].cands = g_ptr_array_new_with_free_func(g_free);
        p->s[i].rx = g_byte_array_new();
        p->s[i].t = sc_ice_transport_new(NULL, i == 0 ? "a" : "b", &cfg, &cb,
                                         &p->s[i], &error);
        g_assert_no_error(error);
        sc_ice_transport_set_pacing(p->s[i].t, SC_ICE_TA_LOCAL_MS);
        {
            g_auto(GStrv) none =
                sc_ice_transport_get_local_candidates(p->s[i].t);
            g_assert_cmpuint(g_strv_length(none), ==, 0);
            g_assert_false(sc_ice_transport_is_gathering_done(p->s[i].t));
        }
    }
    for (int i = 0; i < 2; i++) {
        g_autoptr(GError) error = NULL;
        ScIceTransport *other = p->s[1 - i].t;
        g_assert_true(sc_ice_transport_set_remote_credentials(
            p->s[i].t, sc_ice_transport_get_ufrag(other),
            sc_ice_transport_get_pwd(other), &error));
        g_assert_true(sc_ice_transport_gather(p->s[i].t, &error));
    }
}

static void
pair_clear(Pair *p)
{
    for (int i = 0; i < 2; i++) {
        sc_ice_transport_free(p->s[i].t);
        g_ptr_array_unref(p->s[i].cands);
        g_byte_array_unref(p->s[i].rx);
    }
}

static gboolean
both_gathered(gpointer data)
{
    Pair *p = data;
    return p->s[0].done && p->s[1].done;
}

static gboolean
both_connected(gpointer data)
{
    Pair *p = data;
    return p->s[0].state == SC_ICE_STATE_CONNECTED &&
           p->s[1].state == SC_ICE_STATE_CONNECTED;
}

static gboolean
b_received(gpointer data)
{
    return ((Pair *)data)->s[1].rx->len >= 5;
}

static void
test_connect_and_send(void)
{
    Pair p = {0};
    g_autoptr(GError) error = NULL;

    pair_init(&p);
    g_assert_true(sc_test_run_until(NULL, both_gathered, &p, 20000));
    g_assert_cmpuint(p.s[0].cands->len, >, 0);
    for (int i = 0; i < 2; i++) {
        /* what a description written now lists: exactly what was
         * announced, and gathering is over */
        g_auto(GStrv) listed =
            sc_ice_transport_get_local_candidates(p.s[i].t);
        g_assert_cmpuint(g_strv_length(listed), ==, p.s[i].cands->len);
        for (guint j = 0; j < p.s[i].cands->len; j++)
            g_assert_cmpstr(listed[j], ==, p.s[i].cands->pdata[j]);
        g_assert_true(sc_ice_transport_is_gathering_done(p.s[i].t));
    }
    for (int i = 0; i < 2; i++) {
        for (guint j = 0; j < p.s[1 - i].cands->len; j++)
            g_assert_true(sc_ice_transport_add_remote_candidate(
                p.s[i].t, p.s[1 - i].cands->pdata[j], &error));
        sc_ice_transport_remote_gathering_done(p.s[i].t);
    }
    g_assert_true(sc_test_run_until(NULL, both_connected, &p, 20000));
    g_assert_cmpstr(sc_ice_transport_get_local_type(p.s[0].t), ==, "host");
    g_assert_cmpint(sc_ice_transport_send(p.s[0].t, (const guint8 *)"\x17hi!!",
                                          5),
                    ==, SC_OK);
    g_assert_true(sc_test_run_until(NULL, b_received, &p, 20000));
    g_assert_cmpmem(p.s[1].rx->data, 5, "\x17hi!!", 5);
    pair_clear(&p);
}

static void
pair_connect(Pair *p)
{
    g_autoptr(GError) error = NULL;

    pair_init(p);
    g_assert_true(sc_test_run_until(NULL, both_gathered, p, 20000));
    for (int i = 0; i < 2; i++) {
        for (guint j = 0; j < p->s[1 - i].cands->len; j++)
            g_assert_true(sc_ice_transport_add_remote_candidate(
                p->s[i].t, p->s[1 - i].cands->pdata[j], &error));
        sc_ice_transport_remote_gathering_done(p->s[i].t);
    }
    g_assert_true(sc_test_run_until(NULL, both_connected, p, 20000));
}

#define FLOOD_N 100

typedef struct {
    Pair *p;
    gboolean fired;
    guint delivered_when_fired;
} Tick;

static gboolean
on_tick(gpointer data)
{
    Tick *tick = data;
    tick->fired = TRUE;
    tick->delivered_when_fired = tick->p->s[1].n_rx;
    return G_SOURCE_REMOVE;
}

static gboolean
b_got_flood(gpointer data)
{
    return ((Pair *)data)->s[1].n_rx >= FLOOD_N;
}

/* A burst waiting in the socket is not delivered in one go: libnice reads
 * until the socket is empty inside one dispatch, and a timer that is due
 * must run before more than one batch has been handed on, whatever the
 * rate the peer sends at (before the receive queue, every due timer waited
 * for the burst: libnice's consent checks went unsent for 15 s). */
static void
test_burst_does_not_starve_timers(void)
{
    Pair p = {0};
    Tick tick = {&p, FALSE, 0};
    guint8 pkt[100];
    GSource *timer;

    pair_connect(&p);
    p.s[1].n_rx = 0;
    for (int i = 0; i < FLOOD_N; i++) {
        memset(pkt, i, sizeof pkt);
        pkt[0] = 0x17; /* a DTLS application-data record, to the demux */
        g_assert_cmpint(sc_ice_transport_send(p.s[0].t, pkt, sizeof pkt), ==,
                        SC_OK);
    }
    /* due at once, attached after libnice's socket sources */
    timer = g_timeout_source_new(0);
    g_source_set_callback(timer, on_tick, &tick, NULL);
    g_source_attach(timer, NULL);
    g_source_unref(timer);
    g_assert_true(sc_test_run_until(NULL, b_got_flood, &p, 20000));
    g_assert_true(tick.fired);
    g_assert_cmpuint(tick.delivered_when_fired, <=, SC_ICE_RX_BATCH);
    g_assert_cmpuint(p.s[1].n_rx, ==, FLOOD_N);
    g_assert_cmpuint(sc_ice_transport_get_rx_dropped(p.s[1].t), ==, 0);
    /* every byte in order */
    for (int i = 0; i < FLOOD_N; i++)
        g_assert_cmpuint(p.s[1].rx->data[i * sizeof pkt + 1], ==, (guint8)i);
    pair_clear(&p);
}

static void
test_generation_and_end_of_candidates(void)
{
    Pair p = {0};
    g_autoptr(GError) error = NULL;
    guint before;

    pair_init(&p);
    g_assert_true(sc_test_run_until(NULL, both_gathered, &p, 20000));
    before = sc_ice_transport_get_n_remote_candidates(p.s[0].t);
    /* another ufrag generation: accepted as a line, not used */
    g_assert_true(sc_ice_transport_add_remote_candidate(
        p.s[0].t,
        "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host ufrag notours",
        &error));
    g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(p.s[0].t), ==,
                     before);
    /* this generation (the peer's ufrag) is used */
    {
        g_autofree char *line = g_strdup_printf(
            "candidate:2 1 udp 2130706431 127.0.0.1 10 typ host ufrag %s",
            sc_ice_transport_get_ufrag(p.s[1].t));
        g_assert_true(
            sc_ice_transport_add_remote_candidate(p.s[0].t, line, &error));
        g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(p.s[0].t),
                         ==, before + 1);
    }
    /* after end-of-candidates nothing more is taken */
    sc_ice_transport_remote_gathering_done(p.s[0].t);
    g_assert_true(sc_ice_transport_add_remote_candidate(
        p.s[0].t, "candidate:3 1 udp 2130706431 127.0.0.1 11 typ host",
        &error));
    g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(p.s[0].t), ==,
                     before + 1);
    /* garbage is refused with an error, never a crash */
    g_assert_false(sc_ice_transport_add_remote_candidate(
        p.s[1].t, "candidate:garbage", &error));
    g_assert_nonnull(error);
    /* a second remote ufrag (ICE restart) is refused, not mixed in */
    g_clear_error(&error);
    g_assert_false(sc_ice_transport_set_remote_credentials(
        p.s[0].t, "otherufrag", "0123456789012345678901", &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED);
    pair_clear(&p);
}

/* RFC 8445 §6.1.2.5: the checklist limit is 100 unless configured. */
static void
test_max_pairs(void)
{
    ScIceConfig cfg = {0};
    g_autoptr(GError) error = NULL;
    ScIceTransport *t;
    Side side = {0};

    side.rx = g_byte_array_new();
    side.cands = g_ptr_array_new_with_free_func(g_free);
    t = sc_ice_transport_new(NULL, "max-pairs", &cfg, &cb, &side, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(sc_ice_transport_get_max_pairs(t), ==,
                     SC_ICE_MAX_PAIRS_DEFAULT);
    sc_ice_transport_free(t);
    cfg.max_pairs = 7;
    t = sc_ice_transport_new(NULL, "max-pairs", &cfg, &cb, &side, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(sc_ice_transport_get_max_pairs(t), ==, 7);
    sc_ice_transport_free(t);
    g_byte_array_unref(side.rx);
    g_ptr_array_unref(side.cands);
}

/* A peer that sends candidates without end cannot make us keep them all:
 * SC_ICE_MAX_REMOTE_CANDIDATES per generation, the rest ignored and
 * counted; an ICE restart starts a new count. */
static void
test_remote_candidate_cap(void)
{
    Pair p = {0};
    g_autoptr(GError) error = NULL;
    guint before, real;
    const guint extra = 37;

    pair_init(&p);
    g_assert_true(sc_test_run_until(NULL, both_gathered, &p, 20000));
    before = sc_ice_transport_get_n_remote_candidates(p.s[0].t);
    /* the peer's real candidates first, then a flood of lower priority */
    for (int i = 0; i < 2; i++)
        for (guint j = 0; j < p.s[1 - i].cands->len; j++)
            g_assert_true(sc_ice_transport_add_remote_candidate(
                p.s[i].t, p.s[1 - i].cands->pdata[j], &error));
    real = p.s[1].cands->len;
    for (guint i = 0; i < SC_ICE_MAX_REMOTE_CANDIDATES + extra; i++) {
        g_autofree char *line = g_strdup_printf(
            "candidate:%u 1 udp 1 127.0.%u.%u %u typ host", i + 10,
            1 + i / 250, 1 + i % 250, 10000 + i);
        g_assert_true(
            sc_ice_transport_add_remote_candidate(p.s[0].t, line, &error));
        g_assert_no_error(error);
    }
    g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(p.s[0].t), ==,
                     before + SC_ICE_MAX_REMOTE_CANDIDATES);
    g_assert_cmpuint(
        sc_ice_transport_get_remote_candidates_ignored(p.s[0].t), ==,
        real + extra);
    for (int i = 0; i < 2; i++)
        sc_ice_transport_remote_gathering_done(p.s[i].t);
    /* the pair still connects over the real candidates */
    g_assert_true(sc_test_run_until(NULL, both_connected, &p, 20000));
    pair_clear(&p);
}

/* RFC 5769 §2.2: sample IPv4 response, short-term credential */
static const guint8 rfc5769_response[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
    0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};
static const char rfc5769_pwd[] = "VOkJxbRl1RmTxUk/WvJxBt";

static void
test_consent_authentic_response(void)
{
    guint8 buf[sizeof rfc5769_response];
    const guint8 *r = rfc5769_response;
    gsize n = sizeof rfc5769_response;

    g_assert_true(sc_stun_is_authentic_binding_success(r, n, rfc5769_pwd));
    g_assert_false(sc_stun_is_authentic_binding_success(r, n, "wrong"));
    g_assert_false(sc_stun_is_authentic_binding_success(r, n, NULL));
    g_assert_false(sc_stun_is_authentic_binding_success(r, n - 1,
                                                        rfc5769_pwd));
    g_assert_false(sc_stun_is_authentic_binding_success(r, 20, rfc5769_pwd));
    /* the mapped address changed: the HMAC no longer matches */
    memcpy(buf, r, n);
    buf[44] ^= 1;
    g_assert_false(sc_stun_is_authentic_binding_success(buf, n, rfc5769_pwd));
    /* an error response, a request: not consent */
    memcpy(buf, r, n);
    buf[1] = 0x11;
    g_assert_false(sc_stun_is_authentic_binding_success(buf, n, rfc5769_pwd));
    buf[1] = 0x01;
    buf[0] = 0x00;
    g_assert_false(sc_stun_is_authentic_binding_success(buf, n, rfc5769_pwd));
}

/* A Binding error response with @code, signed with @pwd (libnice's STUN
 * library, as a peer's libnice builds its 403 of RFC 7675 §5.2). */
static gsize
binding_error(guint8 *out, gsize size, int code, const char *pwd)
{
    StunAgent agent;
    StunMessage req, err;
    guint8 rbuf[256];

    stun_agent_init(&agent, STUN_ALL_KNOWN_ATTRIBUTES,
                    STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
                        STUN_AGENT_USAGE_USE_FINGERPRINT);
    g_assert_true(stun_agent_init_request(&agent, &req, rbuf, sizeof rbuf,
                                          STUN_BINDING));
    req.key = (uint8_t *)pwd;
    req.key_len = strlen(pwd);
    g_assert_true(stun_agent_init_error(&agent, &err, out, size, &req,
                                        (StunError)code));
    return stun_agent_finish_message(&agent, &err, (const uint8_t *)pwd,
                                     strlen(pwd));
}

static void
test_consent_revoked_response(void)
{
    guint8 buf[256];
    gsize n = binding_error(buf, sizeof buf, STUN_ERROR_FORBIDDEN,
                            rfc5769_pwd);

    g_assert_cmpuint(n, >, 20);
    g_assert_cmpint(sc_stun_consent_response(buf, n, rfc5769_pwd), ==,
                    SC_STUN_CONSENT_REVOKED);
    /* not consent either way */
    g_assert_false(sc_stun_is_authentic_binding_success(buf, n, rfc5769_pwd));
    /* unauthenticated (another password): ignored (RFC 7675 §5.2 asks
     * for an authenticated 403) */
    g_assert_cmpint(sc_stun_consent_response(buf, n, "wrong"), ==,
                    SC_STUN_CONSENT_NONE);
    /* another error code: not a revocation */
    n = binding_error(buf, sizeof buf, STUN_ERROR_ROLE_CONFLICT, rfc5769_pwd);
    g_assert_cmpint(sc_stun_consent_response(buf, n, rfc5769_pwd), ==,
                    SC_STUN_CONSENT_NONE);
    /* the RFC 5769 success response grants */
    g_assert_cmpint(sc_stun_consent_response(rfc5769_response,
                                             sizeof rfc5769_response,
                                             rfc5769_pwd),
                    ==, SC_STUN_CONSENT_GRANTED);
}

static GSocket *
udp_socket(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                              G_SOCKET_PROTOCOL_UDP, &error);

    g_assert_no_error(error);
    g_assert_true(g_socket_bind(s, any, FALSE, &error));
    g_assert_no_error(error);
    g_socket_set_blocking(s, FALSE);
    return s;
}

static void
send_to(GSocket *from, GSocket *to, const guint8 *buf, gsize len)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketAddress) dst = g_socket_get_local_address(to, &error);

    g_assert_cmpint(g_socket_send_to(from, dst, (const char *)buf, len, NULL,
                                     &error), ==, (gssize)len);
}

static gboolean
last_set(gpointer data)
{
    return *(gint64 *)data != 0;
}

static void
test_consent_watch_peeks(void)
{
    g_autoptr(GSocket) mine = udp_socket();
    g_autoptr(GSocket) peer = udp_socket();
    g_autoptr(GSocket) other = udp_socket();
    g_autoptr(GSocketAddress) peer_addr = g_socket_get_local_address(peer, NULL);
    struct sockaddr_storage ss;
    gint64 last = 0;
    ScConsentWatch *w;
    const guint8 junk[] = "not stun at all, a DTLS record perhaps";
    char rx[1500];

    g_assert_true(g_socket_address_to_native(peer_addr, &ss, sizeof ss, NULL));
    w = sc_consent_watch_new(NULL, "test", mine, (struct sockaddr *)&ss,
                             g_socket_address_get_native_size(peer_addr),
                             &last);
    g_assert_nonnull(w);
    sc_consent_watch_set_keys(w, "new-generation-password", rfc5769_pwd);
    /* from another address: not the peer's consent */
    send_to(other, mine, rfc5769_response, sizeof rfc5769_response);
    send_to(peer, mine, junk, sizeof junk);
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 2);
    g_assert_cmpint(last, ==, 0);
    /* the peer's response, found by the watch's source (the previous
     * generation's password signs it) */
    send_to(peer, mine, rfc5769_response, sizeof rfc5769_response);
    g_assert_true(sc_test_run_until(NULL, last_set, &last, 5000));
    /* nothing was taken from the socket: all three in order */
    g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL), ==,
                    sizeof rfc5769_response);
    g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL), ==,
                    sizeof junk);
    g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL), ==,
                    sizeof rfc5769_response);
    /* after reads, the next peek sees the next datagram: from the receive
     * path once libnice has read what the last peek saw (the source's
     * check() saw one) */
    last = 0;
    send_to(peer, mine, rfc5769_response, sizeof rfc5769_response);
    sc_consent_watch_on_read(w);
    g_assert_cmpint(last, !=, 0);
    /* without the right password: not consent */
    last = 0;
    sc_consent_watch_set_keys(w, "new-generation-password", NULL);
    g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL), ==,
                    sizeof rfc5769_response);
    send_to(peer, mine, rfc5769_response, sizeof rfc5769_response);
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 1);
    g_assert_cmpint(last, ==, 0);
    sc_consent_watch_free(w);
}


/* RFC 5769's response says the check came from 192.0.2.1:32853 */
static void
relayed_addr(struct sockaddr_storage *ss, guint16 port)
{
    struct sockaddr_in *in = (struct sockaddr_in *)ss;

    memset(ss, 0, sizeof *ss);
    in->sin_family = AF_INET;
    in->sin_port = g_htons(port);
    in->sin_addr.s_addr = g_htonl(0xc0000201);
}

/* ChannelData on channel 0x4001 around @len bytes, padded to 4 when
 * @pad; returns its length */
static gsize
channel_data(guint8 *out, const guint8 *buf, gsize len, gboolean pad)
{
    gsize n = 4 + len;

    out[0] = 0x40;
    out[1] = 0x01;
    out[2] = (guint8)(len >> 8);
    out[3] = (guint8)len;
    memcpy(out + 4, buf, len);
    while (pad && n % 4 != 0)
        out[n++] = 0;
    return n;
}

/* A Data indication (RFC 8656 §11.6) from @peer (IPv4) carrying @buf */
static gsize
data_indication(guint8 *out, const struct sockaddr_storage *peer,
                const guint8 *buf, gsize len)
{
    const struct sockaddr_in *in = (const void *)peer;
    guint32 a = g_ntohl(in->sin_addr.s_addr) ^ 0x2112a442;
    guint16 port = g_ntohs(in->sin_port) ^ 0x2112;
    gsize padded = (len + 3) & ~(gsize)3, body = 12 + 4 + padded;
    guint8 *p = out;

    memset(out, 0, 20 + body);
    p[0] = 0x00;
    p[1] = 0x17; /* indication, method Data */
    p[2] = (guint8)(body >> 8);
    p[3] = (guint8)body;
    p[4] = 0x21, p[5] = 0x12, p[6] = 0xa4, p[7] = 0x42;
    memset(p + 8, 0x5a, 12);
    p += 20;
    p[1] = 0x12, p[3] = 8; /* XOR-PEER-ADDRESS */
    p[5] = 0x01;
    p[6] = (guint8)(port >> 8), p[7] = (guint8)port;
    p[8] = (guint8)(a >> 24), p[9] = (guint8)(a >> 16);
    p[10] = (guint8)(a >> 8), p[11] = (guint8)a;
    p += 12;
    p[1] = 0x13; /* DATA */
    p[2] = (guint8)(len >> 8), p[3] = (guint8)len;
    memcpy(p + 4, buf, len);
    return 20 + body;
}

static void
test_consent_turn_unwrap(void)
{
    guint8 buf[256];
    const guint8 *inner = NULL;
    gsize n, inner_len = 0;
    struct sockaddr_storage peer, other;

    relayed_addr(&peer, 40000);
    relayed_addr(&other, 40001);
    n = channel_data(buf, rfc5769_response, sizeof rfc5769_response, FALSE);
    g_assert_true(sc_consent_turn_unwrap(buf, n, &peer, &inner, &inner_len));
    g_assert_true(inner == buf + 4);
    g_assert_cmpuint(inner_len, ==, sizeof rfc5769_response);
    /* a length past the datagram */
    g_assert_false(sc_consent_turn_unwrap(buf, n - 1, &peer, &inner,
                                          &inner_len));
    n = data_indication(buf, &peer, rfc5769_response,
                        sizeof rfc5769_response);
    g_assert_true(sc_consent_turn_unwrap(buf, n, &peer, &inner, &inner_len));
    g_assert_cmpmem(inner, inner_len, rfc5769_response,
                    sizeof rfc5769_response);
    /* relayed from another peer: not this pair's */
    g_assert_false(sc_consent_turn_unwrap(buf, n, &other, &inner,
                                          &inner_len));
    /* the bare response is not TURN */
    g_assert_false(sc_consent_turn_unwrap(rfc5769_response,
                                          sizeof rfc5769_response, &peer,
                                          &inner, &inner_len));
    /* stream framing: ChannelData padded to 4, STUN by its length */
    n = channel_data(buf, (const guint8 *)"12345", 5, TRUE);
    g_assert_cmpint(sc_consent_turn_frame_len(buf, n), ==, 12);
    g_assert_cmpint(sc_consent_turn_frame_len(rfc5769_response, 3), ==, 0);
    g_assert_cmpint(sc_consent_turn_frame_len(rfc5769_response,
                                              sizeof rfc5769_response),
                    ==, sizeof rfc5769_response);
    memcpy(buf, rfc5769_response, sizeof rfc5769_response);
    buf[5] ^= 1; /* no cookie: not at a frame */
    g_assert_cmpint(sc_consent_turn_frame_len(buf, sizeof rfc5769_response),
                    ==, -1);
    relayed_addr(&other, 32853);
    g_assert_true(sc_consent_stun_mapped_is(
        rfc5769_response, sizeof rfc5769_response, &other));
    g_assert_false(sc_consent_stun_mapped_is(
        rfc5769_response, sizeof rfc5769_response, &peer));
}

/* A watch on a relayed pair with @peer (port 40000) and our relayed
 * address 192.0.2.1:@relayed_port, keyed with RFC 5769's password */
static ScConsentWatch *
turn_watch(GSocket *sock, ScConsentPath path, guint16 relayed_port,
           gint64 *last)
{
    struct sockaddr_storage peer, relayed;
    ScConsentWatch *w;

    relayed_addr(&peer, 40000);
    relayed_addr(&relayed, relayed_port);
    w = sc_consent_watch_new_turn(NULL, "test", sock, path,
                                  (struct sockaddr *)&peer,
                                  sizeof(struct sockaddr_in),
                                  (struct sockaddr *)&relayed,
                                  sizeof(struct sockaddr_in), last);
    g_assert_nonnull(w);
    sc_consent_watch_set_keys(w, rfc5769_pwd, NULL);
    return w;
}

/* The response in a Data indication from @from, relayed by @server to
 * @mine: does @w time it? (The datagram is then read off.) */
static gboolean
timed_data_indication(ScConsentWatch *w, GSocket *server, GSocket *mine,
                      const struct sockaddr_storage *from, gint64 *last)
{
    guint8 buf[256];
    char rx[1500];
    gsize n = data_indication(buf, from, rfc5769_response,
                              sizeof rfc5769_response);

    *last = 0;
    send_to(server, mine, buf, n);
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 1);
    g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL), ==,
                    (gssize)n);
    return *last != 0;
}

/* The watch on a relayed pair over UDP: the response counts inside
 * ChannelData or a Data indication from the peer, when it answers a
 * check from our relayed address */
static void
test_consent_watch_turn_udp(void)
{
    g_autoptr(GSocket) mine = udp_socket();
    g_autoptr(GSocket) server = udp_socket();
    struct sockaddr_storage peer, elsewhere;
    guint8 buf[256];
    gsize n;
    gint64 last = 0;
    ScConsentWatch *w;
    char rx[1500];

    relayed_addr(&peer, 40000);
    relayed_addr(&elsewhere, 32854);
    /* the watch's relayed address is not the one the response names */
    w = turn_watch(mine, SC_CONSENT_PATH_TURN_UDP, 32854, &last);
    n = channel_data(buf, rfc5769_response, sizeof rfc5769_response, FALSE);
    send_to(server, mine, buf, n);
    /* and the bare response, not through TURN */
    send_to(server, mine, rfc5769_response, sizeof rfc5769_response);
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 2);
    g_assert_cmpint(last, ==, 0);
    sc_consent_watch_free(w);
    for (int i = 0; i < 2; i++)
        g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL),
                        >, 0);

    w = turn_watch(mine, SC_CONSENT_PATH_TURN_UDP, 32853, &last);
    send_to(server, mine, buf, n);
    g_assert_true(sc_test_run_until(NULL, last_set, &last, 5000));
    g_assert_cmpint(g_socket_receive(mine, rx, sizeof rx, NULL, NULL), ==,
                    (gssize)n);
    g_assert_true(timed_data_indication(w, server, mine, &peer, &last));
    /* from another peer */
    g_assert_false(timed_data_indication(w, server, mine, &elsewhere, &last));
    sc_consent_watch_free(w);
}

/* TURN over TCP: frames in a byte stream, read by "libnice" one at a
 * time; the same unread bytes are not timed again */
static void
test_consent_watch_turn_tcp(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocket) mine = NULL;
    struct sockaddr_storage peer;
    guint8 stream[1024], media[600];
    gsize n = 0, first;
    gint64 last = 0;
    ScConsentWatch *w;
    int sv[2];
    char rx[1500];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    mine = g_socket_new_from_fd(sv[0], &error);
    g_assert_no_error(error);
    relayed_addr(&peer, 40000);
    w = turn_watch(mine, SC_CONSENT_PATH_TURN_TCP, 32853, &last);
    /* a big media frame, then the response in ChannelData (odd length:
     * padded) */
    memset(media, 0x80, sizeof media);
    first = channel_data(stream, media, sizeof media - 1, TRUE);
    n = first + channel_data(stream + first, rfc5769_response,
                             sizeof rfc5769_response, TRUE);
    g_assert_cmpint(write(sv[1], stream, first), ==, (gssize)first);
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 1);
    g_assert_cmpint(last, ==, 0);
    g_assert_cmpint(write(sv[1], stream + first, n - first), ==,
                    (gssize)(n - first));
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 2);
    g_assert_cmpint(last, !=, 0);
    /* nobody read: the same bytes are not looked at again */
    last = 0;
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 0);
    g_assert_cmpint(last, ==, 0);
    /* libnice reads the first frame; the next peek starts at the
     * response */
    g_assert_cmpint(recv(sv[0], rx, first, 0), ==, (gssize)first);
    g_assert_cmpuint(sc_consent_watch_poll(w), ==, 1);
    g_assert_cmpint(last, !=, 0);
    g_assert_cmpint(recv(sv[0], rx, n - first, 0), ==, (gssize)(n - first));
    /* a Data indication in the stream */
    last = 0;
    n = data_indication(stream, &peer, rfc5769_response,
                        sizeof rfc5769_response);
    g_assert_cmpint(write(sv[1], stream, n), ==, (gssize)n);
    g_assert_true(sc_test_run_until(NULL, last_set, &last, 5000));
    sc_consent_watch_free(w);
    close(sv[1]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/transport/connect-and-send", test_connect_and_send);
    g_test_add_func("/ice/transport/burst-does-not-starve-timers",
                    test_burst_does_not_starve_timers);
    g_test_add_func("/ice/transport/generation-and-end-of-candidates",
                    test_generation_and_end_of_candidates);
    g_test_add_func("/ice/transport/max-pairs", test_max_pairs);
    g_test_add_func("/ice/transport/remote-candidate-cap",
                    test_remote_candidate_cap);
    g_test_add_func("/ice/consent/authentic-response",
                    test_consent_authentic_response);
    g_test_add_func("/ice/consent/revoked-response",
                    test_consent_revoked_response);
    g_test_add_func("/ice/consent/watch-peeks", test_consent_watch_peeks);
    g_test_add_func("/ice/consent/turn-unwrap", test_consent_turn_unwrap);
    g_test_add_func("/ice/consent/watch-turn-udp",
                    test_consent_watch_turn_udp);
    g_test_add_func("/ice/consent/watch-turn-tcp",
                    test_consent_watch_turn_tcp);
    return g_test_run();
}
