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
struct relseq {
	struct flow_table *pairs;
	size_t max_pairs; /* 0: no limit */
};

struct relseq *relseq_new(void)
{
	struct relseq *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->pairs = flow_table_new(sizeof(struct relseq_bases));
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

/* A pair the table does not hold yet, made room for: the least recently seen goes. */
static struct relseq_bases *pair_entry(struct relseq *r, const struct flow_key *k)
{
	bool created;
	struct relseq_bases *e;

	e = flow_lookup_bounded(r->pairs, k, r->max_pairs, &created);
	if (e != NULL && created)
		e->known = 0;
	return e;
}

bool relseq_apply(struct relseq *r, bool absolute, const struct packet *p, struct relseq_view *v)
{
	struct flow_key k;
	struct relseq_bases *e;
	bool from_lo;

	if (absolute || !(p->tcp.flags & TCPF_ACK)) {
		relseq_step(NULL, true, p, v);
		return true;
	}
	flow_key_of(p, &k, &from_lo);
	/* tcpdump's tcp_seq_hash knows addresses and ports alone: a tunnel is no part of the pair. */
	k.tun_kind = 0;
	k.tun_id = 0;
	k.tun_hash = 0;
	e = pair_entry(r, &k);
	if (e == NULL) {
		relseq_step(NULL, true, p, v);
		return false;
	}
	relseq_step(e, false, p, v);
	return true;
}

void relseq_step(struct relseq_bases *e, bool absolute, const struct packet *p, struct relseq_view *v)
{
	const struct tcp_info *t = &p->tcp;
	bool rev;

	v->seq = t->seq;
	v->ack = t->ack;
	v->sack_base = 0;
	if (absolute || e == NULL || !(t->flags & TCPF_ACK))
		return;
	/* tcpdump's collating order: the lower port first, then the lower address. */
	rev = t->sport > t->dport ||
	      (t->sport == t->dport && memcmp(p->ip.head.src, p->ip.head.dst, p->ip.head.addrlen) > 0);
	if (!e->known || (t->flags & TCPF_SYN)) {
		if (rev) {
			e->ack = t->seq;
			e->seq = t->ack - 1;
		} else {
			e->seq = t->seq;
			e->ack = t->ack - 1;
		}
		e->known = 1;
	} else if (rev) {
		v->seq = t->seq - e->ack;
		v->ack = t->ack - e->seq;
	} else {
		v->seq = t->seq - e->seq;
		v->ack = t->ack - e->ack;
	}
	v->sack_base = rev ? e->seq : e->ack;
}

bool relseq_take(struct relseq *r, const struct flow_key *k, struct relseq_bases *b)
{
	struct relseq_bases *e;

	if (flow_count(r->pairs) == 0 || (e = flow_find(r->pairs, k)) == NULL)
		return false;
	*b = *e;
	flow_remove(r->pairs, e);
	return true;
}

bool relseq_keep(struct relseq *r, const struct flow_key *k, const struct relseq_bases *b)
{
	struct relseq_bases *e = pair_entry(r, k);

	if (e == NULL)
		return false;
	*e = *b;
	return true;
}

size_t relseq_count(const struct relseq *r)
{
	return flow_count(r->pairs);
}
