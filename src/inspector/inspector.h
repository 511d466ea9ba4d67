/* src/inspector - the security report (interop contract section 4), built
 * from a snapshot of live state that call/ fills in. The inspector never
 * reaches into other modules: removing it changes no behaviour.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_INSPECTOR_H
#define SC_INSPECTOR_H

#include "core/core.h"
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
    const char *kind;        /* "audio" / "video" */
    const char *direction;   /* "send" / "recv" */
    gboolean encrypted;
    const char *cipher;      /* "AES-128-CM / HMAC-SHA1-80" */
    guint64 packets;
    gboolean sending;        /* send direction: FALSE while stopped by
                              * sc_call_set_media_sending() */
    guint64 bytes;           /* RTP bytes, headers included */
    guint64 bitrate;         /* RTP bits/s over the last second */
    /* RTCP (RFC 3550 §6.4.1): for "send", the peer's receiver report on
     * what we send (its claim, validated by media/); for "recv", ours.
     * !have_rtcp: no report yet, reported as null. */
    gboolean have_rtcp;
    guint64 packets_lost;    /* cumulative */
    guint8 fraction_lost;    /* of 256, last report interval */
    gint64 jitter_us;        /* -1: unknown (null) */
    gint64 round_trip_us;    /* -1: unknown (null) */
    guint64 ssrc_refused;    /* recv: RTP from SSRCs not accepted */
} ScInspectorMedia;

typedef struct {
    const char *label;
    int id;
    gboolean encrypted;
    gboolean open;
} ScInspectorChannel;

typedef struct ScInspectorSnapshot {
    /* transport (NULL strings are reported as null) */
    const char *dtls_state;
    const char *dtls_version;
    const char *cipher;          /* OpenSSL name */
    const char *cipher_standard; /* IANA name, as browsers' getStats */
    gboolean pfs;
    const char *srtp_profile;          /* OpenSSL name */
    const char *srtp_profile_standard; /* IANA name, as browsers' getStats */
    const char *dtls_role;
    const char *keying;          /* "pairwise-dtls-srtp" */
    const char *local_fingerprint;
    const char *remote_fingerprint;
    gboolean remote_fingerprint_verified;
    const char *sas;
    const char *key_scope;       /* "per-call" / "per-origin" / "configured" */
    /* peer */
    const char *peer_identity;
    const char *idp;
    const char *verified_by;     /* "idp" / "x509" / "none" */
    gboolean authoritative;
    gboolean pseudonym;          /* the IdP vouches for a pseudonym */
    /* an X.509 identity (each NULL unless there is one; then shown) */
    const char *subject;         /* the peer certificate's, RFC 2253 */
    const char *issuer;
    const char *x509_identity;   /* when verified_by is "idp" */
    gboolean identity_conflict;  /* IdP and X.509 name different peers */
    const char *x509_error;      /* the reported X.509 failure's name */
    /* ice */
    const char *ice_state;
    const char *ice_policy;      /* "all" / "relay-only" */
    const char *local_type;
    const char *remote_type;
    /* the selected pair's, "IP:port"; NULL: unknown or hidden. Ours only
     * as far as the privacy profile revealed it to the peer anyway:
     * local_hidden_by says what hid it ("relay-only",
     * "default-route-only", "mdns", "defer-ice") or is NULL. */
    const char *local_address;
    const char *remote_address;
    const char *local_hidden_by;
    gboolean related_address_suppressed;
    const char *ip_handling;     /* RFC 8828 mode, sc_ip_handling_to_string() */
    gboolean mdns;               /* host candidates signalled as mDNS names */
    gboolean consent_fresh;
    gint64 last_response_ms_ago; /* -1: no response yet */
    const char *defer_ice;       /* "off" / "waiting" / "incoming" /
                                  * "accepted" / "declined" */
    /* parts */
    const ScInspectorMedia *media;
    gsize n_media;
    const ScInspectorChannel *channels;
    gsize n_channels;
    /* the privacy decision (privacy/), reported as is; NULL: none */
    JsonNode *privacy;
} ScInspectorSnapshot;

/* Returns: (transfer full): the report as a JSON object node. */
JsonNode *sc_inspector_report_build(const ScInspectorSnapshot *snap)
    G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when an OpenSSL cipher name denotes a NULL or anonymous suite. */
gboolean sc_inspector_cipher_is_null(const char *cipher);

G_END_DECLS

#endif
