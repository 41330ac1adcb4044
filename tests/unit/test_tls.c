/* test_tls.c - key log parsing (hostile lines too), HKDF-Expand-Label against RFC 8448, nonces, AEAD record opening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "fixtures.h"
#include "tcpnote/tls_crypt.h"
#include "tcpnote/tls_keylog.h"

/* RFC 8448 section 3 (Simple 1-RTT Handshake): traffic secrets and their write key and IV. */
static void check_keys(const char *secret_hex, const char *key_hex, const char *iv_hex)
{
	uint8_t secret[32], key[16], iv[12], want_key[16], want_iv[12];

	unhex(secret_hex, secret, 32);
	unhex(key_hex, want_key, 16);
	unhex(iv_hex, want_iv, 12);
	assert_true(tls_hkdf_expand_label(TLS_HASH_SHA256, secret, 32, "key", NULL, 0, key, 16));
	assert_true(tls_hkdf_expand_label(TLS_HASH_SHA256, secret, 32, "iv", NULL, 0, iv, 12));
	assert_memory_equal(key, want_key, 16);
	assert_memory_equal(iv, want_iv, 12);
}

static void test_hkdf_expand_label_rfc8448(void **state)
{
	(void)state;
	/* {server} derive write traffic keys for handshake data */
	check_keys("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38",
		   "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30");
	/* {client} derive write traffic keys for handshake data */
	check_keys("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
		   "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f");
	/* {server} derive write traffic keys for application data */
	check_keys("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
		   "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984");
}

static void test_hkdf_expand_label_refuses_long_label(void **state)
{
	uint8_t secret[32] = {0}, out[16];
	char label[260];

	(void)state;
	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	assert_false(tls_hkdf_expand_label(TLS_HASH_SHA256, secret, 32, label, NULL, 0, out, 16));
}

static void test_record_nonce(void **state)
{
	uint8_t iv[12], nonce[12], want[12];

	(void)state;
	unhex("5d313eb2671276ee13000b30", iv, 12);
	tls_record_nonce(iv, 0, nonce);
	assert_memory_equal(nonce, iv, 12);
	/* The sequence number is XORed into the last 8 bytes, big-endian. */
	tls_record_nonce(iv, 1, nonce);
	unhex("5d313eb2671276ee13000b31", want, 12);
	assert_memory_equal(nonce, want, 12);
	tls_record_nonce(iv, 0x0102030405060708ull, nonce);
	unhex("5d313eb2661075ea16060c38", want, 12);
	assert_memory_equal(nonce, want, 12);
}

/* Seal one TLS 1.3 record with libcrypto directly, as a peer would. */
static size_t seal13(const uint8_t *key, const uint8_t *iv, uint64_t seq, const char *text,
		     uint8_t type, uint8_t *rec)
{
	size_t n = strlen(text) + 1, blen = n + 16;
	uint8_t nonce[12];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl;

	rec[0] = 23;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(blen >> 8);
	rec[4] = (uint8_t)blen;
	memcpy(rec + 5, text, n - 1);
	rec[5 + n - 1] = type;
	tls_record_nonce(iv, seq, nonce);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &outl, rec, 5), 1);
	assert_int_equal(EVP_EncryptUpdate(c, rec + 5, &outl, rec + 5, (int)n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, rec + 5 + outl, &outl), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, rec + 5 + n), 1);
	EVP_CIPHER_CTX_free(c);
	return 5 + blen;
}

static void test_aead_open_and_tamper(void **state)
{
	uint8_t key[16], iv[12], rec[128], copy[128], *plain;
	size_t len, plen;
	struct tls_aead *a;

	(void)state;
	unhex("3fce516009c21727d0f2e4e86ee403bc", key, 16);
	unhex("5d313eb2671276ee13000b30", iv, 12);
	a = tls_aead_new(tls_suite_find(0x1301), key, iv);
	assert_non_null(a);
	len = seal13(key, iv, 0, "GET / HTTP/1.1\r\n", 23, rec);
	assert_true(tls_aead_open(a, rec, rec + 5, len - 5, &plain, &plen));
	assert_int_equal(plen, 17);
	assert_memory_equal(plain, "GET / HTTP/1.1\r\n\x17", 17);
	/* The second record uses sequence number 1; one changed byte fails the tag. */
	len = seal13(key, iv, 1, "second", 23, rec);
	memcpy(copy, rec, len);
	copy[7] ^= 1;
	assert_false(tls_aead_open(a, copy, copy + 5, len - 5, &plain, &plen));
	assert_true(tls_aead_open(a, rec, rec + 5, len - 5, &plain, &plen));
	/* Shorter than a tag: refused without reading. */
	assert_false(tls_aead_open(a, rec, rec + 5, 10, &plain, &plen));
	tls_aead_free(a);
	assert_null(tls_suite_find(0x002f)); /* TLS_RSA_WITH_AES_128_CBC_SHA: not an AEAD */
}

#define RANDOM_HEX "0102030405060708091011121314151617181920212223242526272829303132"
#define SECRET32 "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"

static void test_keylog_lines(void **state)
{
	struct tls_keylog *kl = tls_keylog_new();
	uint8_t random[32];
	const uint8_t *secret;
	size_t len;
	static const char *const bad[] = {
		"garbage",
		"CLIENT_RANDOM",
		"CLIENT_RANDOM " RANDOM_HEX,
		"CLIENT_RANDOM " RANDOM_HEX " " SECRET32, /* 32 bytes: a master secret has 48 */
		"SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " abc",             /* odd length */
		"SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " 0011",            /* too short a secret */
		"SERVER_TRAFFIC_SECRET_0 0102 " SECRET32,                 /* short random */
		"SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " " SECRET32 "zz",  /* not hex */
		"SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX "  " SECRET32,      /* two spaces */
		"\x1b[2JSERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " " SECRET32,
		"SERVER_TRAFFIC_SECRET_1 " RANDOM_HEX " " SECRET32,
		"SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " " SECRET32 SECRET32 SECRET32, /* 96 bytes */
	};
	size_t i;

	(void)state;
	assert_non_null(kl);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tls_keylog_line(kl, bad[i], strlen(bad[i])), TLS_KL_LINE_BAD);
	assert_int_equal(tls_keylog_sessions(kl), 0);
	assert_int_equal(tls_keylog_line(kl, "# comment", 9), TLS_KL_LINE_IGNORED);
	assert_int_equal(tls_keylog_line(kl, "\r\n", 2), TLS_KL_LINE_IGNORED);
	assert_int_equal(
	    tls_keylog_line(kl, "EXPORTER_SECRET " RANDOM_HEX " " SECRET32 "\n", 65 + 16 + 65),
	    TLS_KL_LINE_IGNORED);
	const char *good = "SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " " SECRET32 "\r\n";
	assert_int_equal(tls_keylog_line(kl, good, strlen(good)), TLS_KL_LINE_TAKEN);
	/* A second line for the same random and label: the first is kept. */
	const char *dup = "SERVER_TRAFFIC_SECRET_0 " RANDOM_HEX " " RANDOM_HEX;
	assert_int_equal(tls_keylog_line(kl, dup, strlen(dup)), TLS_KL_LINE_IGNORED);
	unhex(RANDOM_HEX, random, 32);
	assert_true(tls_keylog_find(kl, random, TLS_KL_SERVER_AP0, &secret, &len));
	assert_int_equal(len, 32);
	uint8_t want[32];
	unhex(SECRET32, want, 32);
	assert_memory_equal(secret, want, 32);
	assert_false(tls_keylog_find(kl, random, TLS_KL_CLIENT_AP0, &secret, &len));
	random[31] ^= 1;
	assert_false(tls_keylog_find(kl, random, TLS_KL_SERVER_AP0, &secret, &len));
	assert_int_equal(tls_keylog_sessions(kl), 1);
	tls_keylog_free(kl);
}

/* A file with a NUL, an endless line and no final newline: counted, and later lines still read. */
static void test_keylog_file(void **state)
{
	char path[] = "/tmp/tcpnote-test-keylog-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct tls_keylog *kl = tls_keylog_new();
	unsigned long bad = 99;
	char err[256];
	uint8_t random[32];
	const uint8_t *secret;
	size_t len, i;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("CLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM_HEX " " SECRET32 "\n", f);
	fwrite("bad\0line\n", 1, 9, f);
	fwrite("bad\0SERVER_HANDSHAKE_TRAFFIC_SECRET\n", 1, 36, f);
	for (i = 0; i < 10000; i++)
		fputc('A', f);
	fputs("\n", f);
	fputs("CLIENT_TRAFFIC_SECRET_0 " RANDOM_HEX " " SECRET32, f);
	fclose(f);
	assert_int_equal(tls_keylog_load(kl, path, &bad, err, sizeof(err)), 0);
	assert_int_equal(bad, 3);
	unhex(RANDOM_HEX, random, 32);
	assert_true(tls_keylog_find(kl, random, TLS_KL_CLIENT_HS, &secret, &len));
	assert_true(tls_keylog_find(kl, random, TLS_KL_CLIENT_AP0, &secret, &len));
	assert_false(tls_keylog_find(kl, random, TLS_KL_SERVER_HS, &secret, &len));
	unlink(path);
	/* A file that is not there: an error naming it. */
	assert_int_equal(tls_keylog_load(kl, path, &bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	tls_keylog_free(kl);
}

/* Many sessions: the table grows and finds each. */
static void test_keylog_many(void **state)
{
	struct tls_keylog *kl = tls_keylog_new();
	char line[256];
	uint8_t random[32] = {0};
	const uint8_t *secret;
	size_t len;
	unsigned i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "CLIENT_TRAFFIC_SECRET_0 %056x%08x %s", 0, i,
				 SECRET32);
		assert_int_equal(tls_keylog_line(kl, line, (size_t)n), TLS_KL_LINE_TAKEN);
	}
	assert_int_equal(tls_keylog_sessions(kl), 5000);
	for (i = 0; i < 5000; i += 499) {
		random[28] = (uint8_t)(i >> 24);
		random[29] = (uint8_t)(i >> 16);
		random[30] = (uint8_t)(i >> 8);
		random[31] = (uint8_t)i;
		assert_true(tls_keylog_find(kl, random, TLS_KL_CLIENT_AP0, &secret, &len));
	}
	tls_keylog_free(kl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hkdf_expand_label_rfc8448),
		cmocka_unit_test(test_hkdf_expand_label_refuses_long_label),
		cmocka_unit_test(test_record_nonce),
		cmocka_unit_test(test_aead_open_and_tamper),
		cmocka_unit_test(test_keylog_lines),
		cmocka_unit_test(test_keylog_file),
		cmocka_unit_test(test_keylog_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
