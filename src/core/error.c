/* src/core/error.c - the SC_ERROR domain and data-plane status names.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"

G_DEFINE_QUARK(sealcall-error-quark, sc_error)

const char *
sc_status_to_string(ScStatus status)
{
    static const char *const names[SC_STATUS_N] = {
        [SC_OK] = "ok",
        [SC_DROP_MALFORMED] = "malformed",
        [SC_DROP_AUTH] = "authentication-failed",
        [SC_DROP_REPLAY] = "replayed",
        [SC_DROP_UNKNOWN] = "unknown",
        [SC_DROP_NO_ROUTE] = "no-route",
        [SC_DROP_STATE] = "not-ready",
        [SC_DROP_NOSPACE] = "no-space",
    };
    if ((guint)status >= SC_STATUS_N)
        return "invalid-status";
    return names[status];
}
