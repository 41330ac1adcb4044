/* tls_names.h - names of TLS protocol versions, cipher suites, alerts and signature schemes, as IANA and tshark spell them. */
#ifndef TCPNOTE_TLS_NAMES_H
#define TCPNOTE_TLS_NAMES_H

#include <stdint.h>

/* "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3" (tshark's spelling), or NULL. */
const char *tls_version_name(uint16_t version);

/* The IANA name of a cipher suite ("TLS_AES_256_GCM_SHA384"), or NULL when not in the table. */
const char *tls_cipher_name(uint16_t suite);

/* "warning", "fatal", or NULL. */
const char *tls_alert_level_name(uint8_t level);

/* The RFC 8446 / 5246 / 6066 / 7301 AlertDescription name ("protocol_version"), or NULL. */
const char *tls_alert_name(uint8_t desc);

/* The RFC 8446 SignatureScheme name ("rsa_pss_rsae_sha256"), or NULL. */
const char *tls_sigscheme_name(uint16_t scheme);

#endif
