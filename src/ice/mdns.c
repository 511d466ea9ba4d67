/* src/ice/mdns.c - mDNS ICE candidates (draft-ietf-mmusic-mdns-ice-
 * candidates) through the Avahi daemon and its client library (D-Bus),
 * integrated with the GLib main loop by libavahi-glib: our names are
 * "<uuid4>.local" address records in one Avahi entry group each (no
 * probing, no reverse PTR record), withdrawn when the transport goes; the
 * peer's names are looked up with Avahi host-name resolvers, at most
 * SC_ICE_MDNS_MAX_NAMES of them per transport, each bounded by
 * SC_ICE_MDNS_TIMEOUT_MS, and only names of the UUID form. Avahi talks
 * mDNS (RFC 6762) on the network; nothing here parses a DNS packet.
 * The client library's calls to the daemon are synchronous D-Bus round
 * trips on the local bus (sub-millisecond with a running daemon).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/mdns.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/error.h>
#include <avahi-glib/glib-watch.h>
#include <gio/gio.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <net/if.h>
#include <string.h>

gboolean
sc_ice_mdns_name_is_valid(const char *name)
{
    /* 8-4-4-4-12 */
    static const guint dash_at[] = {8, 13, 18, 23};
    guint d = 0;

    if (name == NULL || strlen(name) != 36 + 6)
        return FALSE;
    if (g_ascii_strcasecmp(name + 36, ".local") != 0)
        return FALSE;
    for (guint i = 0; i < 36; i++) {
        if (d < G_N_ELEMENTS(dash_at) && i == dash_at[d]) {
            if (name[i] != '-')
                return FALSE;
            d++;
        } else if (!g_ascii_isxdigit(name[i])) {
            return FALSE;
        }
    }
    return TRUE;
}

typedef struct {
    ScIceMdns *m;
    char *name;       /* as looked up (lower case) */
    char *address;    /* the answer, once resolved */
    gboolean done;
    AvahiHostNameResolver *resolver;
    GSource *timer;   /* the deadline, or an idle reporting a failure */
} Lookup;

typedef struct {
    char *name;
    AvahiEntryGroup *group;
} LocalName;

struct ScIceMdns {
    GMainContext *ctx;
    char *log_id;
    ScIceMdnsResolvedFunc resolved;
    gpointer user_data;
    AvahiGLibPoll *poll;
    AvahiClient *client;
    gboolean unavailable;   /* no daemon, or it went away */
    GHashTable *lookups;    /* name -> Lookup */
    GHashTable *local;      /* address (text) -> LocalName */
    guint n_pending;
    gboolean over_logged;
};

static void
lookup_stop(Lookup *l)
{
    g_clear_pointer(&l->resolver, avahi_host_name_resolver_free);
    sc_source_clear(&l->timer);
}

static void
lookup_free(gpointer data)
{
    Lookup *l = data;

    lookup_stop(l);
    g_free(l->name);
    g_free(l->address);
    g_free(l);
}

static void
local_name_free(gpointer data)
{
    LocalName *n = data;

    /* freeing the group withdraws its records: Avahi sends goodbyes */
    g_clear_pointer(&n->group, avahi_entry_group_free);
    g_free(n->name);
    g_free(n);
}

/* Ends @l's lookup and tells the user (from the main context). */
static void
lookup_finish(Lookup *l, const char *address)
{
    ScIceMdns *m = l->m;

    if (l->done)
        return;
    lookup_stop(l);
    l->done = TRUE;
    l->address = g_strdup(address);
    m->n_pending--;
    if (address != NULL)
        SC_LOG_INFO(m->log_id, "mDNS: %s is %s", l->name, address);
    else
        SC_LOG_INFO(m->log_id, "mDNS: %s did not resolve", l->name);
    if (m->resolved != NULL)
        m->resolved(m->user_data, l->name, address);
}

static gboolean
on_lookup_timer(gpointer data)
{
    Lookup *l = data;

    g_clear_pointer(&l->timer, g_source_unref);
    lookup_finish(l, NULL);
    return G_SOURCE_REMOVE;
}

/* Makes @l fail from an idle (never inside the caller's call). */
static void
lookup_fail_later(Lookup *l)
{
    sc_source_clear(&l->timer);
    l->timer = g_idle_source_new();
    g_source_set_callback(l->timer, on_lookup_timer, l, NULL);
    g_source_attach(l->timer, l->m->ctx);
}

static void
on_client_state(AvahiClient *client, AvahiClientState state, void *data)
{
    ScIceMdns *m = data;
    GHashTableIter it;
    gpointer value;

    if (state != AVAHI_CLIENT_FAILURE)
        return;
    SC_LOG_WARN(m->log_id, "mDNS: lost the Avahi daemon: %s",
                avahi_strerror(avahi_client_errno(client)));
    m->unavailable = TRUE;
    g_hash_table_iter_init(&it, m->lookups);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Lookup *l = value;
        if (!l->done) {
            g_clear_pointer(&l->resolver, avahi_host_name_resolver_free);
            lookup_fail_later(l);
        }
    }
}

/* The Avahi client, connected on first use; NULL when there is no daemon
 * (logged once). */
static AvahiClient *
get_client(ScIceMdns *m)
{
    int err = 0;

    if (m->client != NULL || m->unavailable)
        return m->unavailable ? NULL : m->client;
    m->poll = avahi_glib_poll_new(m->ctx, G_PRIORITY_DEFAULT);
    m->client = avahi_client_new(avahi_glib_poll_get(m->poll), 0,
                                 on_client_state, m, &err);
    if (m->client == NULL) {
        SC_LOG_WARN(m->log_id, "mDNS: no Avahi daemon (%s): our names are "
                               "not published and the peer's are not "
                               "resolved",
                    avahi_strerror(err));
        m->unavailable = TRUE;
    }
    return m->unavailable ? NULL : m->client;
}

ScIceMdns *
sc_ice_mdns_new(GMainContext *ctx, const char *log_id,
                ScIceMdnsResolvedFunc resolved, gpointer user_data)
{
    ScIceMdns *m = g_new0(ScIceMdns, 1);

    m->ctx = g_main_context_ref(ctx);
    m->log_id = g_strdup(log_id);
    m->resolved = resolved;
    m->user_data = user_data;
    m->lookups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       lookup_free);
    m->local = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     local_name_free);
    return m;
}

void
sc_ice_mdns_free(ScIceMdns *m)
{
    if (m == NULL)
        return;
    /* resolvers and entry groups before their client */
    g_hash_table_unref(m->lookups);
    g_hash_table_unref(m->local);
    if (m->client != NULL)
        avahi_client_free(m->client);
    if (m->poll != NULL)
        avahi_glib_poll_free(m->poll);
    g_main_context_unref(m->ctx);
    g_free(m->log_id);
    g_free(m);
}

/* A fresh version 4 UUID (RFC 4122 §4.4) from OpenSSL's RNG, + ".local" */
static char *
new_uuid_name(void)
{
    guint8 u[16];

    sc_random_bytes(u, sizeof u);
    u[6] = (guint8)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (guint8)((u[8] & 0x3f) | 0x80); /* variant 10 */
    return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                           "%02x%02x%02x%02x%02x%02x.local",
                           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
                           u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                           u[15]);
}

/* The index of the interface that holds @address, or AVAHI_IF_UNSPEC:
 * the name is published where the address lives, not on every network. */
static AvahiIfIndex
interface_of(const char *address)
{
    g_autoptr(GInetAddress) want = g_inet_address_new_from_string(address);
    struct ifaddrs *ifs = NULL;
    AvahiIfIndex index = AVAHI_IF_UNSPEC;

    if (want == NULL || getifaddrs(&ifs) != 0)
        return AVAHI_IF_UNSPEC;
    for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        g_autoptr(GSocketAddress) sa = NULL;

        if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
                                    i->ifa_addr->sa_family != AF_INET6))
            continue;
        sa = g_socket_address_new_from_native(
            i->ifa_addr, i->ifa_addr->sa_family == AF_INET
                             ? sizeof(struct sockaddr_in)
                             : sizeof(struct sockaddr_in6));
        if (sa != NULL &&
            g_inet_address_equal(g_inet_socket_address_get_address(
                                     G_INET_SOCKET_ADDRESS(sa)),
                                 want)) {
            unsigned idx = if_nametoindex(i->ifa_name);
            if (idx != 0)
                index = (AvahiIfIndex)idx;
            break;
        }
    }
    freeifaddrs(ifs);
    return index;
}

static void
on_group_state(AvahiEntryGroup *g, AvahiEntryGroupState state, void *data)
{
    ScIceMdns *m = data;

    if (state == AVAHI_ENTRY_GROUP_COLLISION ||
        state == AVAHI_ENTRY_GROUP_FAILURE)
        SC_LOG_WARN(m->log_id, "mDNS: a name of ours could not be "
                               "published: %s",
                    avahi_strerror(avahi_client_errno(
                        avahi_entry_group_get_client(g))));
}

static AvahiEntryGroup *
publish(ScIceMdns *m, const char *name, const char *address)
{
    AvahiClient *client = get_client(m);
    AvahiEntryGroup *g;
    AvahiAddress aa;
    int err;

    if (client == NULL)
        return NULL;
    if (avahi_address_parse(address, AVAHI_PROTO_UNSPEC, &aa) == NULL)
        return NULL;
    g = avahi_entry_group_new(client, on_group_state, m);
    if (g == NULL) {
        SC_LOG_WARN(m->log_id, "mDNS: cannot publish %s: %s", name,
                    avahi_strerror(avahi_client_errno(client)));
        return NULL;
    }
    /* the name is random (draft §3.1.1 step 4: no probing), and no PTR
     * record maps the address back to it */
    err = avahi_entry_group_add_address(
        g, interface_of(address), AVAHI_PROTO_UNSPEC,
        AVAHI_PUBLISH_NO_REVERSE | AVAHI_PUBLISH_NO_PROBE, name, &aa);
    if (err == 0)
        err = avahi_entry_group_commit(g);
    if (err != 0) {
        SC_LOG_WARN(m->log_id, "mDNS: cannot publish %s: %s", name,
                    avahi_strerror(err));
        avahi_entry_group_free(g);
        return NULL;
    }
    SC_LOG_DEBUG(m->log_id, "mDNS: published %s", name);
    return g;
}

const char *
sc_ice_mdns_local_name(ScIceMdns *m, const char *address)
{
    LocalName *n = g_hash_table_lookup(m->local, address);

    if (n != NULL)
        return n->name;
    if (g_hash_table_size(m->local) >= SC_ICE_MDNS_MAX_LOCAL)
        return NULL;
    n = g_new0(LocalName, 1);
    n->name = new_uuid_name();
    /* signalled whether or not it could be published (draft §3.1.1) */
    n->group = publish(m, n->name, address);
    g_hash_table_insert(m->local, g_strdup(address), n);
    return n->name;
}

static void
on_resolver(AvahiHostNameResolver *r, AvahiIfIndex interface,
            AvahiProtocol protocol, AvahiResolverEvent event,
            const char *name, const AvahiAddress *a,
            AvahiLookupResultFlags flags, void *data)
{
    Lookup *l = data;
    char text[AVAHI_ADDRESS_STR_MAX];

    if (l->done)
        return;
    if (event == AVAHI_RESOLVER_FOUND && a != NULL &&
        avahi_address_snprint(text, sizeof text, a) != NULL) {
        lookup_finish(l, text);
        return;
    }
    lookup_finish(l, NULL);
}

ScIceMdnsLookup
sc_ice_mdns_resolve(ScIceMdns *m, const char *name, const char **address)
{
    g_autofree char *key = NULL;
    AvahiClient *client;
    Lookup *l;

    *address = NULL;
    if (!sc_ice_mdns_name_is_valid(name))
        return SC_ICE_MDNS_FAILED;
    key = g_ascii_strdown(name, -1);
    l = g_hash_table_lookup(m->lookups, key);
    if (l != NULL) {
        if (!l->done)
            return SC_ICE_MDNS_PENDING;
        *address = l->address;
        return l->address != NULL ? SC_ICE_MDNS_RESOLVED : SC_ICE_MDNS_FAILED;
    }
    if (g_hash_table_size(m->lookups) >= SC_ICE_MDNS_MAX_NAMES) {
        if (!m->over_logged)
            SC_LOG_WARN(m->log_id, "mDNS: the peer sent more than %u "
                                   "names: no more are looked up",
                        SC_ICE_MDNS_MAX_NAMES);
        m->over_logged = TRUE;
        return SC_ICE_MDNS_FAILED;
    }
    client = get_client(m);
    l = g_new0(Lookup, 1);
    l->m = m;
    l->name = g_steal_pointer(&key);
    g_hash_table_insert(m->lookups, l->name, l);
    if (client == NULL) {
        l->done = TRUE; /* remembered as failed: no second attempt */
        return SC_ICE_MDNS_FAILED;
    }
    /* A or AAAA, whichever answers first; Avahi reports one address */
    l->resolver = avahi_host_name_resolver_new(
        client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, l->name,
        AVAHI_PROTO_UNSPEC, 0, on_resolver, l);
    if (l->resolver == NULL) {
        SC_LOG_WARN(m->log_id, "mDNS: cannot look up %s: %s", l->name,
                    avahi_strerror(avahi_client_errno(client)));
        l->done = TRUE;
        return SC_ICE_MDNS_FAILED;
    }
    m->n_pending++;
    l->timer = g_timeout_source_new(SC_ICE_MDNS_TIMEOUT_MS);
    g_source_set_callback(l->timer, on_lookup_timer, l, NULL);
    g_source_attach(l->timer, m->ctx);
    SC_LOG_DEBUG(m->log_id, "mDNS: looking up %s", l->name);
    return SC_ICE_MDNS_PENDING;
}

guint
sc_ice_mdns_n_pending(ScIceMdns *m)
{
    return m->n_pending;
}

const char *
sc_ice_mdns_known_local_name(ScIceMdns *m, const char *address)
{
    LocalName *n = g_hash_table_lookup(m->local, address);

    return n != NULL ? n->name : NULL;
}

const char *
sc_ice_mdns_remote_name(ScIceMdns *m, const char *address)
{
    g_autoptr(GInetAddress) want = g_inet_address_new_from_string(address);
    GHashTableIter it;
    gpointer value;

    if (want == NULL)
        return NULL;
    /* at most SC_ICE_MDNS_MAX_NAMES entries */
    g_hash_table_iter_init(&it, m->lookups);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Lookup *l = value;
        g_autoptr(GInetAddress) got = NULL;

        if (!l->done || l->address == NULL)
            continue;
        got = g_inet_address_new_from_string(l->address);
        if (got != NULL && g_inet_address_equal(got, want))
            return l->name;
    }
    return NULL;
}
