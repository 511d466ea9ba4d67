/* src/identity/sandbox-prelude.h - the prelude script of the IdP sandbox,
 * built from sandbox-prelude.js into sandbox-prelude.c (Makefile.inc).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SANDBOX_PRELUDE_H
#define SC_SANDBOX_PRELUDE_H

extern const char sc_sandbox_prelude_js[];

#endif /* SC_SANDBOX_PRELUDE_H */
