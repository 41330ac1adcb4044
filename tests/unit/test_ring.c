/* test_ring.c - the SPSC ring of batches: order, fullness, closing, and two threads hammering it. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/ring.h"

/* Write the numbers from..from+n-1 into the producer's batch and push it. */
static void push_numbers(struct ring *r, struct ring_batch *b, uint64_t from, size_t n)
{
	size_t i;

	assert_true(ring_batch_reserve(b, n * sizeof(uint64_t)));
	for (i = 0; i < n; i++) {
		uint64_t v = from + i;

		memcpy(b->data + i * sizeof(v), &v, sizeof(v));
	}
	b->len = n * sizeof(uint64_t);
	ring_push(r);
}

static void test_ring_fills_then_refuses_without_waiting(void **state)
{
	struct ring *r = ring_new(3);
	struct ring_batch *b;
	uint64_t v;
	int i;

	(void)state;
	assert_non_null(r);
	assert_int_equal(ring_slots(r), 3);
	for (i = 0; i < 3; i++) {
		b = ring_producer_batch(r, false);
		assert_non_null(b);
		assert_int_equal(b->len, 0);
		push_numbers(r, b, (uint64_t)i * 10, 2);
	}
	/* Three batches held by the consumer: no room. */
	assert_null(ring_producer_batch(r, false));
	/* The oldest comes first; releasing it makes room for one. */
	b = ring_consumer_batch(r);
	assert_int_equal(b->len, 2 * sizeof(uint64_t));
	memcpy(&v, b->data, sizeof(v));
	assert_int_equal(v, 0);
	ring_release(r);
	b = ring_producer_batch(r, false);
	assert_non_null(b);
	assert_int_equal(b->len, 0); /* a reused slot starts empty */
	assert_ptr_equal(ring_producer_batch(r, false), b); /* the same batch until pushed */
	ring_free(r);
}

static void test_ring_closed_and_empty_ends_the_consumer(void **state)
{
	struct ring *r = ring_new(2);
	struct ring_batch *b;
	uint64_t v;

	(void)state;
	push_numbers(r, ring_producer_batch(r, true), 7, 1);
	ring_close(r);
	/* What was pushed before the close is still handed out, then NULL. */
	b = ring_consumer_batch(r);
	assert_non_null(b);
	memcpy(&v, b->data, sizeof(v));
	assert_int_equal(v, 7);
	ring_release(r);
	assert_null(ring_consumer_batch(r));
	ring_wait_empty(r); /* returns: nothing is held */
	ring_free(r);
}

static void test_ring_reserve_grows_and_keeps(void **state)
{
	struct ring_batch b = {NULL, 0, 0};

	(void)state;
	assert_true(ring_batch_reserve(&b, 10));
	assert_true(b.cap >= 10);
	memcpy(b.data, "0123456789", 10);
	assert_true(ring_batch_reserve(&b, 100000));
	assert_true(b.cap >= 100000);
	assert_memory_equal(b.data, "0123456789", 10);
	free(b.data);
}

#define STRESS_NUMBERS 2000000u

struct stress {
	struct ring *r;
	bool wait;           /* the producer waits for room (replay) or skips (live) */
	uint64_t received;   /* consumer: numbers seen */
	uint64_t last;       /* consumer: the last number seen, +1 */
	bool in_order;
	uint64_t dropped;    /* producer: numbers that found no room */
};

static void *stress_consumer(void *arg)
{
	struct stress *s = arg;
	struct ring_batch *b;
	size_t i;

	while ((b = ring_consumer_batch(s->r)) != NULL) {
		for (i = 0; i + sizeof(uint64_t) <= b->len; i += sizeof(uint64_t)) {
			uint64_t v;

			memcpy(&v, b->data + i, sizeof(v));
			/* Waiting: every number, in order. Skipping: increasing. */
			if (s->wait ? v != s->last : v < s->last)
				s->in_order = false;
			s->last = v + 1;
			s->received++;
		}
		ring_release(s->r);
	}
	return NULL;
}

/* A producer and a consumer thread; batches of 1 to 64 numbers, sizes varying. */
static void stress(struct stress *s, bool wait)
{
	pthread_t t;
	uint64_t next = 0;
	size_t n = 1;

	memset(s, 0, sizeof(*s));
	s->r = ring_new(4);
	s->wait = wait;
	s->in_order = true;
	assert_non_null(s->r);
	assert_int_equal(pthread_create(&t, NULL, stress_consumer, s), 0);
	while (next < STRESS_NUMBERS) {
		struct ring_batch *b = ring_producer_batch(s->r, wait);

		n = n % 64 + 1;
		if (n > STRESS_NUMBERS - next)
			n = (size_t)(STRESS_NUMBERS - next);
		if (b == NULL)
			s->dropped += n;
		else
			push_numbers(s->r, b, next, n);
		next += n;
		if (next == STRESS_NUMBERS / 2)
			ring_wait_empty(s->r); /* everything so far consumed: nothing more is held */
	}
	ring_close(s->r);
	assert_int_equal(pthread_join(t, NULL), 0);
	ring_free(s->r);
}

static void test_ring_two_threads_waiting_lose_nothing(void **state)
{
	struct stress s;

	(void)state;
	stress(&s, true);
	assert_true(s.in_order);
	assert_int_equal(s.dropped, 0);
	assert_int_equal(s.received, STRESS_NUMBERS);
	assert_int_equal(s.last, STRESS_NUMBERS);
}

static void test_ring_two_threads_skipping_count_every_loss(void **state)
{
	struct stress s;

	(void)state;
	stress(&s, false);
	assert_true(s.in_order);
	/* What was not received was counted by the producer, and nothing twice. */
	assert_int_equal(s.received + s.dropped, STRESS_NUMBERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_fills_then_refuses_without_waiting),
		cmocka_unit_test(test_ring_closed_and_empty_ends_the_consumer),
		cmocka_unit_test(test_ring_reserve_grows_and_keeps),
		cmocka_unit_test(test_ring_two_threads_waiting_lose_nothing),
		cmocka_unit_test(test_ring_two_threads_skipping_count_every_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
