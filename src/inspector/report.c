/* src/inspector/report.c - security inspector report (contract section 4;
 * RFC 8827 §6.5 / draft-ietf-rtcweb-security-arch: what the user must be
 * able to see about the keys, the peer and the path).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "inspector"
#include "inspector/inspector.h"

#include <string.h>

gboolean
sc_inspector_cipher_is_null(const char *cipher)
{
    if (cipher == NULL)
        return FALSE;
    return strstr(cipher, "NULL") != NULL || strstr(cipher, "ADH") != NULL ||
           strstr(cipher, "AECDH") != NULL || strstr(cipher, "anon") != NULL;
}

static void
add_str(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value != NULL)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void
add_bool(JsonBuilder *b, const char *name, gboolean value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

static void
add_int_or_null(JsonBuilder *b, const char *name, gboolean known, gint64 v)
{
    json_builder_set_member_name(b, name);
    if (known)
        json_builder_add_int_value(b, v);
    else
        json_builder_add_null_value(b);
}

/* Volume and RTCP reception quality of one media entry: whose report the
 * loss figures are ("peer": its receiver report on what we send) and null
 * for what is not known yet. */
static void
add_media_rates(JsonBuilder *b, const ScInspectorMedia *m)
{
    gboolean send = m->direction != NULL && strcmp(m->direction, "send") == 0;

    json_builder_set_member_name(b, "bytes");
    json_builder_add_int_value(b, (gint64)MIN(m->bytes, (guint64)G_MAXINT64));
    json_builder_set_member_name(b, "bitrate");
    json_builder_add_int_value(b,
                               (gint64)MIN(m->bitrate, (guint64)G_MAXINT64));
    add_str(b, "rtcp_from", send ? "peer" : "local");
    add_int_or_null(b, "packets_lost", m->have_rtcp,
                    (gint64)MIN(m->packets_lost, (guint64)G_MAXINT64));
    json_builder_set_member_name(b, "fraction_lost");
    if (m->have_rtcp)
        json_builder_add_double_value(b, m->fraction_lost / 256.0);
    else
        json_builder_add_null_value(b);
    add_int_or_null(b, "jitter_us", m->have_rtcp && m->jitter_us >= 0,
                    m->jitter_us);
    add_int_or_null(b, "round_trip_us", m->round_trip_us >= 0,
                    m->round_trip_us);
}

JsonNode *
sc_inspector_report_build(const ScInspectorSnapshot *s)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);

    json_builder_set_member_name(b, "transport");
    json_builder_begin_object(b);
    add_str(b, "dtls_state", s->dtls_state);
    add_str(b, "dtls_version", s->dtls_version);
    add_str(b, "cipher", s->cipher);
    add_str(b, "cipher_standard", s->cipher_standard);
    add_bool(b, "pfs", s->pfs);
    add_str(b, "srtp_profile", s->srtp_profile);
    add_str(b, "srtp_profile_standard", s->srtp_profile_standard);
    add_bool(b, "null_cipher", sc_inspector_cipher_is_null(s->cipher));
    add_str(b, "dtls_role", s->dtls_role);
    add_str(b, "keying", s->keying);
    add_str(b, "local_fingerprint", s->local_fingerprint);
    add_str(b, "remote_fingerprint", s->remote_fingerprint);
    add_bool(b, "remote_fingerprint_verified", s->remote_fingerprint_verified);
    add_str(b, "sas", s->sas);
    add_str(b, "key_scope", s->key_scope);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "peer");
    json_builder_begin_object(b);
    add_str(b, "identity", s->peer_identity);
    add_str(b, "idp", s->idp);
    add_str(b, "verified_by", s->verified_by != NULL ? s->verified_by : "none");
    add_bool(b, "authoritative", s->authoritative);
    /* a pseudonym (seed 003 §5.3): the IdP vouches for it, not for who is
     * behind it (issue 14 point 9) */
    add_bool(b, "pseudonym", s->pseudonym);
    /* X.509 (issue 14 point 7): only when there is something to show, so
     * an IdP-only peer's object stays the contract's members and this one */
    if (s->subject != NULL)
        add_str(b, "subject", s->subject);
    if (s->issuer != NULL)
        add_str(b, "issuer", s->issuer);
    if (s->x509_identity != NULL)
        add_str(b, "x509_identity", s->x509_identity);
    if (s->identity_conflict)
        add_bool(b, "identity_conflict", TRUE);
    if (s->x509_error != NULL)
        add_str(b, "x509_error", s->x509_error);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "ice");
    json_builder_begin_object(b);
    add_str(b, "state", s->ice_state);
    add_str(b, "policy", s->ice_policy != NULL ? s->ice_policy : "all");
    add_str(b, "local_type", s->local_type);
    add_str(b, "remote_type", s->remote_type);
    /* issue 15 point 3: addresses only where the profile allows them */
    add_str(b, "local_address", s->local_address);
    add_str(b, "remote_address", s->remote_address);
    add_bool(b, "local_address_hidden", s->local_hidden_by != NULL);
    add_str(b, "local_address_hidden_by", s->local_hidden_by);
    add_bool(b, "related_address_suppressed", s->related_address_suppressed);
    add_str(b, "defer_ice", s->defer_ice != NULL ? s->defer_ice : "off");
    add_str(b, "ip_handling", s->ip_handling != NULL ? s->ip_handling : "all");
    add_bool(b, "mdns", s->mdns);
    json_builder_set_member_name(b, "consent");
    json_builder_begin_object(b);
    add_bool(b, "fresh", s->consent_fresh);
    json_builder_set_member_name(b, "last_response_ms_ago");
    if (s->last_response_ms_ago >= 0)
        json_builder_add_int_value(b, s->last_response_ms_ago);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "media");
    json_builder_begin_array(b);
    for (gsize i = 0; i < s->n_media; i++) {
        const ScInspectorMedia *m = &s->media[i];
        json_builder_begin_object(b);
        add_str(b, "kind", m->kind);
        add_str(b, "direction", m->direction);
        add_bool(b, "encrypted", m->encrypted);
        add_str(b, "cipher", m->cipher);
        json_builder_set_member_name(b, "packets");
        json_builder_add_int_value(b, (gint64)m->packets);
        if (m->direction != NULL && strcmp(m->direction, "send") == 0)
            add_bool(b, "sending", m->sending);
        add_media_rates(b, m);
        if (m->direction != NULL && strcmp(m->direction, "recv") == 0) {
            json_builder_set_member_name(b, "ssrc_refused");
            json_builder_add_int_value(
                b, (gint64)MIN(m->ssrc_refused, (guint64)G_MAXINT64));
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_set_member_name(b, "channels");
    json_builder_begin_array(b);
    for (gsize i = 0; i < s->n_channels; i++) {
        const ScInspectorChannel *c = &s->channels[i];
        json_builder_begin_object(b);
        add_str(b, "label", c->label);
        json_builder_set_member_name(b, "id");
        json_builder_add_int_value(b, c->id);
        add_bool(b, "encrypted", c->encrypted);
        add_bool(b, "open", c->open);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    /* which privacy rule applied and the profile in effect (README,
     * "Privacy rules"); null when the application gave none */
    json_builder_set_member_name(b, "privacy");
    if (s->privacy != NULL)
        json_builder_add_value(b, json_node_copy(s->privacy));
    else
        json_builder_add_null_value(b);

    json_builder_end_object(b);
    return json_builder_get_root(b);
}
