/* src/ice/consent-turn.c - consent responses inside TURN: see
 * consent-turn.h. STUN is parsed by libnice's STUN library.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/consent-turn.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <stun/stunmessage.h>
#include <unistd.h>

#define CHANNEL_MIN 0x40 /* first byte of a ChannelData message */
#define CHANNEL_MAX 0x4f /* RFC 8656 §12: channels 0x4000-0x4FFF */
#define CHANNEL_HEADER 4

gboolean
sc_consent_same_address(const struct sockaddr_storage *a,
                        const struct sockaddr *b, socklen_t b_len)
{
    if (a->ss_family != b->sa_family)
        return FALSE;
    if (b->sa_family == AF_INET && b_len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port &&
               x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (b->sa_family == AF_INET6 && b_len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return FALSE;
}

static gboolean
same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return FALSE;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return FALSE;
}

/* A whole, well-formed STUN message with the RFC 5389 cookie */
static gboolean
stun_init(StunMessage *msg, const guint8 *buf, gsize len)
{
    if (len < STUN_MESSAGE_HEADER_LENGTH || len > G_MAXINT ||
        stun_message_validate_buffer_length(buf, len, true) != (int)len)
        return FALSE;
    memset(msg, 0, sizeof *msg);
    msg->buffer = (uint8_t *)buf;
    msg->buffer_len = len;
    return stun_message_has_cookie(msg);
}

gboolean
sc_consent_turn_unwrap(const guint8 *buf, gsize len,
                       const struct sockaddr_storage *peer,
                       const guint8 **inner, gsize *inner_len)
{
    StunMessage msg;
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    const void *data;
    uint16_t data_len = 0;

    if (len >= CHANNEL_HEADER && buf[0] >= CHANNEL_MIN &&
        buf[0] <= CHANNEL_MAX) {
        gsize n = ((gsize)buf[2] << 8) | buf[3];

        /* over UDP the padding is optional (RFC 8656 §12.5) */
        if (n > len - CHANNEL_HEADER)
            return FALSE;
        *inner = buf + CHANNEL_HEADER;
        *inner_len = n;
        return TRUE;
    }
    if (!stun_init(&msg, buf, len) ||
        stun_message_get_class(&msg) != STUN_INDICATION ||
        stun_message_get_method(&msg) != STUN_IND_DATA ||
        stun_message_find_xor_addr(&msg, STUN_ATTRIBUTE_XOR_PEER_ADDRESS,
                                   &from, &from_len) != STUN_MESSAGE_RETURN_SUCCESS ||
        !sc_consent_same_address(peer, (struct sockaddr *)&from, from_len))
        return FALSE;
    data = stun_message_find(&msg, STUN_ATTRIBUTE_DATA, &data_len);
    if (data == NULL)
        return FALSE;
    *inner = data;
    *inner_len = data_len;
    return TRUE;
}

gssize
sc_consent_turn_frame_len(const guint8 *buf, gsize len)
{
    gsize n;

    if (len < 4)
        return 0;
    n = ((gsize)buf[2] << 8) | buf[3];
    if (buf[0] >= CHANNEL_MIN && buf[0] <= CHANNEL_MAX)
        return (gssize)((CHANNEL_HEADER + n + 3) & ~(gsize)3);
    /* STUN: first two bits 0, a length in words, the cookie */
    if (buf[0] > 0x3f || (n & 3) != 0)
        return -1;
    if (len >= 8 && (buf[4] != 0x21 || buf[5] != 0x12 || buf[6] != 0xa4 ||
                     buf[7] != 0x42))
        return -1;
    return (gssize)(STUN_MESSAGE_HEADER_LENGTH + n);
}

gboolean
sc_consent_stun_mapped_is(const guint8 *buf, gsize len,
                          const struct sockaddr_storage *addr)
{
    StunMessage msg;
    struct sockaddr_storage mapped;
    socklen_t mapped_len = sizeof mapped;

    return stun_init(&msg, buf, len) &&
           stun_message_find_xor_addr(&msg, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                      &mapped, &mapped_len) ==
               STUN_MESSAGE_RETURN_SUCCESS &&
           sc_consent_same_address(addr, (struct sockaddr *)&mapped,
                                   mapped_len);
}

static int
sock_type(int fd)
{
    int type = -1;
    socklen_t len = sizeof type;

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
        return -1;
    return type;
}

/* Does @fd fit: bound to @base (UDP), or connected to one of the
 * servers (TCP; *@local_ip_fits if from @base's address: libnice binds
 * no address, so the kernel's choice may differ from it)? */
static gboolean
fits(int fd, const struct sockaddr_storage *base,
     const struct sockaddr_storage *tcp_servers, guint n_tcp,
     ScConsentPath *path, gboolean *local_ip_fits)
{
    struct sockaddr_storage local, peer;
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    int type = sock_type(fd);

    if ((type != SOCK_DGRAM && type != SOCK_STREAM) ||
        getsockname(fd, (struct sockaddr *)&local, &local_len) != 0)
        return FALSE;
    if (type == SOCK_DGRAM) {
        *path = SC_CONSENT_PATH_TURN_UDP;
        return sc_consent_same_address(base, (struct sockaddr *)&local,
                                       local_len);
    }
    if (getpeername(fd, (struct sockaddr *)&peer, &peer_len) != 0)
        return FALSE;
    for (guint i = 0; i < n_tcp; i++) {
        if (sc_consent_same_address(&tcp_servers[i], (struct sockaddr *)&peer,
                                    peer_len)) {
            *path = SC_CONSENT_PATH_TURN_TCP;
            *local_ip_fits = same_ip(base, &local);
            return TRUE;
        }
    }
    return FALSE;
}

GSocket *
sc_consent_turn_find_socket(const struct sockaddr_storage *base,
                            const struct sockaddr_storage *tcp_servers,
                            guint n_tcp, ScConsentPath *path)
{
    g_autoptr(GError) error = NULL;
    DIR *dir;
    struct dirent *e;
    int udp = -1, tcp = -1, tcp_ip = -1, dup_fd;
    guint n_tcp_found = 0, n_tcp_ip = 0;
    GSocket *sock;

    /* our own descriptors: libnice's sockets are among them */
    dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return NULL;
    while ((e = readdir(dir)) != NULL && udp < 0) {
        ScConsentPath p;
        gboolean ip_fits = FALSE;
        char *end;
        long fd = strtol(e->d_name, &end, 10);

        if (*end != '\0' || end == e->d_name || fd < 0 || fd > G_MAXINT ||
            fd == dirfd(dir) || !fits((int)fd, base, tcp_servers, n_tcp, &p, &ip_fits))
            continue;
        if (p == SC_CONSENT_PATH_TURN_UDP) {
            udp = (int)fd; /* one socket is bound to an address */
        } else {
            tcp = (int)fd;
            n_tcp_found++;
            if (ip_fits) {
                tcp_ip = (int)fd;
                n_tcp_ip++;
            }
        }
    }
    closedir(dir);
    if (udp >= 0) {
        *path = SC_CONSENT_PATH_TURN_UDP;
    } else if (n_tcp_found == 1 || n_tcp_ip == 1) {
        *path = SC_CONSENT_PATH_TURN_TCP;
        udp = n_tcp_found == 1 ? tcp : tcp_ip;
    } else {
        return NULL;
    }
    dup_fd = fcntl(udp, F_DUPFD_CLOEXEC, 3);
    if (dup_fd < 0)
        return NULL;
    sock = g_socket_new_from_fd(dup_fd, &error);
    if (sock == NULL) {
        close(dup_fd);
        return NULL;
    }
    return sock;
}
