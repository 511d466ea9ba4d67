/* sealcall - public types shared by every public header.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_TYPES_H
#define SC_TYPES_H

#include <glib.h>

G_BEGIN_DECLS

#if defined(__GNUC__) && __GNUC__ >= 4
#define SC_API __attribute__((visibility("default")))
#else
#define SC_API
#endif

/**
 * ScEndpoint:
 * A local endpoint: main context, key material policy, logging. Ref-counted.
 * Since: 0.1
 */
typedef struct ScEndpoint ScEndpoint;

/**
 * ScCall:
 * One secure call with one remote party, signalled through a relay.
 * Ref-counted. Since: 0.1
 */
typedef struct ScCall ScCall;

/**
 * ScChannel:
 * One data channel of a call. Ref-counted. Since: 0.1
 */
typedef struct ScChannel ScChannel;

/**
 * ScRelay:
 * A signaling relay server (contract section 1). Single owner. Since: 0.1
 */
typedef struct ScRelay ScRelay;

/**
 * ScCallEvent:
 * One event of a call, borrowed by event callbacks. Since: 0.1
 */
typedef struct ScCallEvent ScCallEvent;

G_END_DECLS

#endif /* SC_TYPES_H */
