/* relseq.c - the address/port-pair table behind tcpdump's relative seq and ack numbers. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/relseq.h"

struct relseq_key {
	uint8_t version;
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t ports;
};

struct relseq_entry {
	bool used;
	struct relseq_key key;
	uint32_t seq; /* base subtracted from this orientation's seq */
	uint32_t ack; /* base subtracted from this orientation's ack */
};

struct relseq {
	struct relseq_entry *slots;
	size_t cap;   /* power of two */
	size_t count;
};

struct relseq *relseq_new(void)
{
	struct relseq *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->cap = 1024;
	r->slots = calloc(r->cap, sizeof(*r->slots));
	if (r->slots == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void relseq_free(struct relseq *r)
{
	if (r == NULL)
		return;
	free(r->slots);
	free(r);
}

static uint64_t key_hash(const struct relseq_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < sizeof(*k); i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct relseq_entry *slot_for(struct relseq_entry *slots, size_t cap,
				     const struct relseq_key *k)
{
	size_t i = (size_t)key_hash(k) & (cap - 1);

	while (slots[i].used && memcmp(&slots[i].key, k, sizeof(*k)) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static bool grow(struct relseq *r)
{
	size_t ncap = r->cap * 2, i;
	struct relseq_entry *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return false;
	for (i = 0; i < r->cap; i++)
		if (r->slots[i].used)
			*slot_for(ns, ncap, &r->slots[i].key) = r->slots[i];
	free(r->slots);
	r->slots = ns;
	r->cap = ncap;
	return true;
}

bool relseq_apply(struct relseq *r, bool absolute, const struct packet *p, struct relseq_view *v)
{
	const struct tcp_info *t = &p->tcp;
	struct relseq_key k;
	struct relseq_entry *e;
	size_t n = p->ip.addrlen;
	bool rev;
	int c;

	v->seq = t->seq;
	v->ack = t->ack;
	v->sack_base = 0;
	if (absolute || !(t->flags & TCPF_ACK))
		return true;

	/* tcpdump's collating order: the lower port first, then the lower address. */
	memset(&k, 0, sizeof(k));
	k.version = p->ip.version;
	c = memcmp(p->ip.src, p->ip.dst, n);
	rev = t->sport > t->dport || (t->sport == t->dport && c > 0);
	if (rev) {
		memcpy(k.src, p->ip.dst, n);
		memcpy(k.dst, p->ip.src, n);
		k.ports = (uint32_t)t->dport << 16 | t->sport;
	} else {
		memcpy(k.src, p->ip.src, n);
		memcpy(k.dst, p->ip.dst, n);
		k.ports = (uint32_t)t->sport << 16 | t->dport;
	}

	if ((r->count + 1) * 2 > r->cap && !grow(r))
		return false;
	e = slot_for(r->slots, r->cap, &k);
	if (!e->used || (t->flags & TCPF_SYN)) {
		if (!e->used)
			r->count++;
		e->used = true;
		e->key = k;
		if (rev) {
			e->ack = t->seq;
			e->seq = t->ack - 1;
		} else {
			e->seq = t->seq;
			e->ack = t->ack - 1;
		}
	} else if (rev) {
		v->seq = t->seq - e->ack;
		v->ack = t->ack - e->seq;
	} else {
		v->seq = t->seq - e->seq;
		v->ack = t->ack - e->ack;
	}
	v->sack_base = rev ? e->seq : e->ack;
	return true;
}
