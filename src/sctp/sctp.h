/* src/sctp/sctp.h - SCTP association over DTLS (RFC 8261, RFC 8831) with
 * usrsctp (AF_CONN, no threads) and WebRTC data channels (RFC 8832).
 *
 * Threading: every function must be called from the thread that iterates
 * the GMainContext given to sc_sctp_assoc_new(); all associations of a
 * process must share that context (usrsctp's timer pump is global).
 *
 * Callbacks and re-entrancy:
 *  - cb->send() may be called synchronously from any sc_sctp_assoc_*()
 *    function except sc_sctp_assoc_free() (usrsctp emits packets as soon as
 *    it can). It must not call back into this module.
 *  - All other callbacks run only from sc_sctp_assoc_receive(), from the
 *    10 ms timer, or from an idle source on the context: never from inside
 *    start/open_channel/send/close_channel/close. They may call any
 *    function of this module, including sc_sctp_assoc_free() (the free is
 *    then deferred until the callback returns; no further callback runs).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SCTP_H
#define SC_SCTP_H

#include "core/core.h"
#include "sctp/dcep.h"

G_BEGIN_DECLS

typedef struct ScSctpAssoc ScSctpAssoc;

/* Limits on the channels the peer opens (RFC 8832 leaves them to the
 * receiver; DCEP allows labels of 65535 bytes and SCTP 65535 streams).
 * A DATA_CHANNEL_OPEN beyond either is refused the RFC 8832 section 6 way
 * (no ACK, the stream is reset, so the peer sees its channel close),
 * without copying its label and without telling the user about a channel:
 * only on_channel_refused() reports it, once per association.
 *  - SC_SCTP_MAX_REMOTE_CHANNELS: peer-opened streams we hold at once
 *    (open or still closing); 1024 is far above what applications use
 *    (browsers' own default is 65535 streams, but pages open a handful).
 *  - SC_SCTP_MAX_LABEL_LEN: bytes of label, and of protocol, each. */
#define SC_SCTP_MAX_REMOTE_CHANNELS 1024
#define SC_SCTP_MAX_LABEL_LEN 1024

typedef enum {
    SC_SCTP_STATE_NEW,
    SC_SCTP_STATE_CONNECTING,
    SC_SCTP_STATE_CONNECTED,
    SC_SCTP_STATE_CLOSED,
    SC_SCTP_STATE_FAILED,
    SC_SCTP_N_STATES
} ScSctpState;

const char *sc_sctp_state_to_string(ScSctpState state);

typedef struct {
    /* One SCTP packet to hand to DTLS (borrowed buffer). */
    void (*send)(gpointer user_data, const guint8 *buf, gsize len);
    /* @error (borrowed, nullable) is set for FAILED. */
    void (*on_state)(gpointer user_data, ScSctpState state,
                     const GError *error);
    /* Local channels: when our DCEP OPEN has gone to SCTP (RFC 8832 §6:
     * we may send from then on; browsers report open there too).
     * Remote channels: when the DCEP OPEN arrives (we have queued the ACK). */
    void (*on_channel_open)(gpointer user_data, guint16 sid,
                            const char *label, const char *protocol,
                            gboolean remote);
    /* Both directions of the stream are reset (or the association ended);
     * the sid may be reused from now on. */
    void (*on_channel_closed)(gpointer user_data, guint16 sid);
    /* One whole message; @data is borrowed; empty messages have len 0. */
    void (*on_message)(gpointer user_data, guint16 sid, gboolean binary,
                       const guint8 *data, gsize len);
    /* Buffered amount went from above the threshold to at or below it. */
    void (*on_buffered_amount_low)(gpointer user_data, guint16 sid);
    /* The first DATA_CHANNEL_OPEN of this association that we refused
     * (over a limit above, malformed, wrong sid parity, stream in use);
     * @why is a static English phrase. Later refusals are only counted
     * (sc_sctp_assoc_get_refused_channels()). */
    void (*on_channel_refused)(gpointer user_data, guint16 sid,
                               const char *why);
} ScSctpCallbacks;

/* Creates an association (no packet is sent until start). @ctx: the owner
 * context (NULL = thread-default). @dtls_client decides the sid parity
 * (even for the DTLS client, odd for the server). @remote_max_message_size
 * is the peer's a=max-message-size (0 = unlimited). @cb is copied; every
 * member except send may be NULL. @log_id is copied. Several associations
 * may coexist (distinct ports are not needed: each has its own AF_CONN
 * address). SC_ERROR_SCTP_FAILED if usrsctp refuses the socket setup. */
/* Initialises usrsctp for the process (idempotent, thread-safe).
 * sc_sctp_assoc_new() does it too; calling it before a call is set up
 * keeps usrsctp's start-up (interface scan, stack init: ~2 ms) off the
 * path from DTLS connected to the first data channel. */
void sc_sctp_global_init(void);

ScSctpAssoc *sc_sctp_assoc_new(GMainContext *ctx, const char *log_id,
                               gboolean dtls_client, guint16 local_port,
                               guint16 remote_port,
                               guint64 remote_max_message_size,
                               const ScSctpCallbacks *cb, gpointer user_data,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Both sides connect() (RFC 8841: both active, same port). Call once DTLS
 * is connected. SC_ERROR_INVALID_STATE if already started. */
/* Fixed SCTP path MTU (no PMTUD). Default 1200; a DTLS transport below
 * must lower it by its record overhead (DTLS_get_data_mtu) so that one SCTP
 * packet always fits one DTLS record. Call before sc_sctp_assoc_start(). */
void sc_sctp_assoc_set_path_mtu(ScSctpAssoc *a, guint mtu);
gboolean sc_sctp_assoc_start(ScSctpAssoc *a, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* One decrypted DTLS record = one SCTP packet (borrowed). */
void sc_sctp_assoc_receive(ScSctpAssoc *a, const guint8 *buf, gsize len);

/* Opens an in-band (DCEP) channel. Even sids for the DTLS client, odd for
 * the server; the lowest free one is used. @max_retransmits and
 * @max_lifetime_ms are -1 when unset (at most one may be set). May be
 * called before CONNECTED: the OPEN is queued and sent on connect.
 * Messages may be sent right away (they go out ordered until the ACK). */
gboolean sc_sctp_assoc_open_channel(ScSctpAssoc *a, const char *label,
                                    const char *protocol, gboolean ordered,
                                    int max_retransmits, int max_lifetime_ms,
                                    guint16 *sid_out, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Reliability parameters of an existing channel (local or remote). */
gboolean sc_sctp_assoc_get_channel_params(ScSctpAssoc *a, guint16 sid,
                                          gboolean *ordered,
                                          int *max_retransmits,
                                          int *max_lifetime_ms);

/* Queues one message. SC_ERROR_INVALID_ARGUMENT if @len exceeds the
 * remote max-message-size (0 = unlimited) or our send buffer, or text is
 * not UTF-8; SC_ERROR_INVALID_STATE if the channel is not open/opening or
 * the association is closed/failed. Never fails because usrsctp's buffer
 * is full: the message waits in our per-channel queue and counts in the
 * buffered amount (back-pressure is visible there). @data is copied. */
gboolean sc_sctp_assoc_send(ScSctpAssoc *a, guint16 sid, gboolean binary,
                            const guint8 *data, gsize len, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Bytes accepted by sc_sctp_assoc_send() and not yet handed to SCTP. */
gsize sc_sctp_assoc_get_buffered_amount(ScSctpAssoc *a, guint16 sid);
void sc_sctp_assoc_set_buffered_amount_low_threshold(ScSctpAssoc *a,
                                                     guint16 sid,
                                                     gsize threshold);

/* RFC 8831 section 6.7: queued messages are flushed, then the outgoing
 * stream is reset; the peer resets its own; then both sides report
 * on_channel_closed and the sid becomes reusable. */
void sc_sctp_assoc_close_channel(ScSctpAssoc *a, guint16 sid);

/* Graceful SHUTDOWN when connected (CLOSED is reported when it completes),
 * otherwise an abort with CLOSED reported from an idle source. */
void sc_sctp_assoc_close(ScSctpAssoc *a);

/* Graceful close when connected: every message sc_sctp_assoc_send()
 * accepted (before or during the drain: a channel's first messages may
 * follow its open) is handed to usrsctp first, then the SHUTDOWN goes out;
 * CLOSED is reported when SHUTDOWN_COMPLETE arrives, i.e. once the peer
 * has acknowledged every message. Sends are accepted until the SHUTDOWN
 * is issued. Not connected: as sc_sctp_assoc_close(). The caller bounds
 * the wait (a peer that stops acknowledging would keep it open). */
void sc_sctp_assoc_shutdown(ScSctpAssoc *a);
/* Releases everything; never calls any callback (not even send: the
 * association is aborted silently). NULL is ignored. */
void sc_sctp_assoc_free(ScSctpAssoc *a);

ScSctpState sc_sctp_assoc_get_state(ScSctpAssoc *a);

/* 262144: what we advertise in SDP (a=max-message-size) and the largest
 * message we reassemble. */
guint64 sc_sctp_assoc_get_local_max_message_size(void);

/* DATA_CHANNEL_OPENs refused so far. */
guint64 sc_sctp_assoc_get_refused_channels(ScSctpAssoc *a);

/* Channel records the association holds (open, opening or closing;
 * refused streams until their reset completes). For tests. */
guint sc_sctp_assoc_get_n_channels(ScSctpAssoc *a);

/* Packets dropped for a wrong checksum so far. */
guint64 sc_sctp_assoc_get_bad_checksums(ScSctpAssoc *a);

/* ---- the SCTP checksum (crc32c.c) ----
 * usrsctp runs with checksum offload on: sc_sctp_assoc_receive() checks
 * each packet's checksum before usrsctp sees it, and every packet usrsctp
 * sends gets its checksum filled in on the way out. */

/* CRC32c of @buf (the final value, as RFC 9260 appendix A computes it),
 * with the CPU's crc32 instruction when it has one. */
guint32 sc_crc32c(const guint8 *buf, gsize len);
/* The same without the instruction (for tests). */
guint32 sc_crc32c_portable(const guint8 *buf, gsize len);
/* Whether sc_crc32c() uses the instruction. */
gboolean sc_crc32c_is_hardware(void);
/* Writes the checksum of the SCTP packet @pkt into its common header. */
void sc_sctp_checksum_fill(guint8 *pkt, gsize len);
/* Whether the checksum in @pkt's common header is right (FALSE for a
 * packet shorter than the header). */
gboolean sc_sctp_checksum_ok(const guint8 *pkt, gsize len);

G_END_DECLS

#endif /* SC_SCTP_H */
