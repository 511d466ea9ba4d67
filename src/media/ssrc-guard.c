/* src/media/ssrc-guard.c - the peer's SSRCs an RTP session accepts, and
 * received clear RTCP cut down to them (see ssrc-guard.h). Every field is
 * read only inside its own packet (RFC 3550 §6.4-6.6, RFC 4585 §6.1);
 * rewritten packets lose their padding and profile-specific extensions,
 * and the result is checked again as an RTCP compound.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/ssrc-guard.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <string.h>

#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_SDES 202
#define RTCP_BYE 203
#define RTCP_RTPFB 205
#define RTCP_PSFB 206
#define RB_LEN 24

static guint32
rd32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | p[3];
}

void
sc_ssrc_guard_set_signalled(ScSsrcGuard *g, const guint32 *ssrcs, guint n)
{
    g->n_signalled = 0;
    for (guint i = 0; i < n && g->n_signalled < SC_SSRC_GUARD_SIGNALLED_MAX;
         i++) {
        gboolean dup = ssrcs[i] == g->local;
        for (guint k = 0; k < g->n_signalled && !dup; k++)
            dup = g->signalled[k] == ssrcs[i];
        if (!dup)
            g->signalled[g->n_signalled++] = ssrcs[i];
    }
}

static gboolean
learned_live(const ScSsrcLearned *l, gint64 now_us)
{
    return now_us - l->seen_us <= SC_SSRC_GUARD_IDLE_US;
}

gboolean
sc_ssrc_guard_knows(const ScSsrcGuard *g, guint32 ssrc, gint64 now_us)
{
    if (!g->have || ssrc == g->local)
        return FALSE;
    for (guint i = 0; i < g->n_signalled; i++)
        if (g->signalled[i] == ssrc)
            return TRUE;
    for (guint i = 0; i < g->n_learned; i++)
        if (g->learned[i].ssrc == ssrc && learned_live(&g->learned[i], now_us))
            return TRUE;
    return FALSE;
}

gboolean
sc_ssrc_guard_accept(ScSsrcGuard *g, guint32 ssrc, gboolean may_learn,
                     gint64 now_us)
{
    ScSsrcLearned *slot = NULL;

    if (!g->have || ssrc == g->local)
        return FALSE;
    for (guint i = 0; i < g->n_signalled; i++)
        if (g->signalled[i] == ssrc)
            return TRUE;
    for (guint i = 0; i < g->n_learned; i++) {
        ScSsrcLearned *l = &g->learned[i];
        if (l->ssrc == ssrc && learned_live(l, now_us)) {
            l->seen_us = now_us;
            return TRUE;
        }
        if (slot == NULL && !learned_live(l, now_us))
            slot = l; /* idle: its place may be taken */
    }
    if (!may_learn)
        return FALSE;
    if (slot == NULL && g->n_learned < SC_SSRC_GUARD_LEARN_MAX)
        slot = &g->learned[g->n_learned++];
    if (slot == NULL)
        return FALSE;
    slot->ssrc = ssrc;
    slot->seen_us = now_us;
    return TRUE;
}

/* ---- walking a compound ---- */

typedef struct {
    const guint8 *p;  /* the packet */
    gsize plen;       /* its length (header included) */
    guint count;      /* the 5-bit count field */
    guint8 type;
} Part;

/* The next packet of a checked compound at *@off, or FALSE at the end. */
static gboolean
next_part(const guint8 *buf, gsize len, gsize *off, Part *out)
{
    const guint8 *p;

    if (*off + 4 > len)
        return FALSE;
    p = buf + *off;
    out->p = p;
    out->plen = 4 + 4 * (((gsize)p[2] << 8) | p[3]);
    if (out->plen > len - *off)
        return FALSE;
    out->count = p[0] & 0x1f;
    out->type = p[1];
    *off += out->plen;
    return TRUE;
}

/* SR/RR: where the report blocks start and how many lie inside */
static guint
report_blocks(const Part *pt, gsize *first)
{
    gsize start = pt->type == RTCP_SR ? 28 : 8;
    guint n = 0;

    *first = start;
    if (pt->plen < start)
        return 0;
    n = (guint)MIN((gsize)pt->count, (pt->plen - start) / RB_LEN);
    return n;
}

/* SDES chunk at @p (inside @end): its length with the null item and the
 * padding to 32 bits, 0 when it does not fit. */
static gsize
sdes_chunk_len(const guint8 *p, const guint8 *end)
{
    gsize k = 4;

    if (end - p < 4)
        return 0;
    for (;;) {
        if ((gsize)(end - p) < k + 1)
            return 0;
        if (p[k] == 0)
            break;
        if ((gsize)(end - p) < k + 2)
            return 0;
        k += 2 + p[k + 1];
    }
    k = (k + 1 + 3) & ~(gsize)3; /* the null octet, then to 32 bits */
    return k <= (gsize)(end - p) ? k : 0;
}

static gboolean
is_local(const ScSsrcGuard *guards, guint n, guint32 ssrc)
{
    for (guint i = 0; i < n; i++)
        if (guards[i].have && guards[i].local == ssrc)
            return TRUE;
    return FALSE;
}

static gboolean
known_anywhere(const ScSsrcGuard *guards, guint n, guint32 ssrc,
               gint64 now_us)
{
    for (guint i = 0; i < n; i++)
        if (sc_ssrc_guard_knows(&guards[i], ssrc, now_us))
            return TRUE;
    return FALSE;
}

/* Feedback is kept where its media SSRC is our SSRC of the session, or 0
 * (FIR, REMB, TWCC: the targets are inside). */
static gboolean
fb_for(const ScSsrcGuard *g, const Part *pt)
{
    guint32 media;

    if (pt->plen < 12)
        return FALSE;
    media = rd32(pt->p + 8);
    return g->have && (media == g->local || media == 0);
}

guint
sc_ssrc_guard_rtcp_learn(ScSsrcGuard *guards, guint n, const guint8 *buf,
                         gsize len, gint64 now_us)
{
    gsize off = 0;
    guint dropped = 0;
    Part pt;

    n = MIN(n, 32u);
    while (next_part(buf, len, &off, &pt)) {
        switch (pt.type) {
        case RTCP_SR:
        case RTCP_RR: {
            gsize first;
            guint nb = report_blocks(&pt, &first);
            guint32 sender;
            gboolean kept = FALSE;

            if (pt.plen < first) {
                dropped++;
                break;
            }
            sender = rd32(pt.p + 4);
            for (guint i = 0; i < n; i++) {
                gboolean about_us = FALSE;
                for (guint b = 0; b < nb && !about_us; b++)
                    about_us = guards[i].have &&
                               rd32(pt.p + first + RB_LEN * b) ==
                                   guards[i].local;
                if (sc_ssrc_guard_accept(&guards[i], sender, about_us,
                                         now_us))
                    kept = TRUE;
            }
            if (!kept) {
                dropped++;
                break;
            }
            for (guint b = 0; b < nb; b++)
                if (!is_local(guards, n, rd32(pt.p + first + RB_LEN * b)))
                    dropped++;
            break;
        }
        case RTCP_SDES: {
            const guint8 *c = pt.p + 4, *end = pt.p + pt.plen;
            for (guint k = 0; k < pt.count; k++) {
                gsize cl = sdes_chunk_len(c, end);
                if (cl == 0) {
                    dropped += pt.count - k;
                    break;
                }
                if (!known_anywhere(guards, n, rd32(c), now_us))
                    dropped++;
                c += cl;
            }
            break;
        }
        case RTCP_BYE:
            for (guint k = 0; k < pt.count; k++)
                if (4 + 4 * (gsize)k + 4 > pt.plen ||
                    !known_anywhere(guards, n, rd32(pt.p + 4 + 4 * k),
                                    now_us))
                    dropped++;
            break;
        case RTCP_RTPFB:
        case RTCP_PSFB: {
            gboolean kept = FALSE;
            for (guint i = 0; i < n && !kept; i++)
                kept = fb_for(&guards[i], &pt);
            if (!kept)
                dropped++;
            break;
        }
        default:
            dropped++; /* APP, XR, unknown: rtpbin needs none of them */
            break;
        }
    }
    return dropped;
}

static guint8 *
put_header(guint8 *o, guint8 first, guint count, guint8 type, gsize plen)
{
    gsize words = plen / 4 - 1;

    o[0] = (guint8)((first & 0xc0) | (count & 0x1f)); /* P cleared */
    o[1] = type;
    o[2] = (guint8)(words >> 8);
    o[3] = (guint8)words;
    return o + 4;
}

gsize
sc_ssrc_guard_rtcp_filter(const ScSsrcGuard *guards, guint n, guint idx,
                          const guint8 *buf, gsize len, gint64 now_us,
                          guint8 *out)
{
    const ScSsrcGuard *g;
    gsize off = 0, w = 0;
    Part pt;

    n = MIN(n, 32u);
    if (idx >= n || !guards[idx].have)
        return 0;
    g = &guards[idx];
    while (next_part(buf, len, &off, &pt)) {
        guint8 *o = out + w;

        switch (pt.type) {
        case RTCP_SR:
        case RTCP_RR: {
            gsize first, plen;
            guint nb = report_blocks(&pt, &first), kept = 0;
            guint8 *q;

            if (pt.plen < first || !sc_ssrc_guard_knows(g, rd32(pt.p + 4),
                                                        now_us))
                break;
            q = o + first;
            for (guint b = 0; b < nb; b++) {
                const guint8 *rb = pt.p + first + RB_LEN * b;
                if (rd32(rb) == g->local) {
                    memcpy(q, rb, RB_LEN);
                    q += RB_LEN;
                    kept++;
                }
            }
            plen = (gsize)(q - o);
            memcpy(o + 4, pt.p + 4, first - 4); /* sender (and info) */
            put_header(o, pt.p[0], kept, pt.type, plen);
            w += plen;
            break;
        }
        case RTCP_SDES: {
            const guint8 *c = pt.p + 4, *end = pt.p + pt.plen;
            guint8 *q = o + 4;
            guint kept = 0;

            for (guint k = 0; k < pt.count; k++) {
                gsize cl = sdes_chunk_len(c, end);
                if (cl == 0)
                    break;
                if (sc_ssrc_guard_knows(g, rd32(c), now_us)) {
                    memcpy(q, c, cl);
                    q += cl;
                    kept++;
                }
                c += cl;
            }
            if (kept == 0)
                break;
            put_header(o, pt.p[0], kept, RTCP_SDES, (gsize)(q - o));
            w += (gsize)(q - o);
            break;
        }
        case RTCP_BYE: {
            guint8 *q = o + 4;
            guint kept = 0, k;
            gsize rest;

            for (k = 0; k < pt.count && 8 + 4 * (gsize)k <= pt.plen; k++) {
                const guint8 *s = pt.p + 4 + 4 * k;
                if (sc_ssrc_guard_knows(g, rd32(s), now_us)) {
                    memcpy(q, s, 4);
                    q += 4;
                    kept++;
                }
            }
            if (kept == 0)
                break;
            /* the reason (RFC 3550 §6.6), unless padding follows it */
            rest = pt.plen - (4 + 4 * (gsize)k);
            if (!(pt.p[0] & 0x20) && rest > 0) {
                memcpy(q, pt.p + 4 + 4 * k, rest);
                q += rest;
            }
            put_header(o, pt.p[0], kept, RTCP_BYE, (gsize)(q - o));
            w += (gsize)(q - o);
            break;
        }
        case RTCP_RTPFB:
        case RTCP_PSFB:
            if (fb_for(g, &pt)) {
                memcpy(o, pt.p, pt.plen);
                w += pt.plen;
            }
            break;
        default:
            break;
        }
    }
    if (w == 0 || !gst_rtcp_buffer_validate_data_reduced(out, (guint)w))
        return 0;
    return w;
}
