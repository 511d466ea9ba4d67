/* src/api/internal.c - anchor object of the internal convenience library,
 * which gathers every module library (see Makefile.am).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include <glib.h>

/* Keeps this translation unit non-empty (ISO C forbids empty units). */
typedef int sc_internal_anchor_t;
