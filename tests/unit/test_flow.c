/* test_flow.c - unit tests of the connection table: canonical keys, lookup, growth to 100000. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/flow.h"

/* Both directions of a connection share one key; from_lo tells them apart. */
static void test_flow_key_both_directions(void **state)
{
	struct packet ab, ba;
	struct flow_key k1, k2;
	bool lo1, lo2;

	(void)state;
	make_packet4(&ab, addr4_1, 40000, addr4_2, 80);
	make_packet4(&ba, addr4_2, 80, addr4_1, 40000);
	memset(&k1, 0xee, sizeof(k1));
	memset(&k2, 0x11, sizeof(k2));
	flow_key_of(&ab, &k1, &lo1);
	flow_key_of(&ba, &k2, &lo2);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_true(lo1);
	assert_false(lo2);
	assert_int_equal(k1.version, 4);
	assert_memory_equal(k1.addr_lo, addr4_1, 4);
	assert_memory_equal(k1.addr_hi, addr4_2, 4);
	assert_int_equal(k1.port_lo, 40000);
	assert_int_equal(k1.port_hi, 80);
	/* The unused address bytes are zero, so keys compare with memcmp. */
	{
		static const uint8_t zero[12];

		assert_memory_equal(k1.addr_lo + 4, zero, 12);
		assert_memory_equal(k1.addr_hi + 4, zero, 12);
	}
}

/* Same address both ways (loopback): the lower port is the "lo" end. */
static void test_flow_key_same_address(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct packet p1, p2;
	struct flow_key k1, k2;
	bool lo1, lo2;

	(void)state;
	make_packet4(&p1, lo, 35180, lo, 7070);
	make_packet4(&p2, lo, 7070, lo, 35180);
	flow_key_of(&p1, &k1, &lo1);
	flow_key_of(&p2, &k2, &lo2);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_false(lo1);
	assert_true(lo2);
	assert_int_equal(k1.port_lo, 7070);
	assert_int_equal(k1.port_hi, 35180);

	/* Same address and same port: one endpoint talking to itself. */
	make_packet4(&p1, lo, 5000, lo, 5000);
	flow_key_of(&p1, &k1, &lo1);
	assert_true(lo1);
}

static void test_flow_key_ipv6_and_distinctness(void **state)
{
	const uint8_t *x = addr6_2, *y = addr6_1;
	struct packet p1, p2, p4;
	struct flow_key k1, k2, k4;
	bool lo1, lo2, lo4;

	(void)state;
	make_packet6(&p1, x, 443, y, 50000);
	make_packet6(&p2, y, 50000, x, 443);
	flow_key_of(&p1, &k1, &lo1);
	flow_key_of(&p2, &k2, &lo2);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_false(lo1); /* y < x */
	assert_true(lo2);
	assert_int_equal(k1.version, 6);
	assert_memory_equal(k1.addr_lo, y, 16);
	assert_int_equal(k1.port_lo, 50000);

	/* IPv4 10.0.0.1/10.0.0.2 and an IPv6 pair with the same leading bytes differ. */
	make_packet4(&p4, addr4_1, 1, addr4_2, 2);
	flow_key_of(&p4, &k4, &lo4);
	assert_memory_not_equal(&k1, &k4, sizeof(k1));
	/* Another port: another key. */
	make_packet6(&p2, y, 50001, x, 443);
	flow_key_of(&p2, &k2, &lo2);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
}

struct rec {
	uint32_t id;
	uint32_t check;
	uint8_t tail; /* an odd value size: 9 bytes */
};

static void key_n(uint32_t n, struct flow_key *k)
{
	struct packet p;
	uint8_t s[4] = {10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	bool lo;

	make_packet4(&p, s, (uint16_t)(1024 + (n % 50000)), addr4_2, 443);
	flow_key_of(&p, k, &lo);
}

static void test_flow_lookup_create_then_find(void **state)
{
	struct flow_table *t = *(struct flow_table **)*state;
	struct flow_key k, k2;
	struct rec *r;
	bool created;

	assert_int_equal(flow_count(t), 0);
	key_n(1, &k);
	r = flow_lookup(t, &k, &created);
	assert_non_null(r);
	assert_true(created);
	assert_int_equal(r->id, 0); /* zeroed when created */
	assert_int_equal(r->check, 0);
	assert_int_equal(r->tail, 0);
	r->id = 77;
	r->check = 0xdeadbeef;
	r->tail = 9;
	assert_int_equal(flow_count(t), 1);

	created = true;
	r = flow_lookup(t, &k, &created);
	assert_non_null(r);
	assert_false(created);
	assert_int_equal(r->id, 77);
	assert_int_equal(r->check, 0xdeadbeefu);
	assert_int_equal(r->tail, 9);
	assert_int_equal(flow_count(t), 1);

	/* The reverse direction of the same connection finds the same record. */
	{
		struct packet p;
		bool lo;

		make_packet4(&p, addr4_2, 443, addr4_1, 1025);
		flow_key_of(&p, &k2, &lo);
		assert_false(lo);
		r = flow_lookup(t, &k2, &created);
		assert_false(created);
		assert_int_equal(r->id, 77);
	}

	key_n(2, &k2);
	r = flow_lookup(t, &k2, &created);
	assert_true(created);
	assert_int_equal(r->id, 0);
	assert_int_equal(flow_count(t), 2);
	flow_table_free(NULL);
}

static void count_rec(void *value, void *ctx)
{
	const struct rec *r = value;
	uint64_t *acc = ctx;

	acc[0]++;
	acc[1] += r->id;
	if (r->check != (r->id ^ 0xa5a5a5a5u) || r->tail != (uint8_t)(r->id * 7))
		acc[2]++;
}

/* 100000 connections: each created once, all found again intact after the table grew. */
static void test_flow_growth_100000(void **state)
{
	const uint32_t n = 100000;
	struct flow_table *t = *(struct flow_table **)*state;
	uint64_t acc[3] = {0, 0, 0};
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct flow_key k;
		struct rec *r;
		bool created = false;

		key_n(i, &k);
		r = flow_lookup(t, &k, &created);
		assert_non_null(r);
		assert_true(created);
		assert_int_equal(r->id, 0);
		assert_int_equal(r->check, 0);
		r->id = i;
		r->check = i ^ 0xa5a5a5a5u;
		r->tail = (uint8_t)(i * 7);
		/* An earlier record is still there after this insertion (and any growth). */
		if (i > 0 && (i & (i - 1)) == 0) {
			struct rec *old;

			key_n(i / 2, &k);
			old = flow_lookup(t, &k, &created);
			assert_false(created);
			assert_int_equal(old->id, i / 2);
		}
	}
	assert_int_equal(flow_count(t), n);

	for (i = 0; i < n; i++) {
		struct flow_key k;
		struct rec *r;
		bool created = true;

		key_n(i, &k);
		r = flow_lookup(t, &k, &created);
		assert_non_null(r);
		assert_false(created);
		assert_int_equal(r->id, i);
		assert_int_equal(r->check, i ^ 0xa5a5a5a5u);
		assert_int_equal(r->tail, (uint8_t)(i * 7));
	}
	assert_int_equal(flow_count(t), n);

	flow_foreach(t, count_rec, acc);
	assert_int_equal(acc[0], n);
	assert_int_equal(acc[1], (uint64_t)n * (n - 1) / 2);
	assert_int_equal(acc[2], 0);
}

enum { VSZ = 203, N = 3000 };

/* A value larger than the key and not a multiple of 8 keeps its bytes through growth. */
/* Removal keeps every other record findable; the LRU order gives the oldest; slots are reused. */
static void test_flow_remove_and_lru(void **state)
{
	struct flow_table *t = *(struct flow_table **)*state;
	struct flow_key k;
	struct rec *r;
	bool created;
	uint32_t i;

	for (i = 0; i < 5000; i++) {
		key_n(i, &k);
		r = flow_lookup(t, &k, &created);
		assert_non_null(r);
		r->id = i;
	}
	/* Touch record 0: record 1 becomes the oldest. */
	key_n(0, &k);
	flow_lookup(t, &k, &created);
	assert_false(created);
	r = flow_oldest(t);
	assert_non_null(r);
	assert_int_equal(r->id, 1);
	key_n(1, &k);
	assert_memory_equal(flow_key_at(t, r), &k, sizeof(k));

	/* Remove every third record, oldest first through flow_oldest for some. */
	for (i = 0; i < 5000; i += 3) {
		key_n(i, &k);
		r = flow_find(t, &k);
		assert_non_null(r);
		flow_remove(t, r);
		assert_null(flow_find(t, &k));
	}
	assert_int_equal(flow_count(t), 5000 - 1667);
	for (i = 0; i < 5000; i++) {
		key_n(i, &k);
		r = flow_find(t, &k);
		if (i % 3 == 0) {
			assert_null(r);
		} else {
			assert_non_null(r);
			assert_int_equal(r->id, i);
		}
	}
	/* Record 1 was kept (1 % 3 != 0) and is still the oldest. */
	r = flow_oldest(t);
	assert_int_equal(r->id, 1);
	/* Emptying through flow_oldest visits records in LRU order and leaves nothing. */
	while ((r = flow_oldest(t)) != NULL)
		flow_remove(t, r);
	assert_int_equal(flow_count(t), 0);
	/* Freed records are reused, and come back zeroed. */
	key_n(7, &k);
	r = flow_lookup(t, &k, &created);
	assert_true(created);
	assert_int_equal(r->id, 0);
}

static void test_flow_large_values(void **state)
{
	struct flow_table *t = *(struct flow_table **)*state;
	uint32_t i;

	for (i = 0; i < N; i++) {
		struct flow_key k;
		uint8_t *v;
		bool created;

		key_n(i, &k);
		v = flow_lookup(t, &k, &created);
		assert_true(created);
		memset(v, (int)(i & 0xff), VSZ);
	}
	for (i = 0; i < N; i++) {
		struct flow_key k;
		uint8_t *v, want[VSZ];
		bool created;

		key_n(i, &k);
		v = flow_lookup(t, &k, &created);
		assert_false(created);
		memset(want, (int)(i & 0xff), VSZ);
		assert_memory_equal(v, want, VSZ);
	}
}

/* Each table test gets a fresh table, freed even when the test fails. */
static struct flow_table *table;

static int setup_table(void **state, size_t value_size)
{
	table = flow_table_new(value_size);
	*state = &table;
	return table == NULL ? -1 : 0;
}

static int setup_rec(void **state)
{
	return setup_table(state, sizeof(struct rec));
}

static int setup_large(void **state)
{
	return setup_table(state, VSZ);
}

static int teardown(void **state)
{
	struct flow_table **t = *state;

	flow_table_free(*t);
	*t = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_key_both_directions),
		cmocka_unit_test(test_flow_key_same_address),
		cmocka_unit_test(test_flow_key_ipv6_and_distinctness),
		cmocka_unit_test_setup_teardown(test_flow_lookup_create_then_find, setup_rec,
						teardown),
		cmocka_unit_test_setup_teardown(test_flow_growth_100000, setup_rec, teardown),
		cmocka_unit_test_setup_teardown(test_flow_remove_and_lru, setup_rec, teardown),
		cmocka_unit_test_setup_teardown(test_flow_large_values, setup_large, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
