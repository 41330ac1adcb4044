/* flow.c - open-addressing hash table of connections keyed by canonical 5-tuple. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/flow.h"

/*
 * Records live inline in one array that doubles when half full, so finding
 * or creating a connection costs no allocation per packet.
 */
struct flow_table {
	uint8_t *slots;     /* cap * stride bytes */
	size_t cap;         /* power of two */
	size_t count;
	size_t value_size;
	size_t stride;      /* used flag + key + value, aligned */
};

struct slot_head {
	uint64_t used;
	struct flow_key key;
};

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

void flow_key_of(const struct packet *p, struct flow_key *k, bool *from_lo)
{
	size_t n = p->ip.addrlen;
	int c = memcmp(p->ip.src, p->ip.dst, n);
	bool lo = c < 0 || (c == 0 && p->tcp.sport <= p->tcp.dport);

	memset(k, 0, sizeof(*k));
	k->version = p->ip.version;
	if (lo) {
		memcpy(k->addr_lo, p->ip.src, n);
		memcpy(k->addr_hi, p->ip.dst, n);
		k->port_lo = p->tcp.sport;
		k->port_hi = p->tcp.dport;
	} else {
		memcpy(k->addr_lo, p->ip.dst, n);
		memcpy(k->addr_hi, p->ip.src, n);
		k->port_lo = p->tcp.dport;
		k->port_hi = p->tcp.sport;
	}
	*from_lo = lo;
}

struct flow_table *flow_table_new(size_t value_size)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->value_size = value_size;
	t->stride = ALIGN8(sizeof(struct slot_head)) + ALIGN8(value_size);
	t->cap = 256;
	t->slots = calloc(t->cap, t->stride);
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

static uint64_t key_hash(const struct flow_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < sizeof(*k); i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

static struct slot_head *slot_at(uint8_t *slots, size_t stride, size_t i)
{
	return (struct slot_head *)(void *)(slots + i * stride);
}

static struct slot_head *probe(uint8_t *slots, size_t cap, size_t stride, const struct flow_key *k)
{
	size_t i = (size_t)key_hash(k) & (cap - 1);

	for (;;) {
		struct slot_head *h = slot_at(slots, stride, i);

		if (!h->used || memcmp(&h->key, k, sizeof(*k)) == 0)
			return h;
		i = (i + 1) & (cap - 1);
	}
}

static bool grow(struct flow_table *t)
{
	size_t ncap = t->cap * 2, i;
	uint8_t *ns = calloc(ncap, t->stride);

	if (ns == NULL)
		return false;
	for (i = 0; i < t->cap; i++) {
		struct slot_head *h = slot_at(t->slots, t->stride, i);

		if (h->used)
			memcpy(probe(ns, ncap, t->stride, &h->key), h, t->stride);
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return true;
}

void *flow_lookup(struct flow_table *t, const struct flow_key *k, bool *created)
{
	struct slot_head *h;

	*created = false;
	if ((t->count + 1) * 2 > t->cap && !grow(t))
		return NULL;
	h = probe(t->slots, t->cap, t->stride, k);
	if (!h->used) {
		h->used = 1;
		h->key = *k;
		memset((uint8_t *)h + ALIGN8(sizeof(*h)), 0, t->value_size);
		t->count++;
		*created = true;
	}
	return (uint8_t *)h + ALIGN8(sizeof(*h));
}

void *flow_find(struct flow_table *t, const struct flow_key *k)
{
	struct slot_head *h = probe(t->slots, t->cap, t->stride, k);

	return h->used ? (uint8_t *)h + ALIGN8(sizeof(*h)) : NULL;
}

void flow_foreach(struct flow_table *t, void (*fn)(void *value, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		struct slot_head *h = slot_at(t->slots, t->stride, i);

		if (h->used)
			fn((uint8_t *)h + ALIGN8(sizeof(*h)), ctx);
	}
}

size_t flow_count(const struct flow_table *t)
{
	return t->count;
}
