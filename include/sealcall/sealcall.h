/* sealcall - umbrella header. Applications include <sealcall/sealcall.h>.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SEALCALL_H
#define SEALCALL_H

#include <sealcall/types.h>
#include <sealcall/error.h>
#include <sealcall/log.h>
#include <sealcall/version.h>
#include <sealcall/endpoint.h>
#include <sealcall/call.h>
#include <sealcall/channel.h>
#include <sealcall/relay.h>
#include <sealcall/privacy.h>
#include <sealcall/keys.h>
#include <sealcall/idp.h>

#endif /* SEALCALL_H */
