/* src/idp/server-priv.h - the IdP server's state, shared by server.c and
 * login-page.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_IDP_SERVER_PRIV_H
#define SC_IDP_SERVER_PRIV_H

#include "idp/idp-priv.h"

#include <libsoup/soup.h>

#define IDP_PROXY_PREFIX "/.well-known/idp-proxy/"
/* __Host- cookies: Secure, Path=/, no Domain (RFC 6265bis §4.1.3.2) */
#define IDP_SESSION_COOKIE "__Host-sc_idp_session"
#define IDP_CSRF_COOKIE "__Host-sc_idp_csrf"

struct ScIdpServer {
    GMainContext *ctx;
    SoupServer *server;
    IdpKey *key;
    IdpUsers *users;
    IdpLogin *login;
    GHashTable *requests; /* SoupServerMessage (ref) -> gint64 start */
    GSource *sweep;       /* closes requests that take too long */
    char *domain;         /* identities are USER@domain */
    char *issuer;         /* https://domain[:port] */
    guint16 port;
    guint lifetime;
};

void idp_respond(SoupServerMessage *msg, guint status, const char *type,
                 const char *body);
void idp_respond_error(SoupServerMessage *msg, guint status,
                       const char *detail, const char *message,
                       const char *login_url);
char *idp_request_cookie(SoupServerMessage *msg, const char *name);
gboolean idp_request_same_origin(SoupServerMessage *msg);
/* login-page.c: serves /login, /login/done, /login/done.js and /logout;
 * FALSE for other paths. */
gboolean idp_login_route(ScIdpServer *idp, SoupServerMessage *msg, const char *path,
                         gboolean get, gboolean post);

#endif /* SC_IDP_SERVER_PRIV_H */
