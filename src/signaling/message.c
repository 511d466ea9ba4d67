/* src/signaling/message.c - JSON signaling messages <-> ScSigMsg.
 * Implements the message formats of interop contract section 1 (JSEP
 * offer/answer, RFC 8829; trickle candidates, RFC 8838; JSON, RFC 8259).
 * Pure: no I/O, no globals; GLib, json-glib and core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "signaling"
#include "core/core.h"
#include "signaling/signaling.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const char *const type_names[] = {
    [SC_SIG_MSG_ROOM] = "room",
    [SC_SIG_MSG_PEER_JOINED] = "peer-joined",
    [SC_SIG_MSG_PEER_LEFT] = "peer-left",
    [SC_SIG_MSG_OFFER] = "offer",
    [SC_SIG_MSG_ANSWER] = "answer",
    [SC_SIG_MSG_CANDIDATE] = "candidate",
    [SC_SIG_MSG_BYE] = "bye",
};

const char *
sc_sig_msg_type_to_string(ScSigMsgType type)
{
    if ((guint)type < G_N_ELEMENTS(type_names))
        return type_names[type];
    return "unknown";
}

static ScSigMsgType
type_from_string(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(type_names); i++) {
        if (g_str_equal(name, type_names[i]))
            return (ScSigMsgType)i;
    }
    return SC_SIG_MSG_UNKNOWN;
}

ScSigMsg *
sc_sig_msg_new(ScSigMsgType type)
{
    ScSigMsg *msg = g_new0(ScSigMsg, 1);

    if ((guint)type > SC_SIG_MSG_UNKNOWN)
        type = SC_SIG_MSG_UNKNOWN;
    msg->type = type;
    msg->type_name =
        type == SC_SIG_MSG_UNKNOWN ? NULL
                                   : g_strdup(sc_sig_msg_type_to_string(type));
    msg->peers = -1;
    msg->sdp_mline_index = -1;
    return msg;
}

void
sc_sig_msg_free(ScSigMsg *msg)
{
    if (msg == NULL)
        return;
    g_free(msg->type_name);
    g_free(msg->sdp);
    g_free(msg->candidate);
    g_free(msg->sdp_mid);
    g_free(msg->reason);
    g_free(msg);
}

gboolean
sc_sig_room_name_is_valid(const char *name)
{
    gsize n = 0;

    if (name == NULL)
        return FALSE;
    for (const char *p = name; *p != '\0'; p++, n++) {
        if (n >= SC_SIG_ROOM_NAME_MAX)
            return FALSE;
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return FALSE;
    }
    return n >= 1;
}

static gboolean
is_json_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Length of the RFC 8259 number at @p (at most @n bytes), or 0 if there is
 * none: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?. json-glib
 * alone also takes 01, 0x10, 1. and .5. */
static gsize
json_number_len(const char *p, gsize n)
{
    gsize i = 0;

    if (i < n && p[i] == '-')
        i++;
    if (i < n && p[i] == '0') {
        i++;
    } else if (i < n && p[i] >= '1' && p[i] <= '9') {
        while (i < n && g_ascii_isdigit(p[i]))
            i++;
    } else {
        return 0;
    }
    if (i < n && p[i] == '.') {
        if (++i >= n || !g_ascii_isdigit(p[i]))
            return 0;
        while (i < n && g_ascii_isdigit(p[i]))
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || !g_ascii_isdigit(p[i]))
            return 0;
        while (i < n && g_ascii_isdigit(p[i]))
            i++;
    }
    return i;
}

/* Length of the literal true, false or null at @p, or 0. */
static gsize
json_literal_len(const char *p, gsize n)
{
    static const char *const literals[] = {"true", "false", "null"};

    for (guint k = 0; k < G_N_ELEMENTS(literals); k++) {
        gsize l = strlen(literals[k]);
        if (n >= l && memcmp(p, literals[k], l) == 0)
            return l;
    }
    return 0;
}

/* Checks the escape sequence after the backslash at @p (at most @n
 * bytes): returns its length after the backslash, or 0 if invalid. */
static gsize
json_escape_len(const char *p, gsize n)
{
    if (n == 0)
        return 0;
    if (p[0] != '\0' && strchr("\"\\/bfnrt", p[0]) != NULL)
        return 1;
    if (p[0] != 'u' || n < 5)
        return 0;
    for (gsize i = 1; i < 5; i++) {
        if (!g_ascii_isxdigit(p[i]))
            return 0;
    }
    return 5;
}

/* Cheap pre-scan, so that the recursive parser below never sees hostile
 * input and only RFC 8259 JSON gets through: valid UTF-8 without a NUL
 * byte, the first token opens an object, bracket nesting within the
 * limit, nothing but whitespace after the root object (json-glib alone
 * would accept "{} {}"), and every token strict where json-glib is lax:
 * numbers (01, 0x10, 1., .5), strings (raw control characters, \x and \'
 * escapes, single quotes), comments. json-glib then checks the grammar.
 * Returns NULL if acceptable, else what is wrong. */
static const char *
json_shape_problem(const char *text, gsize len)
{
    guint depth = 0;
    gboolean in_string = FALSE;
    gboolean started = FALSE;
    gboolean ended = FALSE;

    if (memchr(text, '\0', len) != NULL)
        return "contains a NUL byte";
    if (!g_utf8_validate_len(text, len, NULL))
        return "is not valid UTF-8";
    for (gsize i = 0; i < len; i++) {
        char ch = text[i];
        gsize tok;

        if (in_string) {
            if ((guchar)ch < 0x20)
                return "has a control character in a string";
            if (ch == '\\') {
                tok = json_escape_len(text + i + 1, len - i - 1);
                if (tok == 0)
                    return "has an invalid escape in a string";
                i += tok;
            } else if (ch == '"') {
                in_string = FALSE;
            }
            continue;
        }
        if (is_json_space(ch))
            continue;
        if (ended)
            return "has data after the JSON object";
        if (!started) {
            if (ch != '{')
                return "is not a JSON object";
            started = TRUE;
        }
        switch (ch) {
        case '"':
            in_string = TRUE;
            break;
        case '{':
        case '[':
            if (++depth > SC_SIG_MAX_JSON_DEPTH)
                return "nests too deep";
            break;
        case '}':
        case ']':
            if (depth > 0)
                depth--;
            if (depth == 0)
                ended = TRUE;
            break;
        case ',':
        case ':':
            break;
        default:
            tok = json_number_len(text + i, len - i);
            if (tok == 0)
                tok = json_literal_len(text + i, len - i);
            if (tok == 0)
                return "is not valid JSON";
            /* a token ends at whitespace or punctuation: not "1x", "0777",
             * "truex" */
            if (i + tok < len && !is_json_space(text[i + tok]) &&
                strchr(",:]}", text[i + tok]) == NULL)
                return "is not valid JSON";
            i += tok - 1;
            break;
        }
    }
    return NULL;
}

/* Returns the root object of @text, or NULL with @error set. */
static JsonNode *
parse_object(const char *text, gsize len, GError **error)
{
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) local = NULL;
    const char *problem;
    JsonNode *root;

    if (text == NULL || len == 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "signaling message is empty");
        return NULL;
    }
    problem = len > G_MAXSSIZE ? "is too long" : json_shape_problem(text, len);
    if (problem != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "signaling message %s", problem);
        return NULL;
    }
    parser = json_parser_new_immutable();
    if (!json_parser_load_from_data(parser, text, (gssize)len, &local)) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "signaling message is not JSON: %s", local->message);
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "signaling message is not a JSON object");
        return NULL;
    }
    return json_node_ref(root);
}

gboolean
sc_sig_json_is_object(const char *text, gsize len)
{
    JsonNode *root = parse_object(text, len, NULL);

    if (root == NULL)
        return FALSE;
    json_node_unref(root);
    return TRUE;
}

ScSigFrameVerdict
sc_sig_relay_frame_check(const char *text, gsize len)
{
    g_autoptr(JsonNode) root = NULL;
    JsonNode *type;

    if (len > SC_SIG_MAX_FRAME)
        return SC_SIG_FRAME_TOO_BIG;
    root = parse_object(text, len, NULL);
    if (root == NULL)
        return SC_SIG_FRAME_NOT_OBJECT;
    type = json_object_get_member(json_node_get_object(root), "type");
    if (type != NULL && JSON_NODE_HOLDS_VALUE(type) &&
        json_node_get_value_type(type) == G_TYPE_STRING) {
        switch (type_from_string(json_node_get_string(type))) {
        case SC_SIG_MSG_ROOM:
        case SC_SIG_MSG_PEER_JOINED:
        case SC_SIG_MSG_PEER_LEFT:
            return SC_SIG_FRAME_RESERVED_TYPE;
        default:
            break;
        }
    }
    return SC_SIG_FRAME_OK;
}

const char *
sc_sig_frame_verdict_to_string(ScSigFrameVerdict verdict)
{
    switch (verdict) {
    case SC_SIG_FRAME_OK:
        return "accepted";
    case SC_SIG_FRAME_TOO_BIG:
        return "larger than 256 KiB";
    case SC_SIG_FRAME_NOT_OBJECT:
        return "not a JSON object";
    case SC_SIG_FRAME_RESERVED_TYPE:
        return "of a type reserved to the relay";
    default:
        return "unknown";
    }
}

typedef enum { FIELD_OPTIONAL, FIELD_REQUIRED } FieldNeed;

/* Member @name of @obj, or NULL when it is absent (or null, if optional):
 * then *done says whether that is fine (TRUE) or an error was set. */
static JsonNode *
get_member(JsonObject *obj, const char *name, FieldNeed need,
           const char *type, gboolean *done, GError **error)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (node != NULL &&
        !(need == FIELD_OPTIONAL && JSON_NODE_HOLDS_NULL(node)))
        return node;
    *done = need == FIELD_OPTIONAL;
    if (!*done)
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "%s message without \"%s\"", type, name);
    return NULL;
}

/* Reads string member @name into *out. Absent (or null, when optional):
 * *out stays NULL. Wrong type: error. */
static gboolean
get_string(JsonObject *obj, const char *name, FieldNeed need, char **out,
           const char *type, GError **error)
{
    gboolean done = FALSE;
    JsonNode *node = get_member(obj, name, need, type, &done, error);

    if (node == NULL)
        return done;
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "%s message: \"%s\" must be a string", type, name);
        return FALSE;
    }
    if (!g_utf8_validate(json_node_get_string(node), -1, NULL)) {
        /* json-glib decodes lone surrogate escapes into invalid UTF-8 */
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "%s message: \"%s\" is not valid Unicode", type, name);
        return FALSE;
    }
    *out = g_strdup(json_node_get_string(node));
    return TRUE;
}

/* Reads integer member @name in [0, max] into *out (left alone if absent
 * or null and optional). */
static gboolean
get_int(JsonObject *obj, const char *name, FieldNeed need, gint64 max,
        int *out, const char *type, GError **error)
{
    gboolean done = FALSE;
    JsonNode *node = get_member(obj, name, need, type, &done, error);
    gint64 v;

    if (node == NULL)
        return done;
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_INT64) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "%s message: \"%s\" must be an integer", type, name);
        return FALSE;
    }
    v = json_node_get_int(node);
    if (v < 0 || v > max) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "%s message: \"%s\" out of range", type, name);
        return FALSE;
    }
    *out = (int)v;
    return TRUE;
}

ScSigMsg *
sc_sig_msg_parse(const char *text, gsize len, GError **error)
{
    g_autoptr(JsonNode) root = parse_object(text, len, error);
    g_autoptr(ScSigMsg) msg = NULL;
    g_autofree char *type_name = NULL;
    JsonObject *obj;
    const char *t;
    gboolean ok = TRUE;

    if (root == NULL)
        return NULL;
    obj = json_node_get_object(root);
    if (!get_string(obj, "type", FIELD_REQUIRED, &type_name, "signaling",
                    error))
        return NULL;

    msg = sc_sig_msg_new(type_from_string(type_name));
    g_free(msg->type_name);
    msg->type_name = g_steal_pointer(&type_name);
    t = msg->type_name;

    switch (msg->type) {
    case SC_SIG_MSG_ROOM:
        ok = get_int(obj, "peers", FIELD_REQUIRED, G_MAXINT, &msg->peers, t,
                     error);
        break;
    case SC_SIG_MSG_OFFER:
    case SC_SIG_MSG_ANSWER:
        ok = get_string(obj, "sdp", FIELD_REQUIRED, &msg->sdp, t, error);
        break;
    case SC_SIG_MSG_CANDIDATE:
        ok = get_string(obj, "candidate", FIELD_REQUIRED, &msg->candidate, t,
                        error) &&
             get_string(obj, "sdpMid", FIELD_OPTIONAL, &msg->sdp_mid, t,
                        error) &&
             get_int(obj, "sdpMLineIndex", FIELD_OPTIONAL, G_MAXUINT16,
                     &msg->sdp_mline_index, t, error);
        break;
    case SC_SIG_MSG_BYE:
        ok = get_string(obj, "reason", FIELD_OPTIONAL, &msg->reason, t, error);
        break;
    case SC_SIG_MSG_PEER_JOINED:
    case SC_SIG_MSG_PEER_LEFT:
    case SC_SIG_MSG_UNKNOWN:
    default:
        break;
    }
    if (!ok)
        return NULL;
    return g_steal_pointer(&msg);
}

/* Appends @value as a JSON string (RFC 8259 section 7): quotes, backslash
 * and every control character escaped, invalid UTF-8 replaced, so that
 * strict parsers (browsers' JSON.parse) accept the output. */
static void
append_json_string(GString *out, const char *value)
{
    g_autofree char *valid = g_utf8_make_valid(value, -1);

    g_string_append_c(out, '"');
    for (const char *p = valid; *p != '\0'; p++) {
        guchar ch = (guchar)*p;

        switch (ch) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (ch < 0x20 || ch == 0x7f)
                g_string_append_printf(out, "\\u%04x", ch);
            else
                g_string_append_c(out, (char)ch);
            break;
        }
    }
    g_string_append_c(out, '"');
}

static void
append_member_string(GString *out, const char *name, const char *value)
{
    g_string_append_printf(out, ",\"%s\":", name);
    append_json_string(out, value);
}

char *
sc_sig_msg_to_json(const ScSigMsg *msg)
{
    GString *out;
    const char *type_name;

    g_return_val_if_fail(msg != NULL, NULL);

    type_name = sc_sig_msg_type_to_string(msg->type);
    if (msg->type == SC_SIG_MSG_UNKNOWN && msg->type_name != NULL)
        type_name = msg->type_name;

    out = g_string_new("{\"type\":");
    append_json_string(out, type_name);
    switch (msg->type) {
    case SC_SIG_MSG_ROOM:
        g_string_append_printf(out, ",\"peers\":%d", MAX(msg->peers, 0));
        break;
    case SC_SIG_MSG_OFFER:
    case SC_SIG_MSG_ANSWER:
        append_member_string(out, "sdp", msg->sdp != NULL ? msg->sdp : "");
        break;
    case SC_SIG_MSG_CANDIDATE:
        append_member_string(out, "candidate",
                             msg->candidate != NULL ? msg->candidate : "");
        if (msg->sdp_mid != NULL)
            append_member_string(out, "sdpMid", msg->sdp_mid);
        if (msg->sdp_mline_index >= 0)
            g_string_append_printf(out, ",\"sdpMLineIndex\":%d",
                                   msg->sdp_mline_index);
        break;
    case SC_SIG_MSG_BYE:
        if (msg->reason != NULL)
            append_member_string(out, "reason", msg->reason);
        break;
    case SC_SIG_MSG_PEER_JOINED:
    case SC_SIG_MSG_PEER_LEFT:
    case SC_SIG_MSG_UNKNOWN:
    default:
        break;
    }
    g_string_append_c(out, '}');
    return g_string_free(out, FALSE);
}

void
sc_sig_bucket_init(ScSigBucket *b, gint64 now_us, guint burst)
{
    b->tokens = burst;
    b->last_us = now_us;
}

gboolean
sc_sig_bucket_take(ScSigBucket *b, gint64 now_us, guint rate, guint burst)
{
    if (now_us > b->last_us)
        b->tokens += (double)(now_us - b->last_us) * rate / G_USEC_PER_SEC;
    b->tokens = MIN(b->tokens, (double)burst);
    b->last_us = now_us;
    if (b->tokens < 1.0)
        return FALSE;
    b->tokens -= 1.0;
    return TRUE;
}
