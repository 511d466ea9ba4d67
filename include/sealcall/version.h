/* sealcall - version.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_VERSION_H
#define SC_VERSION_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * sc_version_string:
 * Returns: (transfer none): the library version, such as "0.1.0".
 * Since: 0.1
 */
SC_API const char *sc_version_string(void);

G_END_DECLS

#endif /* SC_VERSION_H */
