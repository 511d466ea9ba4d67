/* src/ice/mdns.h - mDNS names for ICE host candidates
 * (draft-ietf-mmusic-mdns-ice-candidates) through the Avahi daemon:
 * publishing our "<uuid4>.local" names and resolving the peer's. Used by
 * ice.c only; not for use outside src/ice/.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ICE_MDNS_H
#define SC_ICE_MDNS_H

#include "core/core.h"

G_BEGIN_DECLS

/* Distinct names of the peer's that one transport resolves over its
 * life (a browser sends one per local address, a handful); names past it
 * are not looked up and their candidates are ignored. Bounds the mDNS
 * queries a peer can make us send (the draft's §4.1 "mDNS message
 * flooding"). */
#define SC_ICE_MDNS_MAX_NAMES 16
/* A lookup not answered by then fails (its candidates are ignored; a
 * check from the address still makes a peer-reflexive candidate). */
#define SC_ICE_MDNS_TIMEOUT_MS 5000
/* Our names published at once (one per local address gathered). */
#define SC_ICE_MDNS_MAX_LOCAL 32

/* TRUE for "<uuid>.local": 8-4-4-4-12 hexadecimal digits (either case),
 * then ".local" (either case), nothing else. The only names resolved:
 * the draft's §3.2.1 says not to resolve names outside its format, which
 * keeps a peer from pointing our checks at well-known names ("printer.
 * local") and from making us query arbitrary names. Pure. */
gboolean sc_ice_mdns_name_is_valid(const char *name);

typedef struct ScIceMdns ScIceMdns;

/* @name's lookup finished: @address is its IP address (text), or NULL
 * when it failed (no answer in time, no daemon, ...). Always called from
 * the main context, never from inside a sc_ice_mdns_*() call. */
typedef void (*ScIceMdnsResolvedFunc)(gpointer user_data, const char *name,
                                      const char *address);

/* Nothing touches the network or the daemon until the first name is
 * published or looked up. */
ScIceMdns *sc_ice_mdns_new(GMainContext *ctx, const char *log_id,
                           ScIceMdnsResolvedFunc resolved, gpointer user_data)
    G_GNUC_WARN_UNUSED_RESULT;
/* Withdraws our names (Avahi sends the goodbyes) and cancels lookups
 * (no callback). */
void sc_ice_mdns_free(ScIceMdns *m);

/* Our name for the local @address (an IP address, text): the same name
 * for the same address for the life of @m, a fresh random UUIDv4 name
 * otherwise, published through Avahi (no probing: the draft's §3.1.1
 * step 4; no reverse PTR record). A name is returned even when it cannot
 * be published (draft §3.1.1). (transfer none), NULL only past
 * SC_ICE_MDNS_MAX_LOCAL addresses. */
const char *sc_ice_mdns_local_name(ScIceMdns *m, const char *address);

typedef enum {
    SC_ICE_MDNS_PENDING,  /* the callback will say */
    SC_ICE_MDNS_RESOLVED, /* known already: *address is set */
    SC_ICE_MDNS_FAILED,   /* known to fail, not valid, or past the cap */
} ScIceMdnsLookup;

/* Looks up the peer's @name (call only with a name
 * sc_ice_mdns_name_is_valid() accepts; others fail). One lookup per
 * distinct name: a name seen before answers from its first lookup.
 * @address: (out) (transfer none): set for SC_ICE_MDNS_RESOLVED. */
ScIceMdnsLookup sc_ice_mdns_resolve(ScIceMdns *m, const char *name,
                                    const char **address);
/* Our name for the local @address if sc_ice_mdns_local_name() gave one,
 * else NULL; publishes nothing. (transfer none) */
const char *sc_ice_mdns_known_local_name(ScIceMdns *m, const char *address);
/* The peer's name (lower case, sc_ice_mdns_name_is_valid()) that
 * resolved to @address (an IP address, text), or NULL: the first found
 * when several did. (transfer none) */
const char *sc_ice_mdns_remote_name(ScIceMdns *m, const char *address);

/* Lookups under way. */
guint sc_ice_mdns_n_pending(ScIceMdns *m);

G_END_DECLS

#endif /* SC_ICE_MDNS_H */
