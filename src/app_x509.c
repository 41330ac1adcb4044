/* app_x509.c - the subject commonName of a DER certificate, read by OpenSSL's libcrypto. */
#include <limits.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "app_priv.h"

/*
 * X.509 is not parsed by hand: d2i_X509 does it, and the CN is converted
 * to UTF-8 whatever its ASN.1 string type (a BMPString too). The error
 * queue is cleared so that hostile certificates do not pile up entries.
 */
bool app_x509_cn(struct span cert, char *cn)
{
	const unsigned char *p = cert.data;
	unsigned char *utf8 = NULL;
	X509_NAME *name;
	X509 *x;
	int idx, n;
	bool ok = false;

	cn[0] = '\0';
	if (cert.len == 0 || cert.len > LONG_MAX)
		return false;
	x = d2i_X509(NULL, &p, (long)cert.len);
	if (x == NULL) {
		ERR_clear_error();
		return false;
	}
	name = X509_get_subject_name(x);
	idx = name != NULL ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	if (idx >= 0) {
		X509_NAME_ENTRY *e = X509_NAME_get_entry(name, idx);

		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		if (n > 0) {
			app_copy_str(cn, APP_CN_MAX + 1, utf8, (size_t)n);
			ok = cn[0] != '\0';
		}
		OPENSSL_free(utf8);
	}
	X509_free(x);
	ERR_clear_error();
	return ok;
}
