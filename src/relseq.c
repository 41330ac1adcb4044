/* relseq.c - the address/port-pair table behind tcpdump's relative seq and ack numbers. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/flow.h"
#include "tcpnote/relseq.h"

/*
 * tcpdump keys its table on the unordered address/port pair, which is what
 * the flow table's canonical key is; the orientation tcpdump stores the
 * bases in (lower port first) is worked out per packet.
 */
struct relseq_entry {
	uint32_t seq; /* base subtracted from the seq of packets in tcpdump's orientation */
	uint32_t ack; /* base subtracted from their ack */
};

struct relseq {
	struct flow_table *pairs;
	size_t max_pairs; /* 0: no limit */
};

struct relseq *relseq_new(void)
{
	struct relseq *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->pairs = flow_table_new(sizeof(struct relseq_entry));
	if (r->pairs == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void relseq_free(struct relseq *r)
{
	if (r == NULL)
		return;
	flow_table_free(r->pairs);
	free(r);
}

void relseq_set_limit(struct relseq *r, size_t max_pairs)
{
	r->max_pairs = max_pairs;
}

bool relseq_apply(struct relseq *r, bool absolute, const struct packet *p, struct relseq_view *v)
{
	const struct tcp_info *t = &p->tcp;
	struct flow_key k;
	struct relseq_entry *e;
	bool rev, from_lo, created;

	v->seq = t->seq;
	v->ack = t->ack;
	v->sack_base = 0;
	if (absolute || !(t->flags & TCPF_ACK))
		return true;

	/* tcpdump's collating order: the lower port first, then the lower address. */
	rev = t->sport > t->dport ||
	      (t->sport == t->dport && memcmp(p->ip.src, p->ip.dst, p->ip.addrlen) > 0);
	flow_key_of(p, &k, &from_lo);
	/* Bounded like the connection table: the least recently seen pair makes room. */
	if (r->max_pairs > 0 && flow_count(r->pairs) >= r->max_pairs && flow_find(r->pairs, &k) == NULL)
		flow_remove(r->pairs, flow_oldest(r->pairs));
	e = flow_lookup(r->pairs, &k, &created);
	if (e == NULL)
		return false;
	if (created || (t->flags & TCPF_SYN)) {
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
