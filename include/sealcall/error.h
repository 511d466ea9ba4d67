/* sealcall - error domain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ERROR_H
#define SC_ERROR_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * SC_ERROR:
 * The #GError domain of every error sealcall reports. Since: 0.1
 */
#define SC_ERROR (sc_error_quark())

/**
 * ScError:
 * Error codes of %SC_ERROR. The numbers are frozen: never renumber.
 * Since: 0.1
 */
typedef enum {
    SC_ERROR_INTERNAL = 1,
    SC_ERROR_INVALID_ARGUMENT = 2,
    SC_ERROR_INVALID_STATE = 3,
    SC_ERROR_SDP_SYNTAX = 4,
    SC_ERROR_FINGERPRINT_MISMATCH = 5,
    SC_ERROR_DTLS_FAILED = 6,
    SC_ERROR_ICE_FAILED = 7,
    SC_ERROR_SCTP_FAILED = 8,
    SC_ERROR_SIGNALING_FAILED = 9,
    SC_ERROR_IDENTITY = 10,
    SC_ERROR_CONSENT_EXPIRED = 11,
    SC_ERROR_NOT_SUPPORTED = 12,
    SC_ERROR_CERTIFICATE = 13, /* Since: 0.1: a certificate or key file,
                                * or the key store, refused (permissions,
                                * validity, key type, mismatch, format) */
} ScError;

/**
 * sc_error_quark:
 * Returns: the quark of %SC_ERROR.
 * Since: 0.1
 */
SC_API GQuark sc_error_quark(void);

G_END_DECLS

#endif /* SC_ERROR_H */
