/* src/ice/ip-handling.c - RFC 8828 §5.2 Modes 2 and 3: the local
 * addresses of the default route. The route is the kernel's: a UDP socket
 * connect()ed to a public address gets the local address the kernel would
 * send from, and nothing is sent (RFC 8828 §6.2). The destinations are
 * the ones libwebrtc uses for the same purpose (Google's public DNS
 * servers); only the routing table is consulted.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice.h"

#include <gio/gio.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

/* The local address the kernel picks to reach @dest, or NULL (no route
 * for that family). */
static GInetAddress *
route_source(const char *dest)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(dest);
    g_autoptr(GSocketAddress) to = g_inet_socket_address_new(addr, 9);
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GSocketAddress) local = NULL;

    sock = g_socket_new(g_inet_address_get_family(addr),
                        G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    if (sock == NULL || !g_socket_connect(sock, to, NULL, NULL))
        return NULL;
    local = g_socket_get_local_address(sock, NULL);
    if (local == NULL)
        return NULL;
    return g_object_ref(
        g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(local)));
}

static gboolean
usable(GInetAddress *a)
{
    /* IPv6 link-local addresses are not gathered (libnice does not
     * either): they need a scope and reach only the link */
    return !g_inet_address_get_is_link_local(a) &&
           !g_inet_address_get_is_any(a) && !g_inet_address_get_is_multicast(a);
}

static void
add_unique(GPtrArray *out, GInetAddress *a)
{
    g_autofree char *s = g_inet_address_to_string(a);

    for (guint i = 0; i < out->len; i++)
        if (g_str_equal(out->pdata[i], s))
            return;
    g_ptr_array_add(out, g_steal_pointer(&s));
}

/* Every usable address of @family on the interface that holds @source. */
static void
add_interface_addresses(GPtrArray *out, GInetAddress *source,
                        GSocketFamily family)
{
    struct ifaddrs *ifs = NULL;
    const char *ifname = NULL;

    if (getifaddrs(&ifs) != 0) {
        add_unique(out, source);
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
            g_autoptr(GSocketAddress) sa = NULL;
            GInetAddress *a;

            if (i->ifa_addr == NULL ||
                (i->ifa_addr->sa_family != AF_INET &&
                 i->ifa_addr->sa_family != AF_INET6) ||
                (GSocketFamily)i->ifa_addr->sa_family != family)
                continue;
            sa = g_socket_address_new_from_native(
                i->ifa_addr, family == G_SOCKET_FAMILY_IPV4
                                 ? sizeof(struct sockaddr_in)
                                 : sizeof(struct sockaddr_in6));
            if (sa == NULL)
                continue;
            a = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa));
            if (pass == 0 && g_inet_address_equal(a, source)) {
                ifname = i->ifa_name; /* the default route's interface */
                break;
            }
            if (pass == 1 && strcmp(i->ifa_name, ifname) == 0 && usable(a))
                add_unique(out, a);
        }
        if (ifname == NULL)
            break;
    }
    if (ifname == NULL)
        add_unique(out, source);
    freeifaddrs(ifs);
}

char **
sc_ice_default_route_addresses(gboolean whole_interface, GError **error)
{
    static const char *const dests[] = {"8.8.8.8", "2001:4860:4860::8888"};
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < G_N_ELEMENTS(dests); i++) {
        g_autoptr(GInetAddress) src = route_source(dests[i]);

        if (src == NULL || !usable(src))
            continue;
        if (whole_interface)
            add_interface_addresses(out, src,
                                    g_inet_address_get_family(src));
        else
            add_unique(out, src);
    }
    if (out->len == 0) {
        g_ptr_array_unref(out);
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "no default route: the default-route IP handling "
                    "modes (RFC 8828 modes 2 and 3) need one");
        return NULL;
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}
