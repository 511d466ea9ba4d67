/* fuzz/fuzz-sigmsg.c - signaling message codec (interop contract section 1).
 * Property: whatever parses, prints as JSON that parses again to the same
 * type, and printing is stable. Links the pure codec and core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "signaling/signaling.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(ScSigMsg) first = NULL;
    g_autoptr(ScSigMsg) second = NULL;
    g_autofree char *printed = NULL;
    g_autofree char *reprinted = NULL;

    /* the relay's check must never crash either */
    (void)sc_sig_json_is_object((const char *)data, size);

    first = sc_sig_msg_parse((const char *)data, size, NULL);
    if (first == NULL)
        return 0; /* rejecting is fine; crashing is not */
    printed = sc_sig_msg_to_json(first);
    if (printed == NULL)
        abort();
    second = sc_sig_msg_parse(printed, strlen(printed), NULL);
    if (second == NULL || second->type != first->type)
        abort(); /* whatever we print, we read back as the same type */
    reprinted = sc_sig_msg_to_json(second);
    if (reprinted == NULL || strcmp(printed, reprinted) != 0)
        abort(); /* printing is stable */
    return 0;
}
