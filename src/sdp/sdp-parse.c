/* src/sdp/sdp-parse.c - parsing and validating session descriptions, the
 * session level and the description as a whole: RFC 8829 §5.8 (JSEP
 * parsing and semantics checks: v=, o=, s=, the size and m-section
 * limits), RFC 8843 (BUNDLE: the groups, the offerer/answerer tagged
 * m-section, a shared transport and its credentials), RFC 8839 §5.4-5.5
 * (ice-ufrag / ice-pwd present, ice-lite, ice-pacing), RFC 8122 §5 (an
 * acceptable fingerprint present), RFC 5763 §5 (setup in an answer), which
 * sections are accepted, and the queries on a parsed ScSdpDesc. One
 * m-section is read by sdp-section.c, attribute lines by sdp-attr.c (and
 * a=fingerprint values by sdp-fingerprint.c); what they share is in
 * sdp-priv.h.
 * SDP syntax itself is GstSDPMessage's; it is lenient, so the lines JSEP
 * needs are checked again here.
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"
#include "sdp/sdp-priv.h"

#include <gst/sdp/sdp.h>
#include <string.h>

/* Lookups while one description is parsed, so that the work stays linear
 * in the number of m-sections and mids: mid -> m-section index + 1, and the
 * set of mids in the chosen BUNDLE group. Keys borrow from the sections
 * and from ScSdpDesc.bundle_mids. */
typedef struct {
    GHashTable *mids;
    GHashTable *bundle;
} Lookup;

static int
lookup_mid(const Lookup *lk, const char *mid)
{
    if (mid == NULL)
        return -1;
    return GPOINTER_TO_INT(g_hash_table_lookup(lk->mids, mid)) - 1;
}

static gboolean
lookup_in_bundle(const Lookup *lk, const char *mid)
{
    return mid != NULL && g_hash_table_contains(lk->bundle, mid);
}

void
sc_sdp_desc_free(ScSdpDesc *d)
{
    if (d == NULL)
        return;
    g_free(d->ice_ufrag);
    g_free(d->ice_pwd);
    if (d->fingerprints != NULL)
        g_ptr_array_unref(d->fingerprints);
    g_free(d->tls_id);
    g_free(d->identity);
    g_strfreev(d->bundle_mids);
    if (d->sections != NULL)
        g_ptr_array_unref(d->sections);
    g_free(d->session_id);
    g_free(d);
}

/* ---- the whole description ---- */

static gboolean
check_setup(ScSdpType type, const Scope *sc, const char *where,
            GError **error)
{
    if (!sc->has_setup)
        return TRUE;
    if (type == SC_SDP_TYPE_ANSWER && sc->setup == SC_SDP_SETUP_ACTPASS)
        return sc_sdp_fail(
            error,
            "a=setup:actpass at %s is not allowed in an answer; it "
            "must be active or passive (RFC 5763 section 5)",
            where);
    return TRUE;
}

static gboolean
section_is_rejected(const ScSdpSection *s)
{
    return s->port == 0 && !s->bundle_only;
}

int
sc_sdp_desc_find_mid(const ScSdpDesc *d, const char *mid)
{
    g_return_val_if_fail(d != NULL, -1);
    if (mid == NULL)
        return -1;
    for (guint i = 0; i < d->sections->len; i++) {
        const ScSdpSection *s = d->sections->pdata[i];
        if (s->mid != NULL && strcmp(s->mid, mid) == 0)
            return (int)i;
    }
    return -1;
}

static gboolean
mid_in_bundle(const ScSdpDesc *d, const char *mid)
{
    if (d->bundle_mids == NULL || mid == NULL)
        return FALSE;
    return g_strv_contains((const char *const *)d->bundle_mids, mid);
}

gboolean
sc_sdp_desc_candidate_mid_ok(const ScSdpDesc *d, const char *mid,
                             int mline_index)
{
    int idx;
    const ScSdpSection *s;

    g_return_val_if_fail(d != NULL, FALSE);
    if (d->data_section < 0)
        return FALSE;
    if (mid != NULL)
        idx = sc_sdp_desc_find_mid(d, mid);
    else
        idx = mline_index;
    if (idx < 0 || (guint)idx >= d->sections->len)
        return FALSE;
    if (idx == d->data_section)
        return TRUE;
    s = d->sections->pdata[idx];
    if (section_is_rejected(s))
        return FALSE;
    /* bundled with the data section: same transport */
    return mid_in_bundle(d, s->mid) &&
           mid_in_bundle(d, ((ScSdpSection *)
                                 d->sections->pdata[d->data_section])->mid);
}

static ScSdpDirection
direction_from_string(const char *s)
{
    if (strcmp(s, "sendonly") == 0)
        return SC_SDP_DIRECTION_SENDONLY;
    if (strcmp(s, "recvonly") == 0)
        return SC_SDP_DIRECTION_RECVONLY;
    if (strcmp(s, "inactive") == 0)
        return SC_SDP_DIRECTION_INACTIVE;
    return SC_SDP_DIRECTION_SENDRECV;
}

static gboolean
proto_is_dtls_srtp(const char *proto)
{
    /* JSEP §5.1.2: media runs over DTLS-SRTP with RTCP feedback */
    return g_ascii_strcasecmp(proto, "UDP/TLS/RTP/SAVPF") == 0 ||
           g_ascii_strcasecmp(proto, "TCP/TLS/RTP/SAVPF") == 0;
}

/* An RTP section we could run: on the one transport the data uses. */
static gboolean
media_usable(const ScSdpDesc *d, const Lookup *lk, const ScSdpSection *s)
{
    if (section_is_rejected(s) || !proto_is_dtls_srtp(s->proto) ||
        !s->rtcp_mux || s->codec == NULL || s->mid == NULL ||
        !lookup_in_bundle(lk, s->mid))
        return FALSE;
    if (d->data_section >= 0) {
        const ScSdpSection *ds = d->sections->pdata[d->data_section];
        return lookup_in_bundle(lk, ds->mid);
    }
    return TRUE;
}

/* ScSdpSection.accepted: the data section and the first usable audio and
 * video sections (one of each: a second one is rejected in our answers). */
static void
mark_accepted(ScSdpDesc *d, const Lookup *lk)
{
    gboolean audio = FALSE, video = FALSE;

    for (guint i = 0; i < d->sections->len; i++) {
        ScSdpSection *s = d->sections->pdata[i];

        if ((int)i == d->data_section) {
            s->accepted = TRUE;
        } else if (!audio && strcmp(s->media, "audio") == 0 &&
                   media_usable(d, lk, s)) {
            s->accepted = audio = TRUE;
        } else if (!video && strcmp(s->media, "video") == 0 &&
                   media_usable(d, lk, s)) {
            s->accepted = video = TRUE;
        }
    }
}

int
sc_sdp_desc_find_media_index(const ScSdpDesc *d, const char *kind)
{
    g_return_val_if_fail(d != NULL, -1);
    g_return_val_if_fail(kind != NULL, -1);
    for (guint i = 0; i < d->sections->len; i++) {
        const ScSdpSection *s = d->sections->pdata[i];
        if (s->accepted && strcmp(s->media, kind) == 0)
            return (int)i;
    }
    return -1;
}

const ScSdpSection *
sc_sdp_desc_find_media(const ScSdpDesc *d, const char *kind)
{
    int i = sc_sdp_desc_find_media_index(d, kind);

    return i < 0 ? NULL : d->sections->pdata[i];
}

gboolean
sc_sdp_media_negotiated(const ScSdpDesc *local, const ScSdpDesc *remote,
                        const char *kind, ScSdpMedia *out)
{
    const ScSdpDesc *answer;
    const ScSdpSection *ls, *rs;
    int idx;

    g_return_val_if_fail(out != NULL, FALSE);
    memset(out, 0, sizeof *out);
    g_return_val_if_fail(local != NULL && remote != NULL, FALSE);
    g_return_val_if_fail(kind != NULL, FALSE);
    g_return_val_if_fail(local->type != remote->type, FALSE);

    answer = local->type == SC_SDP_TYPE_ANSWER ? local : remote;
    idx = sc_sdp_desc_find_media_index(answer, kind);
    if (idx < 0 || (guint)idx >= local->sections->len ||
        (guint)idx >= remote->sections->len)
        return FALSE;
    ls = local->sections->pdata[idx];
    rs = remote->sections->pdata[idx];
    if (!ls->accepted || !rs->accepted || strcmp(ls->media, rs->media) != 0 ||
        g_strcmp0(ls->mid, rs->mid) != 0 || ls->codec == NULL ||
        rs->codec == NULL)
        return FALSE;
    out->index = (guint)idx;
    out->mid = ls->mid;
    out->direction =
        (ScSdpDirection)(ls->dir & sc_sdp_direction_reverse(rs->dir));
    out->send_codec = rs->codec;
    out->recv_codec = ls->codec;
    out->rtcp_fb = ls->codec->rtcp_fb & rs->codec->rtcp_fb;
    out->local = ls;
    out->remote = rs;
    return TRUE;
}

/* Parses "BUNDLE a b c" groups; returns them (NULL-terminated vectors,
 * duplicates dropped). Every mid must name an m-section. */
static gboolean
collect_groups(const GstSDPMessage *msg, const Lookup *lk, GPtrArray *groups,
               GError **error)
{
    for (guint i = 0; i < gst_sdp_message_attributes_len(msg); i++) {
        const GstSDPAttribute *a = gst_sdp_message_get_attribute(msg, i);
        g_auto(GStrv) f = NULL;
        GPtrArray *mids;
        GHashTable *seen;

        if (a->key == NULL || strcmp(a->key, "group") != 0)
            continue;
        f = g_strsplit(sc_sdp_attr_value(a), " ", -1);
        if (f[0] == NULL || g_ascii_strcasecmp(f[0], "BUNDLE") != 0)
            continue;
        mids = g_ptr_array_new_with_free_func(g_free);
        seen = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint k = 1; f[k] != NULL; k++) {
            if (f[k][0] == '\0')
                continue;
            if (!sc_sdp_is_token(f[k], 256)) {
                g_ptr_array_unref(mids);
                g_hash_table_unref(seen);
                return sc_sdp_fail(error, "a=group:BUNDLE has an invalid mid");
            }
            if (lookup_mid(lk, f[k]) < 0) {
                sc_sdp_fail(
                    error,
                    "a=group:BUNDLE names mid \"%.64s\" but no m-section "
                    "has it",
                    f[k]);
                g_ptr_array_unref(mids);
                g_hash_table_unref(seen);
                return FALSE;
            }
            if (g_hash_table_add(seen, f[k]))
                g_ptr_array_add(mids, g_strdup(f[k]));
        }
        g_hash_table_unref(seen);
        if (mids->len == 0) {
            g_ptr_array_unref(mids);
            continue; /* an empty group bundles nothing */
        }
        g_ptr_array_add(mids, NULL);
        g_ptr_array_add(groups, g_ptr_array_free(mids, FALSE));
    }
    return TRUE;
}

/* The BUNDLE-tagged section: the first mid of the group that is not
 * rejected (RFC 8843 §7.2.1, §7.3.1). */
static int
tagged_section(const ScSdpDesc *d, const Lookup *lk)
{
    int first = -1;

    if (d->bundle_mids == NULL)
        return -1;
    for (guint i = 0; d->bundle_mids[i] != NULL; i++) {
        int idx = lookup_mid(lk, d->bundle_mids[i]);
        if (idx < 0)
            continue;
        if (first < 0)
            first = idx;
        if (!section_is_rejected(d->sections->pdata[idx]))
            return idx;
    }
    return first;
}

typedef struct {
    const char *ufrag, *pwd, *tls_id;
    GPtrArray *fingerprints;
    guint n_fp_lines;
    const char *fp_refused;
    gboolean has_setup;
    ScSdpSetup setup;
} Effective;

static void
effective_of(const Scope *sess, const Scope *sec, Effective *e)
{
    e->ufrag = sec->ice_ufrag ? sec->ice_ufrag : sess->ice_ufrag;
    e->pwd = sec->ice_pwd ? sec->ice_pwd : sess->ice_pwd;
    e->tls_id = sec->tls_id ? sec->tls_id : sess->tls_id;
    /* media-level a=fingerprint lines replace the session-level ones */
    const Scope *fp = sec->n_fp_lines > 0 ? sec : sess;
    e->fingerprints = fp->fingerprints;
    e->n_fp_lines = fp->n_fp_lines;
    e->fp_refused = fp->fp_refused;
    if (sec->has_setup) {
        e->has_setup = TRUE;
        e->setup = sec->setup;
    } else {
        e->has_setup = sess->has_setup;
        e->setup = sess->setup;
    }
}

static gboolean
validate_desc(ScSdpDesc *d, const Lookup *lk, const Scope *sess,
              Scope *scopes, GError **error)
{
    Effective eff;
    int tagged = tagged_section(d, lk);
    const ScSdpSection *ts;

    if (!check_setup(d->type, sess, "session level", error))
        return FALSE;
    for (guint i = 0; i < d->sections->len; i++) {
        g_autofree char *where = g_strdup_printf("m-section %u", i);
        if (section_is_rejected(d->sections->pdata[i]))
            continue;
        if (!check_setup(d->type, &scopes[i], where, error))
            return FALSE;
    }

    /* the transport that carries the data */
    if (d->data_section >= 0) {
        const ScSdpSection *ds = d->sections->pdata[d->data_section];
        if (tagged >= 0 && lookup_in_bundle(lk, ds->mid))
            d->transport_section = tagged;
        else
            d->transport_section = d->data_section;
    } else if (tagged >= 0) {
        d->transport_section = tagged;
    } else {
        d->transport_section = 0;
        for (guint i = 0; i < d->sections->len; i++) {
            if (!section_is_rejected(d->sections->pdata[i])) {
                d->transport_section = (int)i;
                break;
            }
        }
    }
    ts = d->sections->pdata[d->transport_section];
    effective_of(sess, &scopes[d->transport_section], &eff);

    if (eff.ufrag == NULL)
        return sc_sdp_fail(error,
                           "remote description has no a=ice-ufrag (m-section "
                           "%d, m=%s)",
                           d->transport_section, ts->media);
    if (eff.pwd == NULL)
        return sc_sdp_fail(error,
                           "remote description has no a=ice-pwd (m-section "
                           "%d, m=%s)",
                           d->transport_section, ts->media);
    if (eff.n_fp_lines == 0)
        return sc_sdp_fail(error, "remote description has no a=fingerprint");
    if (eff.fingerprints->len == 0) {
        /* the peer cannot be authenticated: a refusal of its certificate,
         * not a syntax problem (the call reports fingerprint-mismatch) */
        g_set_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH,
                    "remote description has no acceptable a=fingerprint "
                    "(%s)",
                    eff.fp_refused != NULL
                        ? eff.fp_refused
                        : "sha-256, sha-384 or sha-512 is required");
        return FALSE;
    }

    /* Bundled sections that repeat transport attributes must agree with the
     * tagged one (RFC 8843 §7.1.3: same transport, same credentials). */
    if (tagged >= 0) {
        Effective teff;

        effective_of(sess, &scopes[tagged], &teff);
        for (guint k = 0; d->bundle_mids[k] != NULL; k++) {
            int idx = lookup_mid(lk, d->bundle_mids[k]);
            const Scope *sc;

            if (idx < 0 || idx == tagged ||
                section_is_rejected(d->sections->pdata[idx]))
                continue;
            sc = &scopes[idx];
            if (sc->ice_ufrag != NULL &&
                (teff.ufrag == NULL || strcmp(sc->ice_ufrag, teff.ufrag) != 0))
                return sc_sdp_fail(
                    error,
                    "bundled m-section %d (mid %s) has a different "
                    "a=ice-ufrag than the BUNDLE-tagged m-section %d",
                    idx, d->bundle_mids[k], tagged);
            if (sc->ice_pwd != NULL &&
                (teff.pwd == NULL || strcmp(sc->ice_pwd, teff.pwd) != 0))
                return sc_sdp_fail(
                    error,
                    "bundled m-section %d (mid %s) has a different "
                    "a=ice-pwd than the BUNDLE-tagged m-section %d",
                    idx, d->bundle_mids[k], tagged);
            if (sc->n_fp_lines > 0 &&
                !sc_sdp_same_set(sc->fingerprints, teff.fingerprints))
                return sc_sdp_fail(
                    error,
                    "bundled m-section %d (mid %s) has different "
                    "a=fingerprint values than the BUNDLE-tagged "
                    "m-section %d",
                    idx, d->bundle_mids[k], tagged);
        }
    }

    d->ice_ufrag = g_strdup(eff.ufrag);
    d->ice_pwd = g_strdup(eff.pwd);
    d->tls_id = g_strdup(eff.tls_id);
    for (guint i = 0; i < eff.fingerprints->len; i++)
        g_ptr_array_add(d->fingerprints, g_strdup(eff.fingerprints->pdata[i]));
    /* RFC 4145 §4: "active" when absent (JSEP endpoints always send it) */
    d->setup = eff.has_setup ? eff.setup : SC_SDP_SETUP_ACTIVE;
    d->ice_trickle = sess->trickle || scopes[d->transport_section].trickle;
    return TRUE;
}

static gboolean
check_session_lines(const GstSDPMessage *msg, ScSdpDesc *d, GError **error)
{
    const GstSDPOrigin *o = gst_sdp_message_get_origin(msg);
    const char *v = gst_sdp_message_get_version(msg);

    if (v == NULL)
        return sc_sdp_fail(error, "SDP has no v= line");
    if (strcmp(v, "0") != 0)
        return sc_sdp_fail(error, "SDP v= must be 0");
    if (o == NULL || o->username == NULL || o->sess_id == NULL ||
        o->sess_version == NULL || o->nettype == NULL || o->addrtype == NULL ||
        o->addr == NULL || *o->sess_id == '\0' || *o->addr == '\0')
        return sc_sdp_fail(error, "SDP has no complete o= line");
    if (!sc_sdp_is_fmt(o->sess_id))
        return sc_sdp_fail(error, "SDP o= line has an invalid session id");
    if (!sc_sdp_parse_u64(o->sess_version, G_MAXUINT64, &d->session_version))
        return sc_sdp_fail(error, "SDP o= session version is not a number");
    if (gst_sdp_message_get_session_name(msg) == NULL)
        return sc_sdp_fail(error, "SDP has no s= line");
    if (gst_sdp_message_medias_len(msg) == 0)
        return sc_sdp_fail(error, "SDP has no m= line");
    d->session_id = g_strdup(o->sess_id);
    return TRUE;
}

/* The number of m= lines GstSDPMessage will see: like its parser, a line
 * starts at the beginning of the text or after '\n', its white space
 * skipped, and is an m-line if it then reads "m=". One pass, no copy. */
static gsize
count_m_lines(const char *p)
{
    gsize n = 0;

    for (;;) {
        while (g_ascii_isspace(*p))
            p++;
        if (*p == '\0')
            return n;
        if (p[0] == 'm' && p[1] == '=')
            n++;
        p = strchr(p, '\n');
        if (p == NULL)
            return n;
        p++;
    }
}

/* The limits of sdp.h, before GstSDPMessage or anything else runs. */
static gboolean
check_limits(const char *text, GError **error)
{
    gsize n;

    if (strnlen(text, SC_SDP_MAX_SIZE + 1) > SC_SDP_MAX_SIZE)
        return sc_sdp_fail(error,
                           "SDP is larger than %d bytes (SC_SDP_MAX_SIZE)",
                           SC_SDP_MAX_SIZE);
    n = count_m_lines(text);
    if (n > SC_SDP_MAX_SECTIONS)
        return sc_sdp_fail(error,
                           "SDP has %" G_GSIZE_FORMAT
                           " m-sections, more than the "
                           "limit of %d (SC_SDP_MAX_SECTIONS)",
                           n, SC_SDP_MAX_SECTIONS);
    return TRUE;
}

ScSdpDesc *
sc_sdp_parse(ScSdpType type, const char *text, GError **error)
{
    GstSDPMessage *msg = NULL;
    g_autoptr(ScSdpDesc) d = NULL;
    Scope sess;
    Scope *scopes = NULL;
    GPtrArray *groups = NULL;
    Lookup lk = {NULL, NULL};
    guint n_media = 0;
    gboolean ok = FALSE;

    g_return_val_if_fail(text != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (*text == '\0') {
        sc_sdp_fail(error, "SDP is empty");
        return NULL;
    }
    if (!check_limits(text, error))
        return NULL;
    sc_sdp_scope_init(&sess);
    if (gst_sdp_message_new_from_text(text, &msg) != GST_SDP_OK ||
        msg == NULL) {
        sc_sdp_scope_clear(&sess);
        if (msg != NULL)
            gst_sdp_message_free(msg);
        sc_sdp_fail(error, "SDP could not be parsed");
        return NULL;
    }

    d = g_new0(ScSdpDesc, 1);
    d->type = type;
    d->sections = g_ptr_array_new_with_free_func(sc_sdp_section_free);
    d->fingerprints = g_ptr_array_new_with_free_func(g_free);
    d->data_section = -1;
    d->transport_section = -1;

    if (!check_session_lines(msg, d, error))
        goto out;

    for (guint i = 0; i < gst_sdp_message_attributes_len(msg); i++) {
        const GstSDPAttribute *a = gst_sdp_message_get_attribute(msg, i);

        if (a->key == NULL)
            continue;
        if (strcmp(a->key, "ice-lite") == 0) {
            d->ice_lite = TRUE;
        } else if (strcmp(a->key, "ice-pacing") == 0) {
            /* RFC 8839 §5.5: ice-pacing-att = "ice-pacing:" 1*10DIGIT */
            guint64 v = 0;
            if (!g_ascii_string_to_unsigned(sc_sdp_attr_value(a), 10, 1,
                                            G_MAXUINT32, &v, NULL)) {
                g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                            "a=ice-pacing must be a positive number of ms");
                goto out;
            }
            d->ice_pacing_ms = (guint)v;
        } else if (!sc_sdp_scope_add_attr(&sess, a->key, sc_sdp_attr_value(a),
                                          "session level", error))
            goto out;
    }

    n_media = gst_sdp_message_medias_len(msg);
    /* counted by check_limits(); kept as a guard should GstSDP differ */
    if (n_media > SC_SDP_MAX_SECTIONS) {
        sc_sdp_fail(error,
                    "SDP has more than %d m-sections (SC_SDP_MAX_SECTIONS)",
                    SC_SDP_MAX_SECTIONS);
        goto out;
    }
    lk.mids = g_hash_table_new(g_str_hash, g_str_equal);
    lk.bundle = g_hash_table_new(g_str_hash, g_str_equal);
    scopes = g_new0(Scope, n_media);
    for (guint i = 0; i < n_media; i++) {
        ScSdpSection *s = sc_sdp_parse_section(
            gst_sdp_message_get_media(msg, i), i, &scopes[i], error);
        if (s == NULL)
            goto out;
        if (s->direction == NULL)
            s->direction = g_strdup(scopes[i].direction ? scopes[i].direction
                                    : sess.direction ? sess.direction
                                                     : "sendrecv");
        s->dir = direction_from_string(s->direction);
        if (s->mid != NULL && lookup_mid(&lk, s->mid) >= 0) {
            sc_sdp_fail(error, "m-section %u repeats a=mid:%.64s", i, s->mid);
            sc_sdp_section_free(s);
            goto out;
        }
        g_ptr_array_add(d->sections, s);
        if (s->mid != NULL)
            g_hash_table_insert(lk.mids, s->mid, GINT_TO_POINTER(i + 1));
        if (d->data_section < 0 && s->is_datachannel &&
            !section_is_rejected(s))
            d->data_section = (int)i;
    }

    /* BUNDLE: every mid must exist; keep the group of the data section */
    groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    if (!collect_groups(msg, &lk, groups, error))
        goto out;
    if (groups->len > 0) {
        guint pick = 0;
        if (d->data_section >= 0) {
            const char *dmid =
                ((ScSdpSection *)d->sections->pdata[d->data_section])->mid;
            for (guint g = 0; g < groups->len && dmid != NULL; g++) {
                if (g_strv_contains((const char *const *)groups->pdata[g],
                                      dmid)) {
                    pick = g;
                    break;
                }
            }
        }
        d->bundle_mids = g_strdupv(groups->pdata[pick]);
        for (guint k = 0; d->bundle_mids[k] != NULL; k++)
            g_hash_table_add(lk.bundle, d->bundle_mids[k]);
    }

    mark_accepted(d, &lk);
    if (!validate_desc(d, &lk, &sess, scopes, error))
        goto out;

    /* keep the media-level transport attributes "as written" */
    for (guint i = 0; i < n_media; i++) {
        ScSdpSection *s = d->sections->pdata[i];
        s->ice_ufrag = g_steal_pointer(&scopes[i].ice_ufrag);
        s->ice_pwd = g_steal_pointer(&scopes[i].ice_pwd);
        s->tls_id = g_steal_pointer(&scopes[i].tls_id);
        s->has_setup = scopes[i].has_setup;
        s->setup = scopes[i].setup;
        g_ptr_array_unref(s->fingerprints);
        s->fingerprints = g_steal_pointer(&scopes[i].fingerprints);
    }
    d->identity = g_steal_pointer(&sess.identity);
    if (d->identity == NULL && d->transport_section >= 0)
        d->identity = g_strdup(scopes[d->transport_section].identity);
    ok = TRUE;

out:
    if (groups != NULL)
        g_ptr_array_unref(groups);
    if (lk.mids != NULL)
        g_hash_table_unref(lk.mids);
    if (lk.bundle != NULL)
        g_hash_table_unref(lk.bundle);
    for (guint i = 0; scopes != NULL && i < n_media; i++)
        sc_sdp_scope_clear(&scopes[i]);
    g_free(scopes);
    sc_sdp_scope_clear(&sess);
    gst_sdp_message_free(msg);
    if (!ok)
        return NULL;
    return g_steal_pointer(&d);
}
