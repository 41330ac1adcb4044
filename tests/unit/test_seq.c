/* test_seq.c - unit tests of seq.h: sequence number comparisons modulo 2^32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/seq.h"

/* The five functions, in the order of the arrays below. */
enum rel { LT, LEQ, GT, GEQ, MAX, NREL };

static const char *const rel_names[NREL] = {"seq_lt", "seq_leq", "seq_gt", "seq_geq", "seq_max"};

static void eval(uint32_t a, uint32_t b, uint32_t got[NREL])
{
	got[LT] = seq_lt(a, b);
	got[LEQ] = seq_leq(a, b);
	got[GT] = seq_gt(a, b);
	got[GEQ] = seq_geq(a, b);
	got[MAX] = seq_max(a, b);
}

/* What all five functions give for one ordered pair (a, b): 1 or 0, and seq_max's value. */
struct pair_case {
	uint32_t a, b;
	uint32_t want[NREL]; /* {lt, leq, gt, geq, max} */
};

/* One function on one pair. */
struct rel_case {
	enum rel rel;
	uint32_t a, b;
	uint32_t want;
};

static void check_pair(const char *what, const struct pair_case *c)
{
	uint32_t got[NREL];
	unsigned r;

	eval(c->a, c->b, got);
	for (r = 0; r < NREL; r++) {
		case_begin("%s: %s(%#x, %#x)", what, rel_names[r], (unsigned)c->a, (unsigned)c->b);
		assert_int_equal(got[r], c->want[r]);
	}
}

static void check_rel(const char *what, const struct rel_case *c)
{
	uint32_t got[NREL];

	eval(c->a, c->b, got);
	case_begin("%s: %s(%#x, %#x)", what, rel_names[c->rel], (unsigned)c->a, (unsigned)c->b);
	assert_int_equal(got[c->rel], c->want);
}

static void check_pairs(const char *what, const struct pair_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_pair(what, &c[i]);
	case_end();
}

static void check_rels(const char *what, const struct rel_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_rel(what, &c[i]);
	case_end();
}

/* Plain ordering far from the wrap. */
static void test_seq_plain_order(void **state)
{
	static const struct pair_case pairs[] = {
		{1, 2, {1, 1, 0, 0, 2}},
		{2, 1, {0, 0, 1, 1, 2}},
	};
	static const struct rel_case rels[] = {
		{MAX, 1000, 0x7fffffffu, 0x7fffffffu},
	};

	(void)state;
	check_pairs("plain order", pairs, N_OF(pairs));
	check_rels("plain order", rels, N_OF(rels));
}

/* 0xfffffff0 comes before 0x10: 0x20 bytes later after the wrap. */
static void test_seq_across_wrap(void **state)
{
	static const struct pair_case pairs[] = {
		{0xfffffff0u, 0x10u, {1, 1, 0, 0, 0x10u}},
		{0x10u, 0xfffffff0u, {0, 0, 1, 1, 0x10u}},
	};
	/* The neighbours of the wrap point itself. */
	static const struct rel_case rels[] = {
		{LT, 0xffffffffu, 0, 1},
		{GT, 0, 0xffffffffu, 1},
		{MAX, 0xffffffffu, 0, 0},
		{MAX, 0, 0xffffffffu, 0},
		{LT, 0xffffffffu, 0x7ffffffeu, 1},
	};

	(void)state;
	check_pairs("across the wrap", pairs, N_OF(pairs));
	check_rels("across the wrap", rels, N_OF(rels));
}

/* Equal values: neither before nor after, but <= and >= both hold. */
static void test_seq_equal(void **state)
{
	static const uint32_t vals[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xffffffffu};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(vals); i++) {
		const struct pair_case c = {vals[i], vals[i], {0, 1, 0, 1, vals[i]}};

		check_pair("equal", &c);
	}
	case_end();
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
	for (i = 0; i < N_OF(bases); i++) {
		uint32_t a = bases[i], b = a + 0x80000000u;
		/* Neither is later: seq_max gives its second argument. */
		const struct pair_case pairs[] = {
			{a, b, {1, 1, 0, 0, b}},
			{b, a, {1, 1, 0, 0, a}},
		};
		const struct rel_case rels[] = {
			/* One short of 2^31 is unambiguous in both directions. */
			{LT, a, a + 0x7fffffffu, 1},
			{GT, a + 0x7fffffffu, a, 1},
			{MAX, a, a + 0x7fffffffu, a + 0x7fffffffu},
			/* One past 2^31 flips: b + 1 is now before a. */
			{GT, a, a + 0x80000001u, 1},
			{MAX, a, a + 0x80000001u, a},
		};

		check_pairs("half space", pairs, N_OF(pairs));
		check_rels("half space", rels, N_OF(rels));
	}
}

/* The four relations agree with each other for every pair in a sweep across the wrap. */
static void test_seq_relations_consistent(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		for (j = 0; j < 64; j++) {
			uint32_t a = 0xffffffe0u + i, b = 0xffffffe0u + j;
			const struct pair_case c = {a, b,
						    {i < j, i <= j, i > j, i >= j, i >= j ? a : b}};

			check_pair("sweep", &c);
		}
	}
	case_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seq_plain_order, case_teardown),
		cmocka_unit_test_teardown(test_seq_across_wrap, case_teardown),
		cmocka_unit_test_teardown(test_seq_equal, case_teardown),
		cmocka_unit_test_teardown(test_seq_half_space, case_teardown),
		cmocka_unit_test_teardown(test_seq_relations_consistent, case_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
