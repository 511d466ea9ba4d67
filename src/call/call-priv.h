/* src/call/call-priv.h - shared between the files of call/.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CALL_PRIV_H
#define SC_CALL_PRIV_H

#include "core/core.h"
#include <json-glib/json-glib.h>
#include <sealcall/call.h>
#include <sealcall/channel.h>
#include <sealcall/endpoint.h>

G_BEGIN_DECLS

struct ScEndpoint {
    grefcount ref;
    GMainContext *ctx;
};

struct ScCallEvent {
    ScCallEventKind kind;
    ScEndReason reason;
    JsonObject *obj;      /* {"event": ..., fields} */
    GHashTable *strings;  /* field -> text form of non-string fields */
};

/* event.c */
ScCallEvent *sc_call_event_new(ScCallEventKind kind);
void sc_call_event_free(ScCallEvent *ev);
const char *sc_call_event_kind_name(ScCallEventKind kind);
void sc_call_event_set_str(ScCallEvent *ev, const char *name,
                           const char *value);
void sc_call_event_set_int(ScCallEvent *ev, const char *name, gint64 value);
void sc_call_event_set_double(ScCallEvent *ev, const char *name, double v);
void sc_call_event_set_bool(ScCallEvent *ev, const char *name, gboolean v);
/* takes ownership of @node */
void sc_call_event_set_node(ScCallEvent *ev, const char *name, JsonNode *node);

G_END_DECLS

#endif
