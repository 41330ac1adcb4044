/* flow.c - the connection table: canonical 5-tuple keys, dense records, LRU order, removal. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/flow.h"

/*
 * Records live in one dense array (grown by doubling, reused through a free
 * list); an open-addressing index of record numbers finds them by key, so a
 * lookup costs no allocation per packet. The records are also linked in
 * least-recently-used order, oldest at the tail, which is what eviction
 * takes. Index deletion shifts the probe run back (no tombstones).
 */
#define NONE UINT32_MAX

struct rec_head {
	uint32_t prev, next; /* LRU neighbours, or the free list's next */
	struct flow_key key; /* version 0: a free record */
};

struct flow_table {
	uint8_t *recs;
	size_t rec_cap, rec_len; /* allocated, and ever handed out */
	size_t stride, value_size;
	uint32_t free_head;
	uint32_t *index; /* record number + 1; 0 is empty */
	size_t index_cap;
	uint32_t lru_head, lru_tail; /* newest, oldest */
	size_t count;
};

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)
#define HEAD_SIZE ALIGN8(sizeof(struct rec_head))

bool flow_from_lo(const struct packet *p)
{
	int c = memcmp(p->ip.head.src, p->ip.head.dst, p->ip.head.addrlen);

	return c < 0 || (c == 0 && p->tcp.sport <= p->tcp.dport);
}

void flow_key_of(const struct packet *p, struct flow_key *k, bool *from_lo)
{
	size_t n = p->ip.head.addrlen;
	bool lo = flow_from_lo(p);

	memset(k, 0, sizeof(*k));
	k->version = p->ip.head.version;
	if (lo) {
		memcpy(k->addr_lo, p->ip.head.src, n);
		memcpy(k->addr_hi, p->ip.head.dst, n);
		k->port_lo = p->tcp.sport;
		k->port_hi = p->tcp.dport;
	} else {
		memcpy(k->addr_lo, p->ip.head.dst, n);
		memcpy(k->addr_hi, p->ip.head.src, n);
		k->port_lo = p->tcp.dport;
		k->port_hi = p->tcp.sport;
	}
	if (p->tun.depth > 0) {
		k->tun_kind = p->tun.id_kind;
		k->tun_id = p->tun.id;
		k->tun_hash = p->tun.id_hash;
	}
	*from_lo = lo;
}

static struct rec_head *rec(const struct flow_table *t, uint32_t i)
{
	return (struct rec_head *)(void *)(t->recs + (size_t)i * t->stride);
}

static void *value_of(const struct flow_table *t, uint32_t i)
{
	return t->recs + (size_t)i * t->stride + HEAD_SIZE;
}

static uint32_t rec_number(const struct flow_table *t, const void *value)
{
	return (uint32_t)(((const uint8_t *)value - HEAD_SIZE - t->recs) / t->stride);
}

struct flow_table *flow_table_new(size_t value_size)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->value_size = value_size;
	t->stride = HEAD_SIZE + ALIGN8(value_size);
	t->free_head = NONE;
	t->lru_head = t->lru_tail = NONE;
	t->index_cap = 512;
	t->index = calloc(t->index_cap, sizeof(*t->index));
	if (t->index == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	free(t->recs);
	free(t->index);
	free(t);
}

_Static_assert(sizeof(struct flow_key) <= 6 * sizeof(uint64_t), "key_hash reads the key as 6 words");

/* Six 64-bit words of the key, multiply-xorshift mixed (the key is 48 bytes, zero-padded here). */
static uint64_t key_hash(const struct flow_key *k)
{
	uint64_t w[6] = {0, 0, 0, 0, 0, 0};
	uint64_t h = 0x9e3779b97f4a7c15ull;
	unsigned i;

	memcpy(w, k, sizeof(*k));
	for (i = 0; i < 6; i++) {
		h ^= w[i];
		h *= 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	return h;
}

/* The index slot holding k, or the empty slot where it would go. */
static size_t probe(const struct flow_table *t, const struct flow_key *k)
{
	size_t mask = t->index_cap - 1, i = (size_t)key_hash(k) & mask;

	while (t->index[i] != 0 && memcmp(&rec(t, t->index[i] - 1)->key, k, sizeof(*k)) != 0)
		i = (i + 1) & mask;
	return i;
}

static bool grow_index(struct flow_table *t)
{
	size_t ncap = t->index_cap * 2, i, mask = ncap - 1;
	uint32_t *ni = calloc(ncap, sizeof(*ni));

	if (ni == NULL)
		return false;
	for (i = 0; i < t->index_cap; i++) {
		size_t j;

		if (t->index[i] == 0)
			continue;
		j = (size_t)key_hash(&rec(t, t->index[i] - 1)->key) & mask;
		while (ni[j] != 0)
			j = (j + 1) & mask;
		ni[j] = t->index[i];
	}
	free(t->index);
	t->index = ni;
	t->index_cap = ncap;
	return true;
}

static void lru_unlink(struct flow_table *t, uint32_t i)
{
	struct rec_head *h = rec(t, i);

	if (h->prev != NONE)
		rec(t, h->prev)->next = h->next;
	else
		t->lru_head = h->next;
	if (h->next != NONE)
		rec(t, h->next)->prev = h->prev;
	else
		t->lru_tail = h->prev;
}

static void lru_push_head(struct flow_table *t, uint32_t i)
{
	struct rec_head *h = rec(t, i);

	h->prev = NONE;
	h->next = t->lru_head;
	if (t->lru_head != NONE)
		rec(t, t->lru_head)->prev = i;
	t->lru_head = i;
	if (t->lru_tail == NONE)
		t->lru_tail = i;
}

/* A record number for a new entry: from the free list, or a new one. */
static bool new_record(struct flow_table *t, uint32_t *out)
{
	if (t->free_head != NONE) {
		*out = t->free_head;
		t->free_head = rec(t, *out)->next;
		return true;
	}
	if (t->rec_len == t->rec_cap) {
		size_t ncap = t->rec_cap ? t->rec_cap * 2 : 256;
		uint8_t *nr;

		if (ncap >= NONE)
			return false;
		nr = realloc(t->recs, ncap * t->stride);
		if (nr == NULL)
			return false;
		t->recs = nr;
		t->rec_cap = ncap;
	}
	*out = (uint32_t)t->rec_len++;
	return true;
}

void *flow_lookup(struct flow_table *t, const struct flow_key *k, bool *created)
{
	size_t slot;
	uint32_t i;
	struct rec_head *h;

	*created = false;
	if ((t->count + 1) * 2 > t->index_cap && !grow_index(t))
		return NULL;
	slot = probe(t, k);
	if (t->index[slot] != 0) {
		i = t->index[slot] - 1;
		if (t->lru_head != i) {
			lru_unlink(t, i);
			lru_push_head(t, i);
		}
		return value_of(t, i);
	}
	if (!new_record(t, &i))
		return NULL;
	h = rec(t, i);
	h->key = *k;
	memset(value_of(t, i), 0, t->value_size);
	t->index[slot] = i + 1;
	lru_push_head(t, i);
	t->count++;
	*created = true;
	return value_of(t, i);
}

void *flow_lookup_bounded(struct flow_table *t, const struct flow_key *k, size_t max, bool *created)
{
	if (max > 0 && t->count >= max && flow_find(t, k) == NULL)
		flow_remove(t, flow_oldest(t));
	return flow_lookup(t, k, created);
}

void *flow_find(struct flow_table *t, const struct flow_key *k)
{
	size_t slot = probe(t, k);

	return t->index[slot] != 0 ? value_of(t, t->index[slot] - 1) : NULL;
}

const struct flow_key *flow_key_at(const struct flow_table *t, const void *value)
{
	return &rec(t, rec_number(t, value))->key;
}

void flow_remove(struct flow_table *t, void *value)
{
	uint32_t i = rec_number(t, value);
	struct rec_head *h = rec(t, i);
	size_t mask = t->index_cap - 1, hole = probe(t, &h->key), j = hole;

	/* Backward-shift deletion keeps every probe run unbroken. */
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (t->index[j] == 0)
			break;
		home = (size_t)key_hash(&rec(t, t->index[j] - 1)->key) & mask;
		if ((j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j)) {
			t->index[hole] = t->index[j];
			hole = j;
		}
	}
	t->index[hole] = 0;
	lru_unlink(t, i);
	h->key.version = 0;
	h->next = t->free_head;
	t->free_head = i;
	t->count--;
}

void *flow_oldest(struct flow_table *t)
{
	return t->lru_tail != NONE ? value_of(t, t->lru_tail) : NULL;
}

void flow_foreach(struct flow_table *t, void (*fn)(void *value, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < t->rec_len; i++)
		if (rec(t, (uint32_t)i)->key.version != 0)
			fn(value_of(t, (uint32_t)i), ctx);
}

size_t flow_count(const struct flow_table *t)
{
	return t->count;
}
