/* src/identity - IdP identity (RFC 8827 §7, W3C "Identity for WebRTC 1.0"):
 * the syntax of a=identity values, IdP domains and asserted identities
 * (pure, identity-syntax.c), and the IdP proxy sandbox (idp-run.c,
 * idp-fetch.c, and the helper program sandbox-main.c) that fetches an
 * IdP's proxy script and runs it in JavaScriptCore in a child process.
 * docs/internals/identity.md has the design and the threat model.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_IDENTITY_H
#define SC_IDENTITY_H

#include <gio/gio.h>

G_BEGIN_DECLS

/* ---- limits (hostile input is bounded everywhere) ---- */
#define SC_IDP_DOMAIN_MAX 262            /* 253 + ":" + 5 digits + slack */
#define SC_IDP_PROTOCOL_MAX 128
#define SC_IDENTITY_ATTR_MAX 16384       /* a=identity value (base64 chars) */
#define SC_IDENTITY_MAX 512              /* "user@domain" */
#define SC_IDP_CONTENTS_MAX 8192         /* what we ask an IdP to sign */
#define SC_IDP_SCRIPT_MAX (1024 * 1024)  /* the proxy script */
#define SC_IDP_FETCH_BODY_MAX (256 * 1024) /* one fetch()/XHR response */
#define SC_IDP_FETCH_MAX 16              /* fetch()/XHR requests per run */
#define SC_IDP_REDIRECT_MAX 5
#define SC_IDP_CACHE_MAX 4               /* proxy scripts cached per call */
#define SC_IDP_TIMEOUT_MS_DEFAULT 15000  /* W3C: "SHOULD limit ... 15 seconds" */
#define SC_IDP_MEMORY_DEFAULT (768u * 1024 * 1024) /* the child's budget */

/* ---- errors: the W3C RTCErrorDetailType names for IdPs ---- */
#define SC_IDP_ERROR (sc_idp_error_quark())
GQuark sc_idp_error_quark(void);

typedef enum {
    SC_IDP_ERROR_LOAD_FAILURE,       /* idp-load-failure */
    SC_IDP_ERROR_BAD_SCRIPT,         /* idp-bad-script-failure */
    SC_IDP_ERROR_EXECUTION,          /* idp-execution-failure */
    SC_IDP_ERROR_NEED_LOGIN,         /* idp-need-login (login URL apart) */
    SC_IDP_ERROR_TIMEOUT,            /* idp-timeout */
    SC_IDP_ERROR_TLS,                /* idp-tls-failure */
    SC_IDP_ERROR_TOKEN_EXPIRED,      /* idp-token-expired */
    SC_IDP_ERROR_TOKEN_INVALID,      /* idp-token-invalid */
    SC_IDP_ERROR_N
} ScIdpErrorCode;

/* "idp-load-failure" ...; never NULL. */
const char *sc_idp_error_name(ScIdpErrorCode code);
/* The code for a W3C name, or -1 for anything else. */
int sc_idp_error_from_name(const char *name);
/* An SC_IDP_ERROR error whose message starts with the W3C name:
 * "idp-timeout: no answer from the IdP in 15000 ms". */
GError *sc_idp_error_new(ScIdpErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3) G_GNUC_WARN_UNUSED_RESULT;
GError *sc_idp_error_new_valist(ScIdpErrorCode code, const char *fmt,
                                va_list ap) G_GNUC_PRINTF(2, 0);
/* Sets such an error (if @error is not NULL); returns FALSE. */
gboolean sc_idp_fail(GError **error, ScIdpErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* ---- pure syntax (identity-syntax.c): no I/O, fuzzed ---- */

/* An IdP domain "host[:port]" (hostile input: from our options or from a
 * peer's a=identity). The host is an IDNA2008/UTS-46 domain name (U-labels
 * or A-labels) or an IPv4 literal; no userinfo, no IPv6 literal, no path.
 * @host_out gets the lower-case A-label form, @port_out the port or 0.
 * Errors: SC_IDP_ERROR_LOAD_FAILURE with the reason. */
gboolean sc_idp_domain_parse(const char *domain, char **host_out,
                             guint16 *port_out, GError **error);

/* W3C/RFC 8827 §7.5: the protocol must not contain '/' or '\' (nor their
 * percent-encodings), nor be "." or "..", and is printable ASCII that can
 * stand in a URL path segment (query and fragment allowed). */
gboolean sc_idp_protocol_check(const char *protocol, GError **error);

/* https://HOST[:PORT]/.well-known/idp-proxy/PROTOCOL, after both checks;
 * the result is parsed back and must keep that host, port and path
 * prefix. Returns NULL with SC_IDP_ERROR_LOAD_FAILURE otherwise. */
char *sc_idp_proxy_url(const char *domain, const char *protocol,
                       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A decoded a=identity value: base64 of
 * {"idp":{"domain":D,"protocol":P},"assertion":A} (RFC 8827 §7.4/7.6). */
typedef struct {
    char *domain;     /* as in the assertion, checked by sc_idp_domain_parse */
    char *protocol;   /* "default" when absent */
    char *assertion;  /* opaque to us */
} ScIdentityAssertion;

/* Parses the value of an a=identity attribute (what follows "identity:"):
 * the first SP-separated token is the base64 assertion, extensions are
 * ignored. Strict base64 (RFC 4648 §4, padded), at most
 * SC_IDENTITY_ATTR_MAX characters, a JSON object with exactly the types
 * above. Errors: SC_IDP_ERROR_TOKEN_INVALID with the reason. */
ScIdentityAssertion *sc_identity_assertion_parse(const char *value,
                                                 GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* The a=identity value for an IdP's generateAssertion() result; NULL when
 * it would exceed SC_IDENTITY_ATTR_MAX. */
char *sc_identity_assertion_encode(const char *domain, const char *protocol,
                                   const char *assertion)
    G_GNUC_WARN_UNUSED_RESULT;
void sc_identity_assertion_free(ScIdentityAssertion *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScIdentityAssertion, sc_identity_assertion_free)

/* An identity an IdP vouched for, checked against the IdP's domain
 * (RFC 8827 §8.1): "user@domain" with exactly one '@' (a '@' or '%' in the
 * user part is percent-encoded), a non-empty user without control
 * characters, a domain without port; authoritative when the domain equals
 * the IdP's host (its port removed) under IDNA label equivalence
 * (RFC 5890 §2.3.2.4: compared as lower-case A-labels). A third-party
 * identity is returned with *authoritative FALSE; accepting it is policy
 * (--trust-idp), not syntax. @domain_out gets the identity's A-label
 * domain. Errors: SC_IDP_ERROR_TOKEN_INVALID with the reason. */
gboolean sc_identity_check(const char *identity, const char *idp_domain,
                           char **domain_out, gboolean *authoritative,
                           GError **error);

/* ---- the sandbox (idp-run.c) ---- */

typedef struct {
    const char *ca_file;       /* extra PEM trust anchors (--ca), or NULL */
    /* generation only: the user's IdP sessions, cookies in the Mozilla
     * cookies.txt format, sent with the requests they match (as a
     * browser's IdP sandbox sends its cookies); read, never written. A
     * missing file is no cookie; one that group or others may read or
     * write fails the run (idp-load-failure). NULL: none */
    const char *cookie_file;
    struct ScIdpSpare **spare; /* validation only: a child started ahead
                                * (sc_idp_spare_new()), which the run takes
                                * (and sets *spare to NULL), or NULL */
    GHashTable *script_cache;  /* one call's proxy scripts, or NULL (see
                                * sc_idp_script_cache_new()) */
    const char *helper_path;   /* sealcall-idp-sandbox; NULL: the installed one */
    guint timeout_ms;          /* whole run: fetch + script; 0: default */
    guint64 memory_limit;      /* the child's memory budget (resident size,
                                * and RLIMIT_DATA over what the engine
                                * maps at start); 0: default */
    /* tests: told the child's pid once it runs */
    void (*on_spawn)(GPid pid, gpointer user_data);
    gpointer on_spawn_data;
} ScIdpConfig;

typedef struct {
    char *identity;     /* as the IdP returned it (not yet checked) */
    char *contents;     /* the signed contents, verbatim */
    char *domain;       /* IdP domain and protocol from the assertion */
    char *protocol;
    gboolean pseudonym; /* the IdP said (value.pseudonym === true) that it
                         * vouches for a pseudonym, not a name */
} ScIdpValidation;

void sc_idp_validation_free(ScIdpValidation *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScIdpValidation, sc_idp_validation_free)

/* A sandbox child started ahead of a validation (idp-spare.c): it makes
 * its JavaScriptCore context while the call goes on, so the validation of
 * the peer's assertion, on the call's critical path with --peer-identity,
 * does not wait for that. Empty: it has received nothing; it serves one
 * run. NULL when the helper cannot start (the run then starts its own). */
typedef struct ScIdpSpare ScIdpSpare;
ScIdpSpare *sc_idp_spare_new(const ScIdpConfig *config)
    G_GNUC_WARN_UNUSED_RESULT;
/* Kills it (if no run took it). */
void sc_idp_spare_free(ScIdpSpare *spare);

/* A cache of proxy scripts for the runs of ONE call (never shared between
 * calls): a run stores the script it fetched under its proxy URL
 * (https://DOMAIN[:PORT]/.well-known/idp-proxy/PROTOCOL, so per origin and
 * protocol) with the URL it came from after redirects, and a later run of
 * the same URL (validating a peer who uses our IdP) runs it without a
 * fetch, in a fresh sandbox as always. At most SC_IDP_CACHE_MAX scripts.
 * Free with g_hash_table_unref(); each run holds a reference. */
GHashTable *sc_idp_script_cache_new(void) G_GNUC_WARN_UNUSED_RESULT;

/* Generates an assertion with the IdP at @domain/@protocol over @contents
 * (the fingerprint JSON) for the signaling @origin, with an optional
 * @username_hint. Runs on the thread-default GMainContext of the caller;
 * never blocks it. The callback gets the result on that context. */
void sc_idp_generate_async(const ScIdpConfig *config, const char *domain,
                           const char *protocol, const char *contents,
                           const char *origin, const char *username_hint,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
/* Returns the a=identity value; NULL with an SC_IDP_ERROR error. For
 * SC_IDP_ERROR_NEED_LOGIN, *login_url (if not NULL) gets the IdP's URL. */
char *sc_idp_generate_finish(GAsyncResult *result, char **login_url,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Validates an a=identity value with the IdP it names. */
void sc_idp_validate_async(const ScIdpConfig *config, const char *attr_value,
                           const char *origin, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
ScIdpValidation *sc_idp_validate_finish(GAsyncResult *result,
                                        char **login_url, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

#endif /* SC_IDENTITY_H */
