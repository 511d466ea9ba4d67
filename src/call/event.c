/* src/call/event.c - scripted-mode events (interop contract section 3):
 * a kind plus contract fields, readable as text or as one JSON line.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

static const char *const kind_names[] = {
    [SC_CALL_EVENT_SIGNALING] = "signaling",
    [SC_CALL_EVENT_ICE] = "ice",
    [SC_CALL_EVENT_DTLS] = "dtls",
    [SC_CALL_EVENT_IDENTITY] = "identity",
    [SC_CALL_EVENT_CHANNEL] = "channel",
    [SC_CALL_EVENT_MESSAGE] = "message",
    [SC_CALL_EVENT_MEDIA] = "media",
    [SC_CALL_EVENT_BENCH] = "bench",
    [SC_CALL_EVENT_INSPECTOR] = "inspector",
    [SC_CALL_EVENT_ENDED] = "ended",
    [SC_CALL_EVENT_ERROR] = "error",
    [SC_CALL_EVENT_INCOMING] = "incoming",
    [SC_CALL_EVENT_PRIVACY] = "privacy",
};

const char *
sc_call_event_kind_name(ScCallEventKind kind)
{
    if ((guint)kind >= G_N_ELEMENTS(kind_names))
        return "unknown";
    return kind_names[kind];
}

const char *
sc_end_reason_to_string(ScEndReason reason)
{
    switch (reason) {
    case SC_END_REASON_HANGUP:
        return "hangup";
    case SC_END_REASON_BYE:
        return "bye";
    case SC_END_REASON_CONSENT_EXPIRED:
        return "consent-expired";
    case SC_END_REASON_ICE_FAILED:
        return "ice-failed";
    case SC_END_REASON_DTLS_FAILED:
        return "dtls-failed";
    case SC_END_REASON_FINGERPRINT_MISMATCH:
        return "fingerprint-mismatch";
    case SC_END_REASON_IDENTITY_REJECTED:
        return "identity-rejected";
    case SC_END_REASON_ERROR:
        return "error";
    }
    return "error";
}

ScCallEvent *
sc_call_event_new(ScCallEventKind kind)
{
    ScCallEvent *ev = g_new0(ScCallEvent, 1);
    ev->kind = kind;
    ev->obj = json_object_new();
    ev->strings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        g_free);
    json_object_set_string_member(ev->obj, "event",
                                  sc_call_event_kind_name(kind));
    return ev;
}

void
sc_call_event_free(ScCallEvent *ev)
{
    if (ev == NULL)
        return;
    json_object_unref(ev->obj);
    g_hash_table_unref(ev->strings);
    g_free(ev);
}

void
sc_call_event_set_str(ScCallEvent *ev, const char *name, const char *value)
{
    if (value != NULL && !g_utf8_validate(value, -1, NULL)) {
        /* JSON text is UTF-8 (RFC 8259 §8.1): a string from the peer that
         * is not (a label, a reason) gets U+FFFD for each bad sequence */
        g_autofree char *valid = g_utf8_make_valid(value, -1);
        json_object_set_string_member(ev->obj, name, valid);
    } else if (value != NULL)
        json_object_set_string_member(ev->obj, name, value);
    else
        json_object_set_null_member(ev->obj, name);
}

void
sc_call_event_set_string(ScCallEvent *event, const char *field,
                         const char *value)
{
    g_return_if_fail(event != NULL && field != NULL);
    sc_call_event_set_str(event, field, value);
}

void
sc_call_event_set_int(ScCallEvent *ev, const char *name, gint64 value)
{
    json_object_set_int_member(ev->obj, name, value);
}

void
sc_call_event_set_double(ScCallEvent *ev, const char *name, double v)
{
    json_object_set_double_member(ev->obj, name, v);
}

void
sc_call_event_set_bool(ScCallEvent *ev, const char *name, gboolean v)
{
    json_object_set_boolean_member(ev->obj, name, v);
}

void
sc_call_event_set_node(ScCallEvent *ev, const char *name, JsonNode *node)
{
    json_object_set_member(ev->obj, name, node);
}

ScCallEventKind
sc_call_event_get_kind(const ScCallEvent *event)
{
    g_return_val_if_fail(event != NULL, SC_CALL_EVENT_ERROR);
    return event->kind;
}

ScEndReason
sc_call_event_get_end_reason(const ScCallEvent *event)
{
    g_return_val_if_fail(event != NULL, SC_END_REASON_ERROR);
    return event->reason;
}

const char *
sc_call_event_get_string(const ScCallEvent *event, const char *field)
{
    JsonNode *node;
    char *text;

    g_return_val_if_fail(event != NULL && field != NULL, NULL);
    node = json_object_get_member(event->obj, field);
    if (node == NULL || JSON_NODE_HOLDS_NULL(node))
        return NULL;
    if (JSON_NODE_HOLDS_VALUE(node) &&
        json_node_get_value_type(node) == G_TYPE_STRING)
        return json_node_get_string(node);
    text = g_hash_table_lookup(event->strings, field);
    if (text == NULL) {
        text = json_to_string(node, FALSE);
        g_hash_table_insert(event->strings, g_strdup(field), text);
    }
    return text;
}

char *
sc_call_event_to_json(const ScCallEvent *event)
{
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);

    g_return_val_if_fail(event != NULL, NULL);
    json_node_set_object(root, event->obj);
    return json_to_string(root, FALSE);
}

/* ------------------------------------------------------------------ */
/* events: queued, dispatched from an idle source                       */

static gboolean
dispatch_events(gpointer data)
{
    ScCall *call = data;
    ScCallEvent *ev;

    g_clear_pointer(&call->ev.event_source, g_source_unref);
    sc_call_ref(call);
    while ((ev = g_queue_pop_head(&call->ev.events)) != NULL) {
        if (call->ev.func != NULL)
            call->ev.func(call, ev, call->ev.func_data);
        sc_call_event_free(ev);
    }
    sc_call_unref(call);
    return G_SOURCE_REMOVE;
}

void
sc_call_emit(ScCall *call, ScCallEvent *ev)
{
    g_queue_push_tail(&call->ev.events, ev);
    if (call->ev.event_source == NULL) {
        call->ev.event_source = g_idle_source_new();
        g_source_set_priority(call->ev.event_source, G_PRIORITY_DEFAULT);
        g_source_set_callback(call->ev.event_source, dispatch_events, call,
                              NULL);
        g_source_attach(call->ev.event_source, call->ctx);
    }
}

gboolean
sc_call_post_event(ScCall *call, ScCallEvent *event, GError **error)
{
    g_return_val_if_fail(call != NULL && event != NULL, FALSE);
    if (event->kind != SC_CALL_EVENT_BENCH &&
        event->kind != SC_CALL_EVENT_ERROR) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "an application may post bench and error events only, "
                    "not %s", sc_call_event_kind_name(event->kind));
        sc_call_event_free(event);
        return FALSE;
    }
    if (call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        sc_call_event_free(event);
        return FALSE;
    }
    sc_call_emit(call, event);
    return TRUE;
}

void
sc_call_emit_error(ScCall *call, const char *detail)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_ERROR);
    sc_call_event_set_str(ev, "detail", detail);
    sc_call_emit(call, ev);
}
