/* relseq.h - tcpdump's relative sequence numbers, reproduced for identical lines. */
#ifndef TCPNOTE_RELSEQ_H
#define TCPNOTE_RELSEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/packet.h"

/* Opaque: one entry per unordered address/port pair, as tcpdump keeps. */
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

#endif
