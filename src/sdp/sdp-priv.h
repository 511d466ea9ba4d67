/* src/sdp/sdp-priv.h - what the parser's files share: sdp-parse.c (the
 * session level and the whole description), sdp-section.c (one media
 * section) and sdp-attr.c (attribute lines). Not for use outside
 * src/sdp/: sdp.h is the module's API.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SDP_PRIV_H
#define SC_SDP_PRIV_H

#include "core/core.h"
#include "sdp/sdp.h"

#include <gst/sdp/sdp.h>

/* The ICE/DTLS attributes of one scope (session level or one m-section). */
typedef struct {
    char *ice_ufrag, *ice_pwd, *tls_id, *direction, *identity;
    gboolean has_setup;
    ScSdpSetup setup;
    GPtrArray *fingerprints; /* char *: normalised, accepted hashes only, no
                              * duplicates, at most SC_SDP_MAX_FINGERPRINTS */
    guint n_fp_lines;        /* a=fingerprint lines, ignored ones included */
    char *fp_refused;        /* why the first ignored line was ignored */
    gboolean trickle;
} Scope;

/* sdp-attr.c: syntax helpers */
/* Sets an SC_ERROR_SDP_SYNTAX error, @prefix then the message; FALSE. */
gboolean sc_sdp_fail_prefixed(GError **error, const char *prefix,
                              const char *fmt, ...) G_GNUC_PRINTF(3, 4);
#define sc_sdp_fail(error, ...) sc_sdp_fail_prefixed((error), "", __VA_ARGS__)
gboolean sc_sdp_is_token(const char *s, gsize max);
gboolean sc_sdp_is_proto(const char *s);
gboolean sc_sdp_is_fmt(const char *s);
gboolean sc_sdp_parse_u64(const char *s, guint64 max, guint64 *out);
gboolean sc_sdp_str_in_array(GPtrArray *a, const char *s);
gboolean sc_sdp_same_set(GPtrArray *a, GPtrArray *b);
gboolean sc_sdp_set_once(char **slot, const char *value, const char *attr,
                         const char *where, GError **error);
const char *sc_sdp_attr_value(const GstSDPAttribute *a);

/* sdp-attr.c: the attributes of one scope */
void sc_sdp_scope_init(Scope *sc);
void sc_sdp_scope_clear(Scope *sc);
gboolean sc_sdp_scope_add_attr(Scope *sc, const char *key, const char *value,
                               const char *where, GError **error);

/* sdp-attr.c: the RTP attributes of a media section */
void sc_sdp_section_add_rtpmap(ScSdpSection *s, const char *value);
void sc_sdp_section_add_fmtp(ScSdpSection *s, const char *value);
void sc_sdp_section_add_rtcp_fb(ScSdpSection *s, const char *value);
void sc_sdp_section_add_ssrc_id(ScSdpSection *s, guint32 id);
void sc_sdp_section_add_ssrc(ScSdpSection *s, const char *value);
void sc_sdp_parse_fid_group(const char *value, gboolean *have_fid,
                            guint32 fid[2]);
void sc_sdp_section_add_msid(ScSdpSection *s, const char *value);

/* sdp-section.c */
void sc_sdp_section_free(gpointer p);
ScSdpSection *sc_sdp_parse_section(const GstSDPMedia *md, guint index,
                                   Scope *scope, GError **error);

#endif /* SC_SDP_PRIV_H */
