/* app_x509.c - what a DER certificate says (names, SAN, validity, key, fingerprint), read by OpenSSL's libcrypto. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "app_priv.h"

/*
 * X.509 is not parsed by hand: d2i_X509 does it, and names are converted
 * to UTF-8 whatever their ASN.1 string type (a BMPString too). The error
 * queue is cleared so that hostile certificates do not pile up entries.
 */
static X509 *x509_read(struct span cert)
{
	const unsigned char *p = cert.data;
	X509 *x;

	if (cert.len == 0 || cert.len > LONG_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)cert.len);
	if (x == NULL)
		ERR_clear_error();
	return x;
}

/* The first commonName of name into cn (APP_CN_MAX + 1 bytes); false if none. */
static bool name_cn(const X509_NAME *name, char *cn)
{
	unsigned char *utf8 = NULL;
	int idx, n;
	bool ok = false;

	cn[0] = '\0';
	idx = name != NULL ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	if (idx < 0)
		return false;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
	if (n > 0) {
		app_copy_str(cn, APP_CN_MAX + 1, utf8, (size_t)n);
		ok = cn[0] != '\0';
	}
	OPENSSL_free(utf8);
	return ok;
}

bool app_x509_cn(struct span cert, char *cn)
{
	X509 *x = x509_read(cert);
	bool ok;

	cn[0] = '\0';
	if (x == NULL)
		return false;
	ok = name_cn(X509_get_subject_name(x), cn);
	X509_free(x);
	ERR_clear_error();
	return ok;
}

/* Append one name to c->san; false (and san_truncated) when it does not fit. */
static bool san_add(struct app_cert *c, const uint8_t *name, size_t n)
{
	size_t used = 0, i;

	for (i = 0; i < c->san_count; i++)
		used += strlen(c->san + used) + 1;
	if (n == 0)
		return true;
	if (c->san_count == UINT8_MAX || used + n + 1 > sizeof(c->san)) {
		c->san_truncated = true;
		return false;
	}
	/* A name holding a NUL is cut there (as a CN is). */
	app_copy_str(c->san + used, n + 1, name, n);
	if (c->san[used] != '\0')
		c->san_count++;
	return true;
}

/* subjectAltName (RFC 5280 section 4.2.1.6): its dNSName and iPAddress entries, in order. */
static void cert_san(X509 *x, struct app_cert *c)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int i, n = names != NULL ? sk_GENERAL_NAME_num(names) : 0;

	for (i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		char ip[INET6_ADDRSTRLEN];
		int len;
		bool fits = true;

		if (g->type == GEN_DNS) {
			len = ASN1_STRING_length(g->d.dNSName);
			if (len > 0)
				fits = san_add(c, ASN1_STRING_get0_data(g->d.dNSName), (size_t)len);
		} else if (g->type == GEN_IPADD) {
			len = ASN1_STRING_length(g->d.iPAddress);
			if ((len == 4 || len == 16) &&
			    inet_ntop(len == 4 ? AF_INET : AF_INET6,
				      ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip)) != NULL)
				fits = san_add(c, (const uint8_t *)ip, strlen(ip));
		}
		if (!fits)
			break;
	}
	GENERAL_NAMES_free(names);
}

/* A validity time as ISO 8601 UTC ("2026-11-30T12:00:00Z"), or "" when it does not read. */
static void cert_time(const ASN1_TIME *t, char *out)
{
	struct tm tm;

	out[0] = '\0';
	memset(&tm, 0, sizeof(tm));
	/* ASN1_TIME_to_tm checks the fields, and X.509 years have four digits. */
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, APP_TIME_LEN + 1,
								 "%Y-%m-%dT%H:%M:%SZ", &tm) != APP_TIME_LEN)
		out[0] = '\0';
}

/* The public key: "RSA 2048", "EC P-256", "Ed25519", or the algorithm's short name. */
static void cert_key(X509 *x, char *out)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64], text[96];
	const char *nist, *sn;
	size_t glen = 0;
	int id;

	out[0] = '\0';
	if (k == NULL)
		return;
	id = EVP_PKEY_get_base_id(k);
	switch (id) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
	case EVP_PKEY_DSA:
		snprintf(text, sizeof(text), "%s %d",
			 id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_DSA ? "DSA" : "RSA-PSS",
			 EVP_PKEY_get_bits(k));
		break;
	case EVP_PKEY_EC:
		/* The curve by its NIST name (P-256) when it has one, else OpenSSL's. */
		if (EVP_PKEY_get_group_name(k, group, sizeof(group), &glen) == 1) {
			nist = EC_curve_nid2nist(OBJ_sn2nid(group));
			snprintf(text, sizeof(text), "EC %s", nist != NULL ? nist : group);
		} else {
			snprintf(text, sizeof(text), "EC");
		}
		break;
	case EVP_PKEY_ED25519:
		snprintf(text, sizeof(text), "Ed25519");
		break;
	case EVP_PKEY_ED448:
		snprintf(text, sizeof(text), "Ed448");
		break;
	default:
		sn = OBJ_nid2sn(id);
		snprintf(text, sizeof(text), "%s", sn != NULL ? sn : "unknown");
		break;
	}
	app_copy_str(out, APP_KEY_LEN + 1, (const uint8_t *)text, strlen(text));
}

void app_x509_describe(struct span cert, struct app_cert *c)
{
	unsigned int mdlen = 0;
	X509 *x;

	/* The fingerprint of the bytes as sent, as `openssl x509 -fingerprint -sha256` prints it. */
	if (cert.len > 0 && EVP_Digest(cert.data, cert.len, c->sha256, &mdlen, EVP_sha256(), NULL) != 1)
		memset(c->sha256, 0, sizeof(c->sha256));
	x = x509_read(cert);
	if (x == NULL)
		return;
	c->parsed = true;
	name_cn(X509_get_subject_name(x), c->subject_cn);
	name_cn(X509_get_issuer_name(x), c->issuer_cn);
	cert_san(x, c);
	cert_time(X509_get0_notBefore(x), c->not_before);
	cert_time(X509_get0_notAfter(x), c->not_after);
	cert_key(x, c->key);
	X509_free(x);
	ERR_clear_error();
}
