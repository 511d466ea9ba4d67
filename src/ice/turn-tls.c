/* src/ice/turn-tls.c - TURN over TLS (turns:, RFC 7065 / RFC 8656 §3.1)
 * for libnice. libnice 0.1.21 has no TLS for a standard (RFC 5245) agent:
 * its TURN_TLS type sends TURN in the clear over TCP. So for a turns:
 * server libnice is given a TURN-over-TCP server on 127.0.0.1:PORT, a
 * listener of ours that takes one connection (libnice's) and splices it
 * to a TLS connection to the real server: GIO's TLS (glib-networking),
 * the server's certificate verified against the system's trust anchors
 * and the configured extra ones (--ca), for the server's IP address
 * (its certificate needs that IP in subjectAltName). A certificate that
 * does not verify ends the connection: libnice's allocation then fails,
 * and no byte of TURN (credentials included) has left in the clear.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice-priv.h"

#include <gio/gio.h>

struct ScTurnTlsProxy {
    grefcount ref;               /* ours, and one per pending operation */
    GMainContext *ctx;
    char *log_id;
    char *host;
    guint16 port;
    char *redacted;
    GList *anchors;              /* of GTlsCertificate: the --ca ones */
    GSocketListener *listener;
    guint16 local_port;
    GCancellable *cancel;
    GSocketConnection *local;    /* libnice's connection to us */
    GSocketClient *client;
    void (*on_failed)(gpointer user_data);
    gpointer user_data;
};

static void proxy_unref(ScTurnTlsProxy *p);

static ScTurnTlsProxy *
proxy_ref(ScTurnTlsProxy *p)
{
    g_ref_count_inc(&p->ref);
    return p;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScTurnTlsProxy, proxy_unref)

static void
proxy_closure_unref(gpointer data, GClosure *closure)
{
    (void)closure;
    proxy_unref(data);
}

static void
on_spliced(GObject *src, GAsyncResult *res, gpointer data)
{
    g_autoptr(ScTurnTlsProxy) p = data;
    g_autoptr(GError) error = NULL;

    if (!g_io_stream_splice_finish(res, &error) &&
        !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        SC_LOG_INFO(p->log_id, "TURN server %s: TLS connection ended: %s",
                    p->redacted, error->message);
}

/* The extra trust anchors: a certificate the system does not know is
 * accepted if it verifies, for the server's address, against one of
 * them; any other error (expired, wrong address, ...) is not forgiven. */
static gboolean
on_accept_certificate(GTlsConnection *conn, GTlsCertificate *peer,
                      GTlsCertificateFlags errors, gpointer data)
{
    ScTurnTlsProxy *p = data;
    g_autoptr(GSocketConnectable) id = g_network_address_new(p->host, p->port);

    (void)conn;
    if (errors == G_TLS_CERTIFICATE_UNKNOWN_CA) {
        for (GList *l = p->anchors; l != NULL; l = l->next)
            if (g_tls_certificate_verify(peer, id, l->data) == 0)
                return TRUE;
    }
    SC_LOG_WARN(p->log_id, "TURN server %s: certificate refused (flags "
                           "0x%x%s)",
                p->redacted, (guint)errors,
                errors == G_TLS_CERTIFICATE_UNKNOWN_CA
                    ? ": not signed by a trusted CA (--ca)"
                    : "");
    return FALSE;
}

static void
on_client_event(GSocketClient *client, GSocketClientEvent event,
                GSocketConnectable *connectable, GIOStream *conn,
                gpointer data)
{
    (void)client;
    (void)connectable;
    if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && G_IS_TLS_CONNECTION(conn))
        g_signal_connect_data(conn, "accept-certificate",
                              G_CALLBACK(on_accept_certificate),
                              proxy_ref(data),
                              proxy_closure_unref, 0);
}

static void
on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
    g_autoptr(ScTurnTlsProxy) p = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketConnection) remote =
        g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res, &error);

    if (remote == NULL) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return;
        /* libnice sees its connection close: the allocation fails */
        SC_LOG_WARN(p->log_id, "TURN server %s: no TLS connection: %s",
                    p->redacted, error->message);
        g_io_stream_close(G_IO_STREAM(p->local), NULL, NULL);
        if (p->on_failed != NULL)
            p->on_failed(p->user_data);
        return;
    }
    SC_LOG_INFO(p->log_id, "TURN server %s: TLS connected", p->redacted);
    g_main_context_push_thread_default(p->ctx);
    g_io_stream_splice_async(G_IO_STREAM(p->local), G_IO_STREAM(remote),
                             G_IO_STREAM_SPLICE_CLOSE_STREAM1 |
                                 G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                             G_PRIORITY_DEFAULT, p->cancel, on_spliced,
                             proxy_ref(p));
    g_main_context_pop_thread_default(p->ctx);
}

static void
on_accepted(GObject *src, GAsyncResult *res, gpointer data)
{
    g_autoptr(ScTurnTlsProxy) p = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketConnectable) addr = NULL;
    GSocketConnection *conn =
        g_socket_listener_accept_finish(G_SOCKET_LISTENER(src), res, NULL,
                                        &error);

    if (conn == NULL) {
        if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            SC_LOG_WARN(p->log_id, "TURN server %s: local accept: %s",
                        p->redacted, error->message);
        return;
    }
    /* one connection (libnice's): nobody else gets in afterwards */
    p->local = conn;
    g_socket_listener_close(p->listener);
    addr = g_network_address_new(p->host, p->port);
    p->client = g_socket_client_new();
    g_socket_client_set_tls(p->client, TRUE);
    g_socket_client_set_timeout(p->client, 10);
    g_signal_connect(p->client, "event", G_CALLBACK(on_client_event), p);
    g_main_context_push_thread_default(p->ctx);
    g_socket_client_connect_async(p->client, addr, p->cancel, on_connected,
                                  proxy_ref(p));
    g_main_context_pop_thread_default(p->ctx);
}

ScTurnTlsProxy *
sc_turn_tls_proxy_new(GMainContext *ctx, const char *log_id,
                      const ScTurnServer *server, const char *ca_file,
                      void (*on_failed)(gpointer user_data),
                      gpointer user_data, GError **error)
{
    ScTurnTlsProxy *p = g_new0(ScTurnTlsProxy, 1);
    g_autoptr(GSocketAddress) any = NULL;
    g_autoptr(GSocketAddress) effective = NULL;

    g_ref_count_init(&p->ref);
    p->ctx = g_main_context_ref(ctx);
    p->log_id = g_strdup(log_id);
    p->host = g_strdup(server->host);
    p->port = server->port;
    p->redacted = g_strdup(server->url_redacted);
    p->cancel = g_cancellable_new();
    p->on_failed = on_failed;
    p->user_data = user_data;
    if (ca_file != NULL) {
        p->anchors = g_tls_certificate_list_new_from_file(ca_file, error);
        if (p->anchors == NULL) {
            g_prefix_error(error, "--ca %s: ", ca_file);
            sc_turn_tls_proxy_free(p);
            return NULL;
        }
    }
    p->listener = g_socket_listener_new();
    g_socket_listener_set_backlog(p->listener, 1);
    any = g_inet_socket_address_new_from_string("127.0.0.1", 0);
    if (!g_socket_listener_add_address(p->listener, any, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL,
                                       &effective, error)) {
        sc_turn_tls_proxy_free(p);
        return NULL;
    }
    p->local_port =
        g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
    g_main_context_push_thread_default(p->ctx);
    g_socket_listener_accept_async(p->listener, p->cancel, on_accepted,
                                   proxy_ref(p));
    g_main_context_pop_thread_default(p->ctx);
    return p;
}

guint16
sc_turn_tls_proxy_get_port(ScTurnTlsProxy *p)
{
    return p->local_port;
}

static void
proxy_unref(ScTurnTlsProxy *p)
{
    if (!g_ref_count_dec(&p->ref))
        return;
    g_clear_object(&p->local);
    if (p->client != NULL)
        g_signal_handlers_disconnect_by_data(p->client, p);
    g_clear_object(&p->client);
    g_clear_object(&p->listener);
    g_clear_object(&p->cancel);
    g_list_free_full(p->anchors, g_object_unref);
    g_free(p->redacted);
    g_free(p->host);
    g_free(p->log_id);
    g_main_context_unref(p->ctx);
    g_free(p);
}

/* Ends every operation (each drops its reference as it returns,
 * cancelled) and closes both connections. */
void
sc_turn_tls_proxy_free(ScTurnTlsProxy *p)
{
    if (p == NULL)
        return;
    g_cancellable_cancel(p->cancel);
    if (p->listener != NULL)
        g_socket_listener_close(p->listener);
    if (p->local != NULL)
        g_io_stream_close(G_IO_STREAM(p->local), NULL, NULL);
    proxy_unref(p);
}
