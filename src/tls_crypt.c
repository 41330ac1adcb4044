/* tls_crypt.c - TLS key derivation and AEAD record opening, all through OpenSSL's EVP (no crypto by hand). */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tcpnote/tls_crypt.h"

#define TAG_LEN 16

static const struct tls_suite_info suites[] = {
	/* TLS 1.3, RFC 8446 appendix B.4 */
	{0x1301, TLS_HASH_SHA256, 16, 12, false, true},
	{0x1302, TLS_HASH_SHA384, 32, 12, false, true},
	{0x1303, TLS_HASH_SHA256, 32, 12, true, true},
	/* TLS 1.2 ECDHE and DHE with AES-GCM (RFC 5288, 5289) and ChaCha20-Poly1305 (RFC 7905) */
	{0x009e, TLS_HASH_SHA256, 16, 4, false, false},
	{0x009f, TLS_HASH_SHA384, 32, 4, false, false},
	{0xc02b, TLS_HASH_SHA256, 16, 4, false, false},
	{0xc02c, TLS_HASH_SHA384, 32, 4, false, false},
	{0xc02f, TLS_HASH_SHA256, 16, 4, false, false},
	{0xc030, TLS_HASH_SHA384, 32, 4, false, false},
	{0xcca8, TLS_HASH_SHA256, 32, 12, true, false},
	{0xcca9, TLS_HASH_SHA256, 32, 12, true, false},
	{0xccaa, TLS_HASH_SHA256, 32, 12, true, false},
};

const struct tls_suite_info *tls_suite_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

static const char *hash_name(enum tls_hash h)
{
	return h == TLS_HASH_SHA384 ? "SHA384" : "SHA256";
}

/* One EVP_KDF derivation with the given parameters. */
static bool kdf_derive(const char *name, OSSL_PARAM *params, uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	bool ok = ctx != NULL && EVP_KDF_derive(ctx, out, outlen, params) > 0;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	if (!ok)
		ERR_clear_error();
	return ok;
}

bool tls_hkdf_expand_label(enum tls_hash hash, const uint8_t *secret, size_t secret_len,
			   const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
			   size_t outlen)
{
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t llen = strlen(label), n = 0;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[5];
	bool ok;

	if (6 + llen > 255 || ctx_len > 255 || outlen > 0xffff)
		return false;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(6 + llen);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = (uint8_t)ctx_len;
	if (ctx_len > 0)
		memcpy(info + n, ctx, ctx_len);
	n += ctx_len;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)hash_name(hash), 0);
	params[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	params[4] = OSSL_PARAM_construct_end();
	ok = kdf_derive("HKDF", params, out, outlen);
	return ok;
}

bool tls12_prf(enum tls_hash hash, const uint8_t *secret, size_t secret_len, const char *label,
	       const uint8_t *seed, size_t seed_len, uint8_t *out, size_t outlen)
{
	uint8_t full[64 + 128];
	size_t llen = strlen(label);
	OSSL_PARAM params[4];

	if (llen + seed_len > sizeof(full))
		return false;
	memcpy(full, label, llen);
	memcpy(full + llen, seed, seed_len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)hash_name(hash), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full, llen + seed_len);
	params[3] = OSSL_PARAM_construct_end();
	return kdf_derive("TLS1-PRF", params, out, outlen);
}

void tls_record_nonce(const uint8_t iv[12], uint64_t seq, uint8_t nonce[12])
{
	int i;

	memcpy(nonce, iv, 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

struct tls_aead {
	const struct tls_suite_info *suite;
	EVP_CIPHER *cipher;
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq;
};

struct tls_aead *tls_aead_new(const struct tls_suite_info *suite, const uint8_t *key,
			      const uint8_t *iv)
{
	struct tls_aead *a;
	const char *name;

	if (suite == NULL || suite->key_len > 32 || suite->iv_len > 12)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	name = suite->chacha ? "ChaCha20-Poly1305" : suite->key_len == 16 ? "AES-128-GCM" : "AES-256-GCM";
	a->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (a->cipher == NULL) {
		ERR_clear_error();
		free(a);
		return NULL;
	}
	a->suite = suite;
	memcpy(a->key, key, suite->key_len);
	memcpy(a->iv, iv, suite->iv_len);
	return a;
}

void tls_aead_free(struct tls_aead *a)
{
	if (a == NULL)
		return;
	EVP_CIPHER_free(a->cipher);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

/* The nonce and additional data of this record; false when the fragment cannot hold them. */
static bool record_params(const struct tls_aead *a, const uint8_t hdr[5], const uint8_t *body,
			  size_t len, uint8_t nonce[12], uint8_t *aad, size_t *aad_len,
			  size_t *explicit_len)
{
	size_t i, plen;

	*explicit_len = 0;
	if (a->suite->tls13) {
		/* RFC 8446 section 5.2: the additional data is the record header. */
		if (len < TAG_LEN + 1)
			return false;
		tls_record_nonce(a->iv, a->seq, nonce);
		memcpy(aad, hdr, 5);
		*aad_len = 5;
		return true;
	}
	if (!a->suite->chacha) {
		/* RFC 5288 section 3: 4 implicit bytes, then 8 explicit bytes at the fragment's start. */
		*explicit_len = 8;
		memcpy(nonce, a->iv, 4);
		if (len < 8 + TAG_LEN)
			return false;
		memcpy(nonce + 4, body, 8);
	} else {
		/* RFC 7905 section 2: as in TLS 1.3. */
		if (len < TAG_LEN)
			return false;
		tls_record_nonce(a->iv, a->seq, nonce);
	}
	/* RFC 5246 section 6.2.3.3: seq_num + type + version + plaintext length. */
	plen = len - *explicit_len - TAG_LEN;
	for (i = 0; i < 8; i++)
		aad[i] = (uint8_t)(a->seq >> (56 - 8 * i));
	memcpy(aad + 8, hdr, 3);
	aad[11] = (uint8_t)(plen >> 8);
	aad[12] = (uint8_t)plen;
	*aad_len = 13;
	return true;
}

bool tls_aead_open(struct tls_aead *a, const uint8_t hdr[5], uint8_t *body, size_t len,
		   uint8_t **plain, size_t *plain_len)
{
	uint8_t nonce[12], aad[13];
	size_t aad_len, ex, clen;
	EVP_CIPHER_CTX *ctx;
	int outl = 0, fin = 0;
	bool ok;

	if (a == NULL || len > 0x7fffffff ||
	    !record_params(a, hdr, body, len, nonce, aad, &aad_len, &ex))
		return false;
	clen = len - ex - TAG_LEN;
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx != NULL && EVP_DecryptInit_ex2(ctx, a->cipher, NULL, NULL, NULL) > 0 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) > 0 &&
	     EVP_DecryptInit_ex2(ctx, NULL, a->key, nonce, NULL) > 0 &&
	     EVP_DecryptUpdate(ctx, NULL, &outl, aad, (int)aad_len) > 0 &&
	     EVP_DecryptUpdate(ctx, body + ex, &outl, body + ex, (int)clen) > 0 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, body + ex + clen) > 0 &&
	     EVP_DecryptFinal_ex(ctx, body + ex + outl, &fin) > 0;
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (!ok) {
		ERR_clear_error();
		return false;
	}
	a->seq++;
	*plain = body + ex;
	*plain_len = (size_t)outl + (size_t)fin;
	return true;
}
