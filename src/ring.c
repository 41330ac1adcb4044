/* ring.c - the bounded single-producer/single-consumer ring of batches: C11 atomics, a sleep when it must wait. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "tcpnote/ring.h"

/*
 * head counts the batches pushed, tail those released; head - tail is how
 * many the consumer holds. Each side writes only its own counter. A side
 * that must wait says so in its flag and sleeps on the condition; the other
 * side, having moved its counter, wakes it when the flag is up. Both the
 * flag and the counter are sequentially consistent, so either the waiter
 * sees the new counter or the mover sees the flag (and the mutex closes the
 * gap between the waiter's last look and its sleep). The timed wait is only
 * a safety net.
 */
struct ring {
	struct ring_batch *slots;
	size_t nslots;
	_Alignas(64) atomic_size_t head;
	_Alignas(64) atomic_size_t tail;
	_Alignas(64) atomic_bool producer_waiting;
	atomic_bool consumer_waiting;
	atomic_bool closed;
	size_t producer_len0; /* producer only: the slot of head has been handed out, len reset */
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

struct ring *ring_new(size_t nslots)
{
	struct ring *r;

	if (nslots < 2)
		nslots = 2;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->slots = calloc(nslots, sizeof(*r->slots));
	if (r->slots == NULL || pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r->slots);
		free(r);
		return NULL;
	}
	if (pthread_cond_init(&r->wake, NULL) != 0) {
		pthread_mutex_destroy(&r->lock);
		free(r->slots);
		free(r);
		return NULL;
	}
	r->nslots = nslots;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->producer_waiting, false);
	atomic_init(&r->consumer_waiting, false);
	atomic_init(&r->closed, false);
	r->producer_len0 = (size_t)-1;
	return r;
}

void ring_free(struct ring *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nslots; i++)
		free(r->slots[i].data);
	free(r->slots);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

size_t ring_slots(const struct ring *r)
{
	return r->nslots;
}

static bool has_room(struct ring *r)
{
	return atomic_load(&r->head) - atomic_load(&r->tail) < r->nslots;
}

static bool is_empty(struct ring *r)
{
	return atomic_load(&r->head) == atomic_load(&r->tail);
}

static bool has_batch(struct ring *r)
{
	return !is_empty(r) || atomic_load(&r->closed);
}

/* Sleep until ready(r), with flag up meanwhile. */
static void wait_until(struct ring *r, atomic_bool *flag, bool (*ready)(struct ring *))
{
	struct timespec ts;

	pthread_mutex_lock(&r->lock);
	atomic_store(flag, true);
	while (!ready(r)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->wake, &r->lock, &ts);
	}
	atomic_store(flag, false);
	pthread_mutex_unlock(&r->lock);
}

/* The other side may be asleep in wait_until: wake it. */
static void wake_if(struct ring *r, atomic_bool *flag)
{
	if (atomic_load(flag)) {
		pthread_mutex_lock(&r->lock);
		pthread_cond_broadcast(&r->wake);
		pthread_mutex_unlock(&r->lock);
	}
}

struct ring_batch *ring_producer_batch(struct ring *r, bool wait)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct ring_batch *b;

	if (!has_room(r)) {
		if (!wait)
			return NULL;
		wait_until(r, &r->producer_waiting, has_room);
	}
	b = &r->slots[head % r->nslots];
	if (r->producer_len0 != head) {
		b->len = 0;
		r->producer_len0 = head;
	}
	return b;
}

void ring_push(struct ring *r)
{
	atomic_fetch_add(&r->head, 1);
	wake_if(r, &r->consumer_waiting);
}

void ring_close(struct ring *r)
{
	atomic_store(&r->closed, true);
	wake_if(r, &r->consumer_waiting);
}

bool ring_empty(struct ring *r)
{
	return is_empty(r);
}

void ring_wait_empty(struct ring *r)
{
	if (!is_empty(r))
		wait_until(r, &r->producer_waiting, is_empty);
}

struct ring_batch *ring_consumer_batch(struct ring *r)
{
	if (is_empty(r))
		wait_until(r, &r->consumer_waiting, has_batch);
	if (is_empty(r))
		return NULL; /* closed, and every batch taken */
	return &r->slots[atomic_load(&r->tail) % r->nslots];
}

void ring_release(struct ring *r)
{
	atomic_fetch_add(&r->tail, 1);
	wake_if(r, &r->producer_waiting);
}

bool ring_batch_reserve(struct ring_batch *b, size_t need)
{
	size_t ncap;
	unsigned char *nd;

	if (need <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < need)
		ncap *= 2;
	nd = realloc(b->data, ncap);
	if (nd == NULL)
		return false;
	b->data = nd;
	b->cap = ncap;
	return true;
}
