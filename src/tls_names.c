/* tls_names.c - tables of TLS version, cipher suite, alert and signature scheme names (IANA TLS parameters registry). */
#include <stddef.h>

#include "tcpnote/tls_names.h"

struct tls_tok {
	uint16_t value;
	const char *name;
};

/* Binary search: the tables below are sorted by value. */
static const char *tls_tok_find(const struct tls_tok *t, size_t n, uint16_t value)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].value == value)
			return t[mid].name;
		if (t[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define TLS_TOK_FIND(table, value) \
	tls_tok_find((table), sizeof(table) / sizeof((table)[0]), (value))

static const struct tls_tok tls_versions[] = {
	{0x0300, "SSLv3"},   {0x0301, "TLSv1"},   {0x0302, "TLSv1.1"},
	{0x0303, "TLSv1.2"}, {0x0304, "TLSv1.3"},
};

const char *tls_version_name(uint16_t version)
{
	return TLS_TOK_FIND(tls_versions, version);
}

/*
 * Every suite `openssl ciphers -stdname -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`
 * lists in OpenSSL 3.0, the two TLS 1.3 CCM suites it leaves out of ALL,
 * and a few legacy RC4/3DES suites and signalling values still met in
 * captures. Names are the IANA registry's.
 */
static const struct tls_tok tls_ciphers[] = {
	{0x0000, "TLS_NULL_WITH_NULL_NULL"},
	{0x0001, "TLS_RSA_WITH_NULL_MD5"},
	{0x0002, "TLS_RSA_WITH_NULL_SHA"},
	{0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
	{0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
	{0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0x002c, "TLS_PSK_WITH_NULL_SHA"},
	{0x002d, "TLS_DHE_PSK_WITH_NULL_SHA"},
	{0x002e, "TLS_RSA_PSK_WITH_NULL_SHA"},
	{0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
	{0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
	{0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
	{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
	{0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
	{0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
	{0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
	{0x003b, "TLS_RSA_WITH_NULL_SHA256"},
	{0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
	{0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
	{0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
	{0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
	{0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"},
	{0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
	{0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"},
	{0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
	{0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
	{0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
	{0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
	{0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
	{0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
	{0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"},
	{0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
	{0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"},
	{0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA"},
	{0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA"},
	{0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"},
	{0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"},
	{0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"},
	{0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"},
	{0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
	{0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
	{0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
	{0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
	{0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
	{0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
	{0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
	{0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
	{0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256"},
	{0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384"},
	{0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"},
	{0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
	{0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"},
	{0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"},
	{0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256"},
	{0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384"},
	{0x00b0, "TLS_PSK_WITH_NULL_SHA256"},
	{0x00b1, "TLS_PSK_WITH_NULL_SHA384"},
	{0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"},
	{0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"},
	{0x00b4, "TLS_DHE_PSK_WITH_NULL_SHA256"},
	{0x00b5, "TLS_DHE_PSK_WITH_NULL_SHA384"},
	{0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"},
	{0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"},
	{0x00b8, "TLS_RSA_PSK_WITH_NULL_SHA256"},
	{0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384"},
	{0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
	{0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"},
	{0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
	{0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"},
	{0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
	{0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"},
	{0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
	{0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"},
	{0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
	{0x1301, "TLS_AES_128_GCM_SHA256"},
	{0x1302, "TLS_AES_256_GCM_SHA384"},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
	{0x1304, "TLS_AES_128_CCM_SHA256"},
	{0x1305, "TLS_AES_128_CCM_8_SHA256"},
	{0x5600, "TLS_FALLBACK_SCSV"},
	{0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
	{0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
	{0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
	{0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
	{0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
	{0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
	{0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
	{0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
	{0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
	{0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
	{0xc015, "TLS_ECDH_anon_WITH_NULL_SHA"},
	{0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
	{0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
	{0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"},
	{0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"},
	{0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"},
	{0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"},
	{0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"},
	{0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"},
	{0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
	{0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
	{0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
	{0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
	{0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
	{0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
	{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
	{0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	{0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"},
	{0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
	{0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"},
	{0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"},
	{0xc039, "TLS_ECDHE_PSK_WITH_NULL_SHA"},
	{0xc03a, "TLS_ECDHE_PSK_WITH_NULL_SHA256"},
	{0xc03b, "TLS_ECDHE_PSK_WITH_NULL_SHA384"},
	{0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
	{0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"},
	{0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"},
	{0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"},
	{0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"},
	{0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"},
	{0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"},
	{0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"},
	{0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"},
	{0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"},
	{0xc06a, "TLS_PSK_WITH_ARIA_128_GCM_SHA256"},
	{0xc06b, "TLS_PSK_WITH_ARIA_256_GCM_SHA384"},
	{0xc06c, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"},
	{0xc06d, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"},
	{0xc06e, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"},
	{0xc06f, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"},
	{0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
	{0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
	{0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
	{0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
	{0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
	{0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
	{0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
	{0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
	{0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
	{0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
	{0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
	{0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
	{0xc09c, "TLS_RSA_WITH_AES_128_CCM"},
	{0xc09d, "TLS_RSA_WITH_AES_256_CCM"},
	{0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM"},
	{0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM"},
	{0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8"},
	{0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8"},
	{0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
	{0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
	{0xc0a4, "TLS_PSK_WITH_AES_128_CCM"},
	{0xc0a5, "TLS_PSK_WITH_AES_256_CCM"},
	{0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM"},
	{0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM"},
	{0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8"},
	{0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8"},
	{0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8"},
	{0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8"},
	{0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
	{0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
	{0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
	{0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
	{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	{0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
	{0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	{0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
	{0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
	{0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
	{0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
};

const char *tls_cipher_name(uint16_t suite)
{
	return TLS_TOK_FIND(tls_ciphers, suite);
}

const char *tls_alert_level_name(uint8_t level)
{
	switch (level) {
	case 1:
		return "warning";
	case 2:
		return "fatal";
	default:
		return NULL;
	}
}

/*
 * RFC 8446 section 6 with the values it marks _RESERVED named as in RFC 5246
 * and RFC 6066, where they are still sent by TLS 1.2 and earlier.
 */
static const struct tls_tok tls_alerts[] = {
	{0, "close_notify"},
	{10, "unexpected_message"},
	{20, "bad_record_mac"},
	{21, "decryption_failed"},
	{22, "record_overflow"},
	{30, "decompression_failure"},
	{40, "handshake_failure"},
	{41, "no_certificate"},
	{42, "bad_certificate"},
	{43, "unsupported_certificate"},
	{44, "certificate_revoked"},
	{45, "certificate_expired"},
	{46, "certificate_unknown"},
	{47, "illegal_parameter"},
	{48, "unknown_ca"},
	{49, "access_denied"},
	{50, "decode_error"},
	{51, "decrypt_error"},
	{60, "export_restriction"},
	{70, "protocol_version"},
	{71, "insufficient_security"},
	{80, "internal_error"},
	{86, "inappropriate_fallback"},
	{90, "user_canceled"},
	{100, "no_renegotiation"},
	{109, "missing_extension"},
	{110, "unsupported_extension"},
	{111, "certificate_unobtainable"},
	{112, "unrecognized_name"},
	{113, "bad_certificate_status_response"},
	{114, "bad_certificate_hash_value"},
	{115, "unknown_psk_identity"},
	{116, "certificate_required"},
	{120, "no_application_protocol"},
};

const char *tls_alert_name(uint8_t desc)
{
	return TLS_TOK_FIND(tls_alerts, desc);
}

/* SignatureScheme, RFC 8446 section 4.2.3 (and the legacy values of RFC 5246 7.4.1.4.1). */
static const struct tls_tok tls_sigschemes[] = {
	{0x0201, "rsa_pkcs1_sha1"},         {0x0203, "ecdsa_sha1"},
	{0x0401, "rsa_pkcs1_sha256"},       {0x0403, "ecdsa_secp256r1_sha256"},
	{0x0501, "rsa_pkcs1_sha384"},       {0x0503, "ecdsa_secp384r1_sha384"},
	{0x0601, "rsa_pkcs1_sha512"},       {0x0603, "ecdsa_secp521r1_sha512"},
	{0x0804, "rsa_pss_rsae_sha256"},    {0x0805, "rsa_pss_rsae_sha384"},
	{0x0806, "rsa_pss_rsae_sha512"},    {0x0807, "ed25519"},
	{0x0808, "ed448"},                  {0x0809, "rsa_pss_pss_sha256"},
	{0x080a, "rsa_pss_pss_sha384"},     {0x080b, "rsa_pss_pss_sha512"},
};

const char *tls_sigscheme_name(uint16_t scheme)
{
	return TLS_TOK_FIND(tls_sigschemes, scheme);
}
