/* src/ice/ice-reveal.c - what our candidates reveal, and the peer's mDNS
 * candidates. Ours: with RFC 8828 Mode 3 no host candidate is signalled;
 * with mDNS (draft-ietf-mmusic-mdns-ice-candidates §3.1) each host
 * address is signalled as its "<uuid4>.local" name (mdns.c publishes
 * it); with either, the related address of the other candidates, which
 * libnice fills with the local address, is suppressed. The peer's: a
 * ".local" candidate of the draft's form is held until mdns.c resolves
 * its name, then handed to libnice with the address in place of the name
 * (draft §3.2.1); one that does not resolve is dropped. Candidates wait
 * in a queue bounded by the remote candidate cap, names by
 * SC_ICE_MDNS_MAX_NAMES; an ICE restart empties the queue. And the
 * selected pair's addresses for the inspector, ours only as far as our
 * candidates revealed it (issue 15 point 3).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice-priv.h"

#include <agent.h>
#include <string.h>

static char *
libnice_line(NiceAgent *agent, NiceCandidate *cand)
{
    g_autofree char *sdp = nice_agent_generate_local_candidate_sdp(agent, cand);

    if (sdp == NULL)
        return NULL;
    return g_strdup(g_str_has_prefix(sdp, "a=") ? sdp + 2 : sdp);
}

char *
sc_ice_signalled_line(ScIceTransport *t, NiceCandidate *cand)
{
    g_autofree char *line = libnice_line(t->agent, cand);
    g_autoptr(ScIceCandidate) c = NULL;
    g_autoptr(GError) error = NULL;

    if (line == NULL || (!t->hide_host && !t->mdns_names && !t->relay_only))
        return g_steal_pointer(&line);
    /* relay-only: libnice's force-relay keeps the others to itself; a
     * relay candidate's related address is the local socket the
     * allocation was made from, suppressed below */
    if (t->relay_only && cand->type != NICE_CANDIDATE_TYPE_RELAYED)
        return NULL;
    if (cand->type == NICE_CANDIDATE_TYPE_HOST && t->hide_host)
        return NULL;
    c = sc_ice_candidate_parse(line, &error);
    if (c == NULL) {
        /* never signal what we cannot rewrite */
        SC_LOG_WARN(t->log_id, "not signalling a candidate: %s",
                    error->message);
        return NULL;
    }
    if (cand->type == NICE_CANDIDATE_TYPE_HOST) {
        const char *name = sc_ice_mdns_local_name(t->mdns, c->address);
        if (name == NULL)
            return NULL;
        g_free(c->address);
        c->address = g_strdup(name);
    } else if (c->raddr != NULL) {
        gboolean v6 = strchr(c->raddr, ':') != NULL;
        g_free(c->raddr);
        c->raddr = g_strdup(v6 ? "::" : "0.0.0.0");
        /* relay-only: port 0 (RFC 8839 §5.1, JSEP); the mDNS draft's 9 */
        c->rport = t->relay_only ? 0 : 9;
    }
    return sc_ice_candidate_to_string(c);
}

/* (With a relay-only policy the draft's §3.2.1 step 2 ignores the
 * peer's mDNS candidates before any lookup: the caller's to decide.) */
void
sc_ice_take_mdns_candidate(ScIceTransport *t, ScIceCandidate *parsed)
{
    g_autoptr(ScIceCandidate) c = parsed;
    const char *address = NULL;
    g_autoptr(GError) error = NULL;

    switch (sc_ice_mdns_resolve(t->mdns, c->address, &address)) {
    case SC_ICE_MDNS_PENDING:
        g_ptr_array_add(t->mdns_queue, g_steal_pointer(&c));
        return;
    case SC_ICE_MDNS_RESOLVED:
        g_free(c->address);
        c->address = g_strdup(address);
        if (!sc_ice_add_parsed_candidate(t, c, &error))
            SC_LOG_INFO(t->log_id, "ignored resolved candidate: %s",
                        error->message);
        return;
    case SC_ICE_MDNS_FAILED:
        SC_LOG_INFO(t->log_id, "ignoring mDNS candidate %s (%s)", c->address,
                    sc_ice_mdns_name_is_valid(c->address)
                        ? "not resolved"
                        : "not a <uuid>.local name");
        return;
    }
}

/* libnice may have made the peer's address a peer-reflexive candidate
 * from a check that came before the name resolved, and turns it into a
 * host candidate when the resolved one is added (draft §3.2.2): the
 * selected pair's remote type follows. */
static void
refresh_remote_type(ScIceTransport *t)
{
    NiceCandidate *local = NULL, *remote = NULL;

    if (!nice_agent_get_selected_pair(t->agent, t->stream_id, 1, &local,
                                      &remote) ||
        remote == NULL || remote->type != NICE_CANDIDATE_TYPE_HOST ||
        strcmp(t->remote_type, "prflx") != 0)
        return;
    g_strlcpy(t->remote_type, "host", sizeof t->remote_type);
    SC_LOG_INFO(t->log_id, "the selected pair's peer-reflexive remote "
                           "candidate is the peer's resolved mDNS host "
                           "candidate");
}

void
sc_ice_on_mdns_resolved(gpointer data, const char *name, const char *address)
{
    ScIceTransport *t = data;
    gboolean added = FALSE;

    if (t->closed) {
        g_ptr_array_set_size(t->mdns_queue, 0);
        return;
    }
    for (guint i = 0; i < t->mdns_queue->len;) {
        ScIceCandidate *c = t->mdns_queue->pdata[i];
        g_autoptr(GError) error = NULL;

        if (g_ascii_strcasecmp(c->address, name) != 0) {
            i++;
            continue;
        }
        if (address != NULL) {
            g_free(c->address);
            c->address = g_strdup(address);
            if (sc_ice_add_parsed_candidate(t, c, &error))
                added = TRUE;
            else
                SC_LOG_INFO(t->log_id, "ignored resolved candidate: %s",
                            error->message);
        }
        g_ptr_array_remove_index(t->mdns_queue, i);
    }
    if (added)
        refresh_remote_type(t);
    if (t->remote_done_held && t->mdns_queue->len == 0) {
        t->remote_done_held = FALSE;
        sc_ice_peer_gathering_done(t);
    }
}

/* "IP:port", "[IPv6]:port" or "<name>:port" (bounded: an address's text,
 * or a name sc_ice_mdns_name_is_valid() accepted). */
static char *
with_port(const char *host, guint port)
{
    return strchr(host, ':') != NULL ? g_strdup_printf("[%s]:%u", host, port)
                                     : g_strdup_printf("%s:%u", host, port);
}

static gboolean
selected_pair(ScIceTransport *t, NiceCandidate **local,
              NiceCandidate **remote)
{
    *local = *remote = NULL;
    return t->agent != NULL && !t->closed &&
           nice_agent_get_selected_pair(t->agent, t->stream_id, 1, local,
                                        remote) &&
           *local != NULL && *remote != NULL;
}

char *
sc_ice_transport_get_local_address(ScIceTransport *t, const char **hidden_by)
{
    NiceCandidate *local, *remote;
    char ip[NICE_ADDRESS_STRING_LEN];
    const char *name;

    *hidden_by = NULL;
    if (!selected_pair(t, &local, &remote))
        return NULL;
    nice_address_to_string(&local->addr, ip);
    if (local->type == NICE_CANDIDATE_TYPE_RELAYED)
        /* the relay's address: what the peer sees, never the socket
         * behind it */
        return with_port(ip, nice_address_get_port(&local->addr));
    if (t->relay_only) {
        *hidden_by = "relay-only";
        return NULL;
    }
    if (local->type == NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE)
        /* signalled as is in every mode but relay-only */
        return with_port(ip, nice_address_get_port(&local->addr));
    /* host, or peer-reflexive (our host address as the peer saw it) */
    if (t->hide_host) {
        *hidden_by = "default-route-only";
        return NULL;
    }
    if (t->mdns_names) {
        *hidden_by = "mdns";
        name = local->type == NICE_CANDIDATE_TYPE_HOST
                   ? sc_ice_mdns_known_local_name(t->mdns, ip)
                   : NULL;
        return name != NULL
                   ? with_port(name, nice_address_get_port(&local->addr))
                   : NULL;
    }
    return with_port(ip, nice_address_get_port(&local->addr));
}

char *
sc_ice_transport_get_remote_address(ScIceTransport *t)
{
    NiceCandidate *local, *remote;
    char ip[NICE_ADDRESS_STRING_LEN];
    const char *name;

    if (!selected_pair(t, &local, &remote))
        return NULL;
    nice_address_to_string(&remote->addr, ip);
    /* the peer chose to hide this address behind a name: shown as the
     * name, so that the address stays out of what the user shares */
    name = sc_ice_mdns_remote_name(t->mdns, ip);
    return with_port(name != NULL ? name : ip,
                     nice_address_get_port(&remote->addr));
}
