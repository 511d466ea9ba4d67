/* ui-cli/main.c - the sealcall terminal program (placeholder).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sealcall/sealcall.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    printf("sealcall %s\n", sc_version_string());
    return 0;
}
