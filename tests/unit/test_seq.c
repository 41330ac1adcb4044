/* test_seq.c - unit tests of seq.h: sequence number comparisons modulo 2^32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcpnote/seq.h"

/* Plain ordering far from the wrap. */
static void test_seq_plain_order(void **state)
{
	(void)state;
	assert_true(seq_lt(1, 2));
	assert_false(seq_lt(2, 1));
	assert_true(seq_leq(1, 2));
	assert_false(seq_leq(2, 1));
	assert_true(seq_gt(2, 1));
	assert_false(seq_gt(1, 2));
	assert_true(seq_geq(2, 1));
	assert_false(seq_geq(1, 2));
	assert_int_equal(seq_max(1, 2), 2);
	assert_int_equal(seq_max(2, 1), 2);
	assert_int_equal(seq_max(1000, 0x7fffffff), 0x7fffffff);
}

/* 0xfffffff0 comes before 0x10: 0x20 bytes later after the wrap. */
static void test_seq_across_wrap(void **state)
{
	const uint32_t before = 0xfffffff0u, after = 0x10u;

	(void)state;
	assert_true(seq_lt(before, after));
	assert_true(seq_leq(before, after));
	assert_false(seq_gt(before, after));
	assert_false(seq_geq(before, after));

	assert_false(seq_lt(after, before));
	assert_false(seq_leq(after, before));
	assert_true(seq_gt(after, before));
	assert_true(seq_geq(after, before));

	assert_int_equal(seq_max(before, after), after);
	assert_int_equal(seq_max(after, before), after);

	/* The neighbours of the wrap point itself. */
	assert_true(seq_lt(0xffffffffu, 0));
	assert_true(seq_gt(0, 0xffffffffu));
	assert_int_equal(seq_max(0xffffffffu, 0), 0);
	assert_int_equal(seq_max(0, 0xffffffffu), 0);
	assert_true(seq_lt(0xffffffffu, 0x7ffffffeu));
}

/* Equal values: neither before nor after, but <= and >= both hold. */
static void test_seq_equal(void **state)
{
	static const uint32_t vals[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xffffffffu};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint32_t v = vals[i];

		assert_false(seq_lt(v, v));
		assert_true(seq_leq(v, v));
		assert_false(seq_gt(v, v));
		assert_true(seq_geq(v, v));
		assert_int_equal(seq_max(v, v), v);
	}
}

/*
 * Distance exactly 2^31 is the ambiguous point: the signed difference is
 * INT32_MIN, so each value is "before" the other (as in the BSD macros).
 */
static void test_seq_half_space(void **state)
{
	static const uint32_t bases[] = {0, 1, 0x10, 0x7fffffffu, 0xfffffff0u};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint32_t a = bases[i], b = a + 0x80000000u;

		assert_true(seq_lt(a, b));
		assert_true(seq_lt(b, a));
		assert_true(seq_leq(a, b));
		assert_true(seq_leq(b, a));
		assert_false(seq_gt(a, b));
		assert_false(seq_gt(b, a));
		assert_false(seq_geq(a, b));
		assert_false(seq_geq(b, a));
		/* Neither is later: seq_max gives its second argument. */
		assert_int_equal(seq_max(a, b), b);
		assert_int_equal(seq_max(b, a), a);

		/* One short of 2^31 is unambiguous in both directions. */
		assert_true(seq_lt(a, a + 0x7fffffffu));
		assert_true(seq_gt(a + 0x7fffffffu, a));
		assert_int_equal(seq_max(a, a + 0x7fffffffu), a + 0x7fffffffu);
		/* One past 2^31 flips: b + 1 is now before a. */
		assert_true(seq_gt(a, a + 0x80000001u));
		assert_int_equal(seq_max(a, a + 0x80000001u), a);
	}
}

/* The four relations agree with each other for every pair in a sweep across the wrap. */
static void test_seq_relations_consistent(void **state)
{
	uint32_t a, b;
	unsigned i, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		for (j = 0; j < 64; j++) {
			a = 0xffffffe0u + i;
			b = 0xffffffe0u + j;
			assert_int_equal(seq_lt(a, b), i < j);
			assert_int_equal(seq_gt(a, b), i > j);
			assert_int_equal(seq_leq(a, b), i <= j);
			assert_int_equal(seq_geq(a, b), i >= j);
			assert_int_equal(seq_max(a, b), i >= j ? a : b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_plain_order),
		cmocka_unit_test(test_seq_across_wrap),
		cmocka_unit_test(test_seq_equal),
		cmocka_unit_test(test_seq_half_space),
		cmocka_unit_test(test_seq_relations_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
