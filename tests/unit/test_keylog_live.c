/* test_keylog_live.c - live --keylog: the key log followed as it grows, and TLS records held until their keys come, on real captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tcpnote/tls_keylog.h"
#include "tcpnote/tls_keylog_tail.h"

#define RANDOM1 "0102030405060708091011121314151617181920212223242526272829303132"
#define RANDOM2 "a102030405060708091011121314151617181920212223242526272829303132"
#define RANDOM3 "b102030405060708091011121314151617181920212223242526272829303132"
#define SECRET32 "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
#define MASTER48 SECRET32 "00112233445566778899aabbccddeeff"

static uint8_t rnd(const char *hex, int i)
{
	unsigned v;

	sscanf(hex + 2 * i, "%2x", &v);
	return (uint8_t)v;
}

/* Does the key log hold a secret for (random, label)? */
static bool has(const struct tls_keylog *kl, const char *random_hex, enum tls_keylog_label label)
{
	uint8_t r[TLS_KL_RANDOM_LEN];
	const uint8_t *secret;
	size_t len;
	int i;

	for (i = 0; i < TLS_KL_RANDOM_LEN; i++)
		r[i] = rnd(random_hex, i);
	return tls_keylog_find(kl, r, label, &secret, &len);
}

static void put(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A fresh folder for one test's key log, and its path inside. */
struct place {
	char dir[64];
	char path[96];
};

static void place_new(struct place *pl)
{
	strcpy(pl->dir, "/tmp/tcpnote-keylive-XXXXXX");
	assert_non_null(mkdtemp(pl->dir));
	snprintf(pl->path, sizeof(pl->path), "%s/keys", pl->dir);
}

static void place_free(struct place *pl)
{
	char other[112];

	unlink(pl->path);
	snprintf(other, sizeof(other), "%s.new", pl->path);
	unlink(other);
	rmdir(pl->dir);
}

static long poll_ok(struct tls_keylog_tail *t, struct tls_keylog *kl)
{
	char err[256] = "";
	long n = tls_keylog_tail_poll(t, kl, err, sizeof(err));

	assert_true(n >= 0);
	assert_string_equal(err, "");
	return n;
}

/* Not there yet, then appended to: whole lines are taken, a last line waits for its newline. */
static void test_tail_appended_lines(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;
	char longline[700];

	(void)state;
	place_new(&pl);
	t = tls_keylog_tail_new(pl.path);
	assert_non_null(t);
	assert_int_equal(poll_ok(t, kl), 0);
	assert_false(tls_keylog_tail_found(t));

	put(pl.path, "w", "CLIENT_RANDOM " RANDOM1 " " MASTER48 "\nCLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM2
		     " " SECRET32);
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(tls_keylog_tail_found(t));
	assert_true(has(kl, RANDOM1, TLS_KL_CLIENT_RANDOM));
	assert_false(has(kl, RANDOM2, TLS_KL_CLIENT_HS)); /* no newline yet */
	assert_int_equal(poll_ok(t, kl), 0);
	put(pl.path, "a", "\r\n");
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(has(kl, RANDOM2, TLS_KL_CLIENT_HS));

	/* Lines that do not parse are counted, a long one once; a line seen again is not new. */
	memset(longline, 'A', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	put(pl.path, "a", "not a key log line\n");
	put(pl.path, "a", longline);
	put(pl.path, "a", "# a comment\n\nCLIENT_RANDOM " RANDOM1 " " MASTER48 "\n");
	assert_int_equal(poll_ok(t, kl), 0);
	assert_int_equal(tls_keylog_tail_bad(t), 2);
	assert_int_equal(tls_keylog_sessions(kl), 2);
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* Cut shorter than what was read: read again from the start; a line begun before is forgotten. */
static void test_tail_truncated(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;

	(void)state;
	place_new(&pl);
	t = tls_keylog_tail_new(pl.path);
	put(pl.path, "w", "CLIENT_RANDOM " RANDOM1 " " MASTER48 "\nCLIENT_RANDOM " RANDOM2 " 0011");
	assert_int_equal(poll_ok(t, kl), 1);
	/* The writer starts again (a new run of curl truncating the file): a shorter file. */
	put(pl.path, "w", "2233\nSERVER_TRAFFIC_SECRET_0 " RANDOM3 " " SECRET32 "\n");
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(has(kl, RANDOM3, TLS_KL_SERVER_AP0));
	/* "2233" alone does not parse: not joined to the old file's unfinished line. */
	assert_false(has(kl, RANDOM2, TLS_KL_CLIENT_RANDOM));
	assert_int_equal(tls_keylog_tail_bad(t), 1);
	assert_true(has(kl, RANDOM1, TLS_KL_CLIENT_RANDOM)); /* known secrets stay known */
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* Replaced by another file (rename over it), or removed and made again. */
static void test_tail_replaced(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;
	char other[112];
	FILE *old;

	(void)state;
	place_new(&pl);
	snprintf(other, sizeof(other), "%s.new", pl.path);
	t = tls_keylog_tail_new(pl.path);
	put(pl.path, "w", "CLIENT_RANDOM " RANDOM1 " " MASTER48 "\n");
	assert_int_equal(poll_ok(t, kl), 1);
	/* A writer that still holds the old file appends a line after the rename: read first. */
	old = fopen(pl.path, "a");
	assert_non_null(old);
	put(other, "w", "CLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM3 " " SECRET32 "\n");
	assert_int_equal(rename(other, pl.path), 0);
	fputs("CLIENT_RANDOM " RANDOM2 " " MASTER48 "\n", old);
	fclose(old);
	assert_int_equal(poll_ok(t, kl), 2);
	assert_true(has(kl, RANDOM2, TLS_KL_CLIENT_RANDOM));
	assert_true(has(kl, RANDOM3, TLS_KL_CLIENT_HS));

	/* Removed: no error, nothing lost; made again: read from its start. */
	assert_int_equal(unlink(pl.path), 0);
	assert_int_equal(poll_ok(t, kl), 0);
	put(pl.path, "w", "SERVER_HANDSHAKE_TRAFFIC_SECRET " RANDOM3 " " SECRET32 "\n");
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(has(kl, RANDOM3, TLS_KL_SERVER_HS));
	assert_true(has(kl, RANDOM1, TLS_KL_CLIENT_RANDOM));
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* A path that exists but cannot be read as a file is an error naming it. */
static void test_tail_error(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;
	char err[256] = "";

	(void)state;
	place_new(&pl);
	t = tls_keylog_tail_new(pl.dir);
	assert_int_equal(tls_keylog_tail_poll(t, kl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, pl.dir));
	assert_non_null(strstr(err, "--keylog"));
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_appended_lines),
		cmocka_unit_test(test_tail_truncated),
		cmocka_unit_test(test_tail_replaced),
		cmocka_unit_test(test_tail_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
