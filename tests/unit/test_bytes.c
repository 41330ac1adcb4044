/* test_bytes.c - unit tests of bytes.h: bounded span readers at every boundary, near SIZE_MAX. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/bytes.h"

static const uint8_t data8[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

/* span_has for every (off, n) pair around an 8-byte span. */
static void test_span_has_boundaries(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	size_t off, n;

	(void)state;
	for (off = 0; off <= 10; off++)
		for (n = 0; n <= 10; n++)
			assert_int_equal(span_has(s, off, n), off + n <= 8);
	/* The empty range at the very end is inside; one past it is not. */
	assert_true(span_has(s, 8, 0));
	assert_false(span_has(s, 9, 0));
}

/* Lengths or offsets near SIZE_MAX must not wrap around into "inside". */
static void test_span_has_no_overflow(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	struct span huge = {data8, SIZE_MAX}; /* only ever asked about, never read */

	(void)state;
	assert_false(span_has(s, SIZE_MAX, 1));
	assert_false(span_has(s, SIZE_MAX, 0));
	assert_false(span_has(s, 1, SIZE_MAX));
	assert_false(span_has(s, 0, SIZE_MAX));
	assert_false(span_has(s, 8, SIZE_MAX));
	assert_false(span_has(s, 4, SIZE_MAX - 2)); /* 4 + SIZE_MAX - 2 wraps to 1 */
	assert_false(span_has(s, SIZE_MAX - 2, 4));
	assert_false(span_has(s, SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1));

	assert_true(span_has(huge, 0, SIZE_MAX));
	assert_true(span_has(huge, SIZE_MAX, 0));
	assert_true(span_has(huge, SIZE_MAX - 1, 1));
	assert_false(span_has(huge, SIZE_MAX - 1, 2));
	assert_false(span_has(huge, SIZE_MAX, 1));
	assert_false(span_has(huge, 1, SIZE_MAX));
}

static void test_span_u8(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	uint8_t v;
	size_t off;

	(void)state;
	for (off = 0; off < 8; off++) {
		v = 0;
		assert_true(span_u8(s, off, &v));
		assert_int_equal(v, data8[off]);
	}
	v = 0x5a;
	assert_false(span_u8(s, 8, &v));
	assert_int_equal(v, 0x5a); /* untouched on failure */
	assert_false(span_u8(s, 9, &v));
	assert_false(span_u8(s, SIZE_MAX, &v));
	assert_int_equal(v, 0x5a);
}

static void test_span_be16(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	uint16_t v;

	(void)state;
	assert_true(span_be16(s, 0, &v));
	assert_int_equal(v, 0x0123);
	assert_true(span_be16(s, 1, &v));
	assert_int_equal(v, 0x2345);
	assert_true(span_be16(s, 6, &v)); /* last two bytes */
	assert_int_equal(v, 0xcdef);
	v = 0x5a5a;
	assert_false(span_be16(s, 7, &v)); /* one byte short */
	assert_false(span_be16(s, 8, &v));
	assert_false(span_be16(s, SIZE_MAX, &v));
	assert_false(span_be16(s, SIZE_MAX - 1, &v));
	assert_int_equal(v, 0x5a5a);
}

static void test_span_be32(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	uint32_t v;

	(void)state;
	assert_true(span_be32(s, 0, &v));
	assert_int_equal(v, 0x01234567u);
	assert_true(span_be32(s, 3, &v));
	assert_int_equal(v, 0x6789abcdu);
	assert_true(span_be32(s, 4, &v)); /* last four bytes */
	assert_int_equal(v, 0x89abcdefu);
	v = 0x5a5a5a5a;
	assert_false(span_be32(s, 5, &v));
	assert_false(span_be32(s, 7, &v));
	assert_false(span_be32(s, 8, &v));
	assert_false(span_be32(s, SIZE_MAX - 3, &v));
	assert_false(span_be32(s, SIZE_MAX, &v));
	assert_int_equal(v, 0x5a5a5a5au);

	/* High bit set in the top byte: no sign extension. */
	{
		static const uint8_t ff[4] = {0xff, 0xfe, 0x80, 0x00};
		struct span t = span_make(ff, 4);

		assert_true(span_be32(t, 0, &v));
		assert_int_equal(v, 0xfffe8000u);
	}
}

static void test_span_copy(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	uint8_t out[10];

	(void)state;
	memset(out, 0xee, sizeof(out));
	assert_true(span_copy(s, 2, out, 6));
	assert_memory_equal(out, data8 + 2, 6);
	assert_int_equal(out[6], 0xee);

	memset(out, 0xee, sizeof(out));
	assert_false(span_copy(s, 3, out, 6)); /* one byte short: nothing copied */
	assert_int_equal(out[0], 0xee);
	assert_false(span_copy(s, 1, out, SIZE_MAX));
	assert_false(span_copy(s, SIZE_MAX, out, 2));
	assert_int_equal(out[0], 0xee);
	assert_true(span_copy(s, 8, out, 0));
}

/* span_sub clamps to what was captured and is empty past the end. */
static void test_span_sub(void **state)
{
	struct span s = span_make(data8, sizeof(data8));
	struct span r;
	size_t off, n;

	(void)state;
	for (off = 0; off <= 10; off++) {
		for (n = 0; n <= 10; n++) {
			size_t want = off >= 8 ? 0 : (8 - off < n ? 8 - off : n);

			r = span_sub(s, off, n);
			assert_int_equal(r.len, want);
			if (off <= 8)
				assert_ptr_equal(r.data, data8 + off);
			if (r.len > 0)
				assert_memory_equal(r.data, data8 + off, r.len);
		}
	}
	r = span_sub(s, 3, SIZE_MAX);
	assert_int_equal(r.len, 5);
	assert_ptr_equal(r.data, data8 + 3);
	r = span_sub(s, SIZE_MAX, 4);
	assert_int_equal(r.len, 0);
	r = span_sub(s, SIZE_MAX, SIZE_MAX);
	assert_int_equal(r.len, 0);
	r = span_sub(s, 9, SIZE_MAX);
	assert_int_equal(r.len, 0);

	/* A sub-span reads only inside itself. */
	{
		uint32_t v;
		uint16_t w;
		uint8_t b;

		r = span_sub(s, 2, 4);
		assert_true(span_be32(r, 0, &v));
		assert_int_equal(v, 0x456789abu);
		assert_false(span_u8(r, 4, &b));
		assert_false(span_be16(r, 3, &w));
		assert_true(span_be16(r, 2, &w));
		assert_int_equal(w, 0x89ab);
	}
}

/* Every reader on a zero-length span: nothing to read, the empty range is inside. */
static void check_zero_length(struct span s)
{
	struct span r;
	uint8_t b = 7;
	uint16_t w = 7;
	uint32_t d = 7;

	assert_true(span_has(s, 0, 0));
	assert_false(span_has(s, 0, 1));
	assert_false(span_has(s, 1, 0));
	assert_false(span_u8(s, 0, &b));
	assert_false(span_be16(s, 0, &w));
	assert_false(span_be32(s, 0, &d));
	assert_int_equal(b, 7);
	assert_int_equal(w, 7);
	assert_int_equal(d, 7);
	assert_true(span_copy(s, 0, &b, 0));
	assert_false(span_copy(s, 0, &b, 1));
	r = span_sub(s, 0, 10);
	assert_int_equal(r.len, 0);
	r = span_sub(s, 1, 10);
	assert_int_equal(r.len, 0);
	r = span_sub(s, SIZE_MAX, SIZE_MAX);
	assert_int_equal(r.len, 0);
}

static void test_span_zero_length(void **state)
{
	(void)state;
	check_zero_length(span_make(data8, 0));
	check_zero_length(span_make(data8 + 8, 0));
}

/*
 * The zeroed span {NULL, 0}, which every memset packet holds (a tcp_info
 * payload before or without decoding): the same answers, and no pointer
 * arithmetic on NULL (UBSan under clang reports NULL + 0).
 */
static void test_span_zero_length_null(void **state)
{
	(void)state;
	check_zero_length(span_make(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span_has_boundaries),
		cmocka_unit_test(test_span_has_no_overflow),
		cmocka_unit_test(test_span_u8),
		cmocka_unit_test(test_span_be16),
		cmocka_unit_test(test_span_be32),
		cmocka_unit_test(test_span_copy),
		cmocka_unit_test(test_span_sub),
		cmocka_unit_test(test_span_zero_length),
		cmocka_unit_test(test_span_zero_length_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
