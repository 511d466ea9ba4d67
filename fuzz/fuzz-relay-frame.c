/* fuzz/fuzz-relay-frame.c - the relay's decision on a participant's text
 * frame (interop contract section 1), sc_sig_relay_frame_check().
 * Properties: a frame accepted for forwarding is at most 256 KiB, parses
 * with json-glib as one object, and does not carry a type of the relay's
 * own (room, peer-joined, peer-left); the verdict agrees with
 * sc_sig_json_is_object(). Links the pure codec and core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "signaling/signaling.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
is_reserved(const char *type)
{
    return g_str_equal(type, "room") || g_str_equal(type, "peer-joined") ||
           g_str_equal(type, "peer-left");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ScSigFrameVerdict verdict = sc_sig_relay_frame_check(text, size);
    g_autoptr(JsonParser) parser = NULL;
    JsonNode *root;
    JsonNode *type;

    if (sc_sig_frame_verdict_to_string(verdict) == NULL)
        abort();
    if (size > SC_SIG_MAX_FRAME) {
        if (verdict != SC_SIG_FRAME_TOO_BIG)
            abort();
        return 0;
    }
    if (sc_sig_json_is_object(text, size) !=
        (verdict != SC_SIG_FRAME_NOT_OBJECT))
        abort(); /* one JSON rule for the relay and the endpoint */
    if (verdict != SC_SIG_FRAME_OK)
        return 0;

    /* forwarded: an object json-glib reads, not speaking for the relay */
    parser = json_parser_new_immutable();
    if (!json_parser_load_from_data(parser, text, (gssize)size, NULL))
        abort();
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        abort();
    type = json_object_get_member(json_node_get_object(root), "type");
    if (type != NULL && JSON_NODE_HOLDS_VALUE(type) &&
        json_node_get_value_type(type) == G_TYPE_STRING &&
        is_reserved(json_node_get_string(type)))
        abort();
    /* no NUL byte, valid UTF-8: what a browser's JSON.parse would take */
    if (memchr(text, '\0', size) != NULL || !g_utf8_validate_len(text, size,
                                                                 NULL))
        abort();
    return 0;
}
