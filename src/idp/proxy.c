/* src/idp/proxy.c - the IdP proxy script (src/idp/proxy/idp-proxy.js,
 * one for both protocols: it picks one by the path it was loaded from),
 * compiled into the library as a GResource.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "idp/idp-priv.h"

#include <gio/gio.h>

GResource *sc_idp_get_resource(void);

GBytes *
idp_proxy_script(const char *name)
{
    /* only the names we ship: no path is built from the request */
    if (!g_str_equal(name, "default") && !g_str_equal(name, "seed"))
        return NULL;
    return g_resource_lookup_data(sc_idp_get_resource(),
                                  "/org/sealcall/idp/idp-proxy.js",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}
