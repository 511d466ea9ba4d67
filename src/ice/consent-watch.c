/* src/ice/consent-watch.c - the time of the peer's last consent response
 * (RFC 7675 §5.1), seen on the selected pair's socket before libnice
 * consumes it: see consent-watch.h. STUN is parsed by libnice's STUN
 * library, the HMAC is OpenSSL's.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* recvmmsg */
#define SC_LOG_MODULE "ice"
#include "ice/consent-watch.h"

#include "ice/consent-turn.h"

#include <errno.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <stun/stunmessage.h>
#include <sys/socket.h>

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF 42
#endif

/* A consent response carries XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and
 * FINGERPRINT (under 100 bytes); longer datagrams are not looked at. */
#define PEEK_BYTES 256
/* Datagrams handed on by libnice, after a peek found nothing, before the
 * next peek from the receive path (see sc_consent_watch_on_read()). */
#define PEEK_BUDGET_IDLE 16
/* Wake-ups in a row that found nothing new: nobody reads the socket
 * (libnice dropped it); stop polling it rather than spin. */
#define IDLE_WAKEUPS_MAX 256
#define MI_LEN 20

typedef struct {
    GSource source;
    ScConsentWatch *w;
} WatchSource;

struct ScConsentWatch {
    char *log_id;
    GSocket *sock;
    int fd;
    GSource *source;
    /* g_source_add_poll(), not a unix fd: GLib makes a source with a
     * readable unix fd ready whatever check() says, and a ready source
     * of higher priority would keep libnice's from ever reading */
    GPollFD pfd;
    gboolean polling;
    ScConsentPath path;
    /* DIRECT: the remote candidate, the source of the responses; TURN:
     * the remote candidate, the peer the TURN server relays from */
    struct sockaddr_storage remote;
    gsize remote_len;
    struct sockaddr_storage mapped; /* TURN: our relayed address */
    guint8 stream_seen[64];         /* TURN_TCP: the last peek's start */
    gsize stream_seen_len;
    char *keys[2];
    gint64 *last_us;
    ScConsentWatchFunc notify;
    ScConsentWatchFunc revoked;
    gpointer notify_data;
    guint idle_wakeups;
    guint budget;          /* datagrams libnice may read before a peek */
};

/* The class of @buf if it is a Binding response (RFC 5389) whose
 * MESSAGE-INTEGRITY verifies with @pwd, a short-term credential: success,
 * or an error carrying 403 (RFC 7675 §5.2); SC_STUN_CONSENT_NONE for
 * anything else. */
static ScStunConsent
authentic_binding_response(const guint8 *buf, gsize len, const char *pwd)
{
    StunMessage msg = {0};
    const guint8 *mi;
    uint16_t mi_len = 0;
    guint8 head[PEEK_BYTES];
    guint8 mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    gsize before;
    StunClass cls;
    int code = 0;

    if (pwd == NULL || len < STUN_MESSAGE_HEADER_LENGTH || len > sizeof head ||
        stun_message_validate_buffer_length(buf, len, true) != (int)len)
        return SC_STUN_CONSENT_NONE;
    msg.buffer = (uint8_t *)buf;
    msg.buffer_len = len;
    cls = stun_message_get_class(&msg);
    if (!stun_message_has_cookie(&msg) ||
        (cls != STUN_RESPONSE && cls != STUN_ERROR) ||
        stun_message_get_method(&msg) != STUN_BINDING)
        return SC_STUN_CONSENT_NONE;
    if (cls == STUN_ERROR &&
        (stun_message_find_error(&msg, &code) != STUN_MESSAGE_RETURN_SUCCESS ||
         code != STUN_ERROR_FORBIDDEN))
        return SC_STUN_CONSENT_NONE;
    mi = stun_message_find(&msg, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, &mi_len);
    if (mi == NULL || mi_len != MI_LEN)
        return SC_STUN_CONSENT_NONE;
    /* RFC 5389 §15.4: the HMAC covers the message up to the attribute,
     * with a header length that counts the attribute itself */
    before = (gsize)(mi - buf) - 4;
    memcpy(head, buf, before);
    head[2] = (guint8)((before - STUN_MESSAGE_HEADER_LENGTH + 4 + MI_LEN) >> 8);
    head[3] = (guint8)(before - STUN_MESSAGE_HEADER_LENGTH + 4 + MI_LEN);
    if (HMAC(EVP_sha1(), pwd, (int)strlen(pwd), head, before, mac,
             &mac_len) == NULL ||
        mac_len != MI_LEN || CRYPTO_memcmp(mac, mi, MI_LEN) != 0)
        return SC_STUN_CONSENT_NONE;
    return cls == STUN_RESPONSE ? SC_STUN_CONSENT_GRANTED
                                : SC_STUN_CONSENT_REVOKED;
}

gboolean
sc_stun_is_authentic_binding_success(const guint8 *buf, gsize len,
                                     const char *pwd)
{
    return authentic_binding_response(buf, len, pwd) == SC_STUN_CONSENT_GRANTED;
}

ScStunConsent
sc_stun_consent_response(const guint8 *buf, gsize len, const char *pwd)
{
    return authentic_binding_response(buf, len, pwd);
}

static void
look_at(ScConsentWatch *w, const guint8 *buf, gsize len,
        const struct sockaddr *from, socklen_t from_len)
{
    if (w->path == SC_CONSENT_PATH_DIRECT) {
        if (!sc_consent_same_address(&w->remote, from, from_len))
            return;
    } else if (!sc_consent_turn_unwrap(buf, len, &w->remote, &buf, &len)) {
        return; /* not what the peer sent through the TURN server */
    }
    /* only STUN (RFC 7983: first byte 0-3) */
    if (len < STUN_MESSAGE_HEADER_LENGTH || buf[0] > 3)
        return;
    for (guint i = 0; i < G_N_ELEMENTS(w->keys); i++) {
        switch (authentic_binding_response(buf, len, w->keys[i])) {
        case SC_STUN_CONSENT_GRANTED:
            /* relayed: an answer to a check from our relayed address
             * (not to one on another pair through the same socket) */
            if (w->path != SC_CONSENT_PATH_DIRECT &&
                !sc_consent_stun_mapped_is(buf, len, &w->mapped))
                return;
            *w->last_us = sc_clock_now_us();
            if (w->notify != NULL)
                w->notify(w->notify_data);
            return;
        case SC_STUN_CONSENT_REVOKED:
            if (w->revoked != NULL)
                w->revoked(w->notify_data);
            return;
        case SC_STUN_CONSENT_NONE:
            break;
        }
    }
}

/* TURN over TCP: a plain peek (no SO_PEEK_OFF) from libnice's read
 * position, which is at a frame boundary between libnice's reads (it
 * reads a frame's header, then exactly its body: udp-turn-over-tcp.c),
 * walked frame by frame. A response seen twice is timed twice, a few
 * milliseconds apart at most (libnice reads it in the same dispatch). */
static guint
poll_stream(ScConsentWatch *w)
{
    guint8 buf[SC_CONSENT_WATCH_STREAM_PEEK];
    gssize n = recv(w->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    gsize off = 0;
    guint frames = 0;

    if (n <= 0)
        return 0;
    /* the same bytes as last time: nobody reads the socket (or a partial
     * frame waits for the rest), nothing new to time */
    if ((gsize)n == w->stream_seen_len &&
        memcmp(buf, w->stream_seen, MIN((gsize)n, sizeof w->stream_seen)) == 0)
        return 0;
    w->stream_seen_len = (gsize)n;
    memcpy(w->stream_seen, buf, MIN((gsize)n, sizeof w->stream_seen));
    while (off < (gsize)n) {
        gssize f = sc_consent_turn_frame_len(buf + off, (gsize)n - off);

        if (f <= 0 || (gsize)f > (gsize)n - off)
            break; /* cut short by the peek, or not at a frame */
        if (f <= PEEK_BYTES)
            look_at(w, buf + off, (gsize)f, NULL, 0);
        off += (gsize)f;
        frames++;
    }
    w->idle_wakeups = 0;
    return frames;
}

guint
sc_consent_watch_poll(ScConsentWatch *w)
{
    /* one recvmmsg() batch, on the stack (~7 KiB) */
    struct mmsghdr msgs[SC_CONSENT_WATCH_PEEK_BATCH];
    struct iovec iovs[SC_CONSENT_WATCH_PEEK_BATCH];
    struct sockaddr_storage from[SC_CONSENT_WATCH_PEEK_BATCH];
    guint8 bufs[SC_CONSENT_WATCH_PEEK_BATCH][PEEK_BYTES];
    int n;

    if (w == NULL)
        return 0;
    if (w->path == SC_CONSENT_PATH_TURN_TCP)
        return poll_stream(w);
    memset(msgs, 0, sizeof msgs);
    for (guint i = 0; i < SC_CONSENT_WATCH_PEEK_BATCH; i++) {
        iovs[i].iov_base = bufs[i];
        iovs[i].iov_len = PEEK_BYTES;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    /* MSG_TRUNC: each datagram's length, and the peek offset moves past
     * the whole datagram however much of it was copied */
    n = recvmmsg(w->fd, msgs, SC_CONSENT_WATCH_PEEK_BATCH,
                 MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC, NULL);
    if (n <= 0)
        return 0;
    for (int i = 0; i < n; i++)
        if (msgs[i].msg_len <= PEEK_BYTES)
            look_at(w, bufs[i], msgs[i].msg_len, (struct sockaddr *)&from[i],
                    msgs[i].msg_hdr.msg_namelen);
    w->idle_wakeups = 0;
    return (guint)n;
}

/* libnice reads until the socket is empty: what arrives meanwhile is read
 * without a new poll, so once libnice has read what the last peek saw,
 * peek again; after a peek that found nothing, only every
 * PEEK_BUDGET_IDLE datagrams (a syscall per datagram would cost more
 * than the age is worth). */
void
sc_consent_watch_on_read(ScConsentWatch *w)
{
    guint n;

    if (w == NULL)
        return;
    if (!w->polling) {
        g_source_add_poll(w->source, &w->pfd);
        w->polling = TRUE;
    }
    if (w->budget > 0 && --w->budget > 0)
        return;
    n = sc_consent_watch_poll(w);
    w->budget = n > 0 ? n : PEEK_BUDGET_IDLE;
}

static gboolean
watch_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return FALSE;
}

/* After the poll, before any dispatch: libnice's socket source has not
 * read yet. Never dispatched. */
static gboolean
watch_check(GSource *source)
{
    ScConsentWatch *w = ((WatchSource *)source)->w;

    if (!w->polling || (w->pfd.revents & G_IO_IN) == 0)
        return FALSE;
    w->idle_wakeups++;
    /* what libnice will read in this dispatch */
    w->budget = sc_consent_watch_poll(w);
    if (w->idle_wakeups > IDLE_WAKEUPS_MAX) {
        SC_LOG_DEBUG(w->log_id, "nobody reads the socket: consent watch off");
        g_source_remove_poll(source, &w->pfd);
        w->polling = FALSE;
    }
    return FALSE;
}

static gboolean
watch_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_funcs = {
    .prepare = watch_prepare,
    .check = watch_check,
    .dispatch = watch_dispatch,
};

static ScConsentWatch *
watch_new(GMainContext *ctx, const char *log_id, GSocket *sock,
          ScConsentPath path, const struct sockaddr *remote, gsize remote_len,
          gint64 *last_us)
{
    ScConsentWatch *w;
    int off = 0;
    int fd = g_socket_get_fd(sock);
    GSocketType want = path == SC_CONSENT_PATH_TURN_TCP
                           ? G_SOCKET_TYPE_STREAM
                           : G_SOCKET_TYPE_DATAGRAM;

    if (remote_len > sizeof w->remote ||
        g_socket_get_socket_type(sock) != want)
        return NULL;
    if (want == G_SOCKET_TYPE_DATAGRAM &&
        setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof off) != 0) {
        SC_LOG_INFO(log_id, "cannot watch consent responses (SO_PEEK_OFF: "
                            "%s): their age is unknown",
                    g_strerror(errno));
        return NULL;
    }
    w = g_new0(ScConsentWatch, 1);
    w->log_id = g_strdup(log_id);
    w->sock = g_object_ref(sock);
    w->fd = fd;
    w->path = path;
    memcpy(&w->remote, remote, remote_len);
    w->remote_len = remote_len;
    w->last_us = last_us;
    w->source = g_source_new(&watch_funcs, sizeof(WatchSource));
    ((WatchSource *)w->source)->w = w;
    /* checked before libnice's socket sources (G_PRIORITY_DEFAULT) can
     * be dispatched */
    g_source_set_priority(w->source, G_PRIORITY_HIGH);
    g_source_set_name(w->source, "sc-ice-consent-watch");
    w->pfd.fd = fd;
    w->pfd.events = G_IO_IN;
    g_source_add_poll(w->source, &w->pfd);
    w->polling = TRUE;
    g_source_attach(w->source, ctx);
    return w;
}

ScConsentWatch *
sc_consent_watch_new(GMainContext *ctx, const char *log_id, GSocket *sock,
                     const struct sockaddr *remote, gsize remote_len,
                     gint64 *last_us)
{
    return watch_new(ctx, log_id, sock, SC_CONSENT_PATH_DIRECT, remote,
                     remote_len, last_us);
}

ScConsentWatch *
sc_consent_watch_new_turn(GMainContext *ctx, const char *log_id,
                          GSocket *sock, ScConsentPath path,
                          const struct sockaddr *peer, gsize peer_len,
                          const struct sockaddr *relayed, gsize relayed_len,
                          gint64 *last_us)
{
    ScConsentWatch *w;

    if (path == SC_CONSENT_PATH_DIRECT ||
        relayed_len > sizeof w->mapped)
        return NULL;
    w = watch_new(ctx, log_id, sock, path, peer, peer_len, last_us);
    if (w != NULL)
        memcpy(&w->mapped, relayed, relayed_len);
    return w;
}

static void
wipe_key(char **key)
{
    if (*key != NULL)
        sc_secure_wipe(*key, strlen(*key));
    g_clear_pointer(key, g_free);
}

void
sc_consent_watch_set_keys(ScConsentWatch *w, const char *pwd,
                          const char *previous_pwd)
{
    if (w == NULL)
        return;
    wipe_key(&w->keys[0]);
    wipe_key(&w->keys[1]);
    w->keys[0] = g_strdup(pwd);
    w->keys[1] = g_strdup(previous_pwd);
}

void
sc_consent_watch_set_notify(ScConsentWatch *w, ScConsentWatchFunc fn,
                            ScConsentWatchFunc revoked, gpointer data)
{
    if (w == NULL)
        return;
    w->notify = fn;
    w->revoked = revoked;
    w->notify_data = data;
}

void
sc_consent_watch_free(ScConsentWatch *w)
{
    int off = -1;

    if (w == NULL)
        return;
    g_source_destroy(w->source);
    g_source_unref(w->source);
    /* back to plain peeks for whoever else uses the socket */
    if (w->path != SC_CONSENT_PATH_TURN_TCP)
        (void)setsockopt(w->fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof off);
    g_object_unref(w->sock);
    wipe_key(&w->keys[0]);
    wipe_key(&w->keys[1]);
    g_free(w->log_id);
    g_free(w);
}
