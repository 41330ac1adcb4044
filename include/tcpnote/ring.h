/* ring.h - a bounded single-producer/single-consumer ring of byte batches between two threads. */
#ifndef TCPNOTE_RING_H
#define TCPNOTE_RING_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One batch: bytes the producer wrote and the consumer reads. The buffer
 * belongs to its slot and is reused (grown, never shrunk) from batch to batch.
 */
struct ring_batch {
	unsigned char *data;
	size_t len; /* bytes written */
	size_t cap; /* bytes allocated */
};

struct ring;

/* A ring of nslots batches (at least 2); NULL when out of memory. */
struct ring *ring_new(size_t nslots);
void ring_free(struct ring *r);

/* How many batches the ring holds. */
size_t ring_slots(const struct ring *r);

/*
 * Producer: the batch being filled (its len starts at 0), or NULL when
 * every slot holds a batch the consumer has not released. With wait, it
 * waits for a slot instead (never NULL). The same batch is returned until ring_push.
 */
struct ring_batch *ring_producer_batch(struct ring *r, bool wait);

/* Producer: hand the batch from ring_producer_batch over to the consumer. */
void ring_push(struct ring *r);

/* Producer: no more batches; the consumer's ring_consumer_batch returns NULL once it has them all. */
void ring_close(struct ring *r);

/* True when the consumer holds no batch (it has released every one pushed). */
bool ring_empty(struct ring *r);

/* Producer: wait until the consumer has released every batch pushed. */
void ring_wait_empty(struct ring *r);

/*
 * Consumer: the oldest batch pushed and not yet released, waiting for one;
 * NULL once the ring is closed and empty.
 */
struct ring_batch *ring_consumer_batch(struct ring *r);

/* Consumer: done with the batch from ring_consumer_batch; its slot goes back to the producer. */
void ring_release(struct ring *r);

/* Grow b to hold at least need bytes; false when out of memory (b unchanged). */
bool ring_batch_reserve(struct ring_batch *b, size_t need);

#endif
