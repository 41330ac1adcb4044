/* test_dump.c - unit tests of print_dump.c: tcpdump's -x, -X and -A text, in bounded pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/print_dump.h"

/* The whole dump of bytes, formatted through a buffer of cap bytes at a time. */
static char *dump_all(enum dump_mode m, const uint8_t *b, size_t n, size_t cap)
{
	struct span s = span_make(b, n);
	size_t at = 0, len = 0, room = 16 + n * 8;
	char *out = malloc(room), *piece = malloc(cap);

	assert_non_null(out);
	assert_non_null(piece);
	out[0] = '\0';
	while (at < n) {
		size_t before = at, k = dump_format(m, s, &at, piece, cap);

		assert_true(at > before); /* always progress */
		assert_int_equal(k, strlen(piece));
		assert_true(len + k < room);
		memcpy(out + len, piece, k + 1);
		len += k;
	}
	free(piece);
	return out;
}

/* tcpdump 4.99.3 -x and -X of the first 20 bytes of an IPv4 header and three more. */
static const uint8_t ip23[] = {0x45, 0x00, 0x00, 0x3c, 0x34, 0x98, 0x40, 0x00, 0x40, 0x06, 0x08, 0x22,
			       0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x20, 0x47, 0x0a};

static void test_dump_hex(void **state)
{
	char *got = dump_all(DUMP_HEX, ip23, sizeof(ip23), 4096);

	(void)state;
	assert_string_equal(got, "\t0x0000:  4500 003c 3498 4000 4006 0822 7f00 0001\n"
				 "\t0x0010:  7f00 0001 2047 0a\n");
	free(got);
}

/* -X pads the hex column to 40 characters; its text column shows a space as a dot. */
static void test_dump_hex_ascii(void **state)
{
	char *got = dump_all(DUMP_HEX_ASCII, ip23, sizeof(ip23), 4096);

	(void)state;
	assert_string_equal(got, "\t0x0000:  4500 003c 3498 4000 4006 0822 7f00 0001  E..<4.@.@..\"....\n"
				 "\t0x0010:  7f00 0001 2047 0a                        .....G.\n");
	free(got);
}

/* Offsets past 0xffff take the digits they need (printf's %04x). */
static void test_dump_offset_digits(void **state)
{
	uint8_t *b = calloc(1, 0x10001);
	char *got;

	(void)state;
	assert_non_null(b);
	got = dump_all(DUMP_HEX, b, 0x10001, 4096);
	assert_non_null(strstr(got, "\n\t0xfff0:  0000 0000"));
	assert_non_null(strstr(got, "\n\t0x10000:  00\n"));
	assert_int_equal(got[strlen(got) - 1], '\n');
	free(got);
	free(b);
}

/*
 * -A: print-ascii.c keeps tab, space and newline, drops a carriage return
 * before a newline or with fewer than two bytes after it, and dots the rest.
 */
static void test_dump_ascii(void **state)
{
	static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const uint8_t odd[] = {'a', '\r', 'b', 'c', 0x1b, 0x07, 0x7f, 0x80, 0xff, '\t',
				      ' ',  '\r', 'z'};
	static const uint8_t cr_end[] = {'a', '\r'};
	char *got;

	(void)state;
	got = dump_all(DUMP_ASCII, http, sizeof(http) - 1, 4096);
	assert_string_equal(got, "GET / HTTP/1.1\nHost: x\n\n\n");
	free(got);
	got = dump_all(DUMP_ASCII, odd, sizeof(odd), 4096);
	assert_string_equal(got, "a.bc.....\t z\n");
	free(got);
	got = dump_all(DUMP_ASCII, cr_end, sizeof(cr_end), 4096);
	assert_string_equal(got, "a\n");
	free(got);
}

/* The pieces of a small buffer add up to the text of a large one, in every mode. */
static void test_dump_pieces(void **state)
{
	static const enum dump_mode modes[] = {DUMP_HEX, DUMP_HEX_ASCII, DUMP_ASCII};
	uint8_t b[1000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + (i % 3 == 0 ? '\r' : 0));
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char *whole = dump_all(modes[i], b, sizeof(b), 1 << 16);
		char *small = dump_all(modes[i], b, sizeof(b), 128);
		char *tiny = dump_all(modes[i], b, sizeof(b), modes[i] == DUMP_ASCII ? 3 : 82);

		assert_string_equal(whole, small);
		assert_string_equal(whole, tiny);
		free(whole);
		free(small);
		free(tiny);
	}
}

/* Nothing to dump, no room or no mode: nothing written, no byte past cap. */
static void test_dump_edges(void **state)
{
	char buf[8] = "xxxxxxx";
	size_t at = 0;

	(void)state;
	assert_int_equal(dump_format(DUMP_HEX, span_make(ip23, 0), &at, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(dump_format(DUMP_HEX, span_make(ip23, 4), &at, buf, 0), 0);
	assert_int_equal(dump_format(DUMP_HEX, span_make(ip23, 4), &at, buf, sizeof(buf)), 0);
	assert_int_equal(at, 0); /* a line does not fit in 8 bytes: no progress, nothing cut */
	assert_int_equal(dump_format(DUMP_NONE, span_make(ip23, 4), &at, buf, sizeof(buf)), 0);
	assert_int_equal(at, 4);
	assert_string_equal(dump_mode_name(DUMP_HEX_ASCII), "hex-ascii");
	assert_string_equal(dump_mode_name(DUMP_NONE), "none");
}

/* dump_write() writes the same text to a stream, and nothing for no bytes. */
static void test_dump_write(void **state)
{
	char *mem = NULL, *want = dump_all(DUMP_HEX_ASCII, ip23, sizeof(ip23), 4096);
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);

	(void)state;
	assert_non_null(f);
	assert_true(dump_write(f, DUMP_HEX_ASCII, span_make(ip23, sizeof(ip23))));
	assert_true(dump_write(f, DUMP_ASCII, span_make(ip23, 0)));
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, want);
	free(mem);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_hex),       cmocka_unit_test(test_dump_hex_ascii),
		cmocka_unit_test(test_dump_offset_digits), cmocka_unit_test(test_dump_ascii),
		cmocka_unit_test(test_dump_pieces),    cmocka_unit_test(test_dump_edges),
		cmocka_unit_test(test_dump_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
