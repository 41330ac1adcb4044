/* tls_crypt.h - TLS record protection with OpenSSL's libcrypto: HKDF-Expand-Label, the TLS 1.2 PRF, AEAD records. */
#ifndef TCPNOTE_TLS_CRYPT_H
#define TCPNOTE_TLS_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hash of a cipher suite's key schedule. */
enum tls_hash { TLS_HASH_SHA256 = 0, TLS_HASH_SHA384 };

/*
 * HKDF-Expand-Label (RFC 8446 section 7.1): HKDF-Expand(secret, HkdfLabel,
 * outlen) with HkdfLabel = uint16 outlen, "tls13 " + label, context. Only
 * the label's encoding is done here; the HKDF is libcrypto's EVP_KDF.
 */
bool tls_hkdf_expand_label(enum tls_hash hash, const uint8_t *secret, size_t secret_len,
			   const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
			   size_t outlen);

/* The TLS 1.2 PRF (RFC 5246 section 5) with the suite's hash: libcrypto's TLS1-PRF. */
bool tls12_prf(enum tls_hash hash, const uint8_t *secret, size_t secret_len, const char *label,
	       const uint8_t *seed, size_t seed_len, uint8_t *out, size_t outlen);

/* The per-record nonce of RFC 8446 section 5.3: iv XOR the 64-bit sequence number, left-padded. */
void tls_record_nonce(const uint8_t iv[12], uint64_t seq, uint8_t nonce[12]);

/* What a suite needs: its AEAD, key length, fixed IV length, and hash. */
struct tls_suite_info {
	uint16_t id;
	enum tls_hash hash;
	uint8_t key_len;
	uint8_t iv_len;   /* 12; 4 for TLS 1.2 GCM (implicit part, RFC 5288) */
	bool chacha;
	bool tls13;
};

/* The suite's parameters, or NULL when it is not one tcpnote can decrypt. */
const struct tls_suite_info *tls_suite_find(uint16_t id);

/* One direction's record protection: a key, an IV, the next sequence number. */
struct tls_aead;

/* key and iv of the suite's lengths; NULL when out of memory or the cipher is not available. */
struct tls_aead *tls_aead_new(const struct tls_suite_info *suite, const uint8_t *key,
			      const uint8_t *iv);
void tls_aead_free(struct tls_aead *a);

/*
 * Open one record in place: hdr is its 5-byte header, body[0..len) its
 * fragment. On success *plain points into body at the plaintext (for TLS
 * 1.3 still TLSInnerPlaintext, padding and type included) of *plain_len
 * bytes, and the sequence number advances. False when the tag does not
 * verify or the record is too short: the caller stops decrypting.
 */
bool tls_aead_open(struct tls_aead *a, const uint8_t hdr[5], uint8_t *body, size_t len,
		   uint8_t **plain, size_t *plain_len);

#endif
