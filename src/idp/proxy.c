/* src/idp/proxy.c - the IdP proxy scripts (src/idp/proxy/default.js and seed.js), compiled
 * into the library as a GResource.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "idp/idp-priv.h"

#include <gio/gio.h>

GResource *sc_idp_get_resource(void);

GBytes *
idp_proxy_script(const char *name)
{
    g_autofree char *path = NULL;

    /* only the names we ship: no path can be built from the request */
    if (!g_str_equal(name, "default") && !g_str_equal(name, "seed"))
        return NULL;
    path = g_strdup_printf("/org/sealcall/idp/%s.js", name);
    return g_resource_lookup_data(sc_idp_get_resource(), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}
