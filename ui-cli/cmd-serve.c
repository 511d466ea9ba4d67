/* ui-cli/cmd-serve.c - `sealcall serve` (placeholder).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"
#include <sealcall/sealcall.h>
#include <stdio.h>

int
cli_serve_main(int argc, char **argv)
{
    fprintf(stderr, "sealcall serve: not built yet\n");
    return CLI_EXIT_FAILURE;
}
