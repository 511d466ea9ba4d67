/* src/api/version.c - library version.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include <sealcall/version.h>

const char *
sc_version_string(void)
{
    return PACKAGE_VERSION;
}
