/* relseq.h - tcpdump's relative sequence numbers, reproduced for identical lines. */
#ifndef TCPNOTE_RELSEQ_H
#define TCPNOTE_RELSEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/packet.h"

#include "tcpnote/flow.h"

/*
 * tcpdump's table holds, per unordered address/port pair, the two numbers it
 * subtracts. tcpnote keeps them in the pair's connection record, found by the
 * lookup the tracker makes anyway, and keeps a table (struct relseq) only for
 * pairs without a live connection: ones the tracker evicted, and packets it
 * does not track. Together they are tcpdump's table.
 */
struct relseq_bases {
	uint32_t seq;  /* base subtracted from the seq of packets in tcpdump's orientation */
	uint32_t ack;  /* base subtracted from their ack */
	uint8_t known; /* the pair has had a packet with ACK */
	uint8_t asked; /* the table was asked for bases kept from before this record (relseq_take) */
};

/* Opaque: one entry per unordered address/port pair without a connection. */
struct relseq;

/* The numbers to print for one packet. */
struct relseq_view {
	uint32_t seq;
	uint32_t ack;
	uint32_t sack_base; /* subtracted from SACK block edges */
};

struct relseq *relseq_new(void);
void relseq_free(struct relseq *r);

/* Keep at most max_pairs pairs (0: no limit); the least recently seen goes first. */
void relseq_set_limit(struct relseq *r, size_t max_pairs);

/*
 * Compute the printed numbers for p and update the table, exactly as
 * tcpdump's tcp_print() does without -S: only packets with ACK set take part;
 * a pair seen for the first time, or any SYN (with ACK), records the bases
 * and prints absolute numbers. absolute=true (-S) prints raw numbers.
 * Returns false only when memory for a new entry could not be had; the view
 * then holds absolute numbers.
 */
bool relseq_apply(struct relseq *r, bool absolute, const struct packet *p, struct relseq_view *v);

/* The same rule on one pair's bases (held by its connection); never fails. */
void relseq_step(struct relseq_bases *b, bool absolute, const struct packet *p, struct relseq_view *v);

/* Move the bases of pair k out of the table into *b; false (and *b untouched) if it has none. */
bool relseq_take(struct relseq *r, const struct flow_key *k, struct relseq_bases *b);

/* Keep the bases of pair k, whose connection is going, in the table; false when out of memory. */
bool relseq_keep(struct relseq *r, const struct flow_key *k, const struct relseq_bases *b);

/* How many pairs the table holds. */
size_t relseq_count(const struct relseq *r);

#endif
