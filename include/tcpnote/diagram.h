/* diagram.h - the packets of the connections to be drawn (--ladder, --svg), kept compactly until each one ends. */
#ifndef TCPNOTE_DIAGRAM_H
#define TCPNOTE_DIAGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/conn_summary.h"
#include "tcpnote/labels.h"
#include "tcpnote/packet.h"

/*
 * One packet of a drawn connection. Sequence numbers are relative, as
 * tcpdump prints them: seq counts from the sender's ISN (SYN = 0, first data
 * byte = 1), ack from the receiver's; a side whose SYN was not seen counts
 * from one below its first sequence number.
 */
struct diag_event {
	int64_t t_ns;     /* capture time */
	uint32_t seq;     /* relative seq of the first byte (of the SYN/FIN when no data) */
	uint32_t ack;     /* relative ack (valid with TCPF_ACK) */
	uint32_t len;     /* payload bytes */
	uint32_t win;     /* advertised window in bytes (scaled once scaling is agreed) */
	uint32_t labels;  /* struct labels' bits */
	uint32_t hint;    /* offset of this packet's hint text in the connection's pool + 1; 0: none */
	uint16_t dup_ack; /* N of "dup ack #N" */
	uint8_t flags;    /* TCP flags (TCPF_*) */
	uint8_t role;     /* the sender: 0 client, 1 server */
};

/* A connection's drawing material. */
struct diag_conn {
	uint64_t id;                 /* the flow number of JSON records and --summary */
	struct conn_endpoints ep;    /* [0] client, [1] server */
	struct diag_event *ev;
	size_t n, cap;
	char *pool;                  /* hint texts, NUL-separated ("tls client hello sni=...") */
	size_t pool_len, pool_cap;
	uint32_t base[2];            /* per role: the raw number relative numbers count from */
	bool have_base[2];
	bool truncated;              /* DIAG_MAX_EVENTS reached: later packets were not kept */
};

#define DIAG_MAX_EVENTS 4000000u /* per connection (about 150 MiB); more are counted, not kept */

/* Start a connection's material (id, endpoints); its events are allocated as they come. */
void diag_conn_init(struct diag_conn *d, uint64_t id, const struct conn_endpoints *ep);
void diag_conn_free(struct diag_conn *d);

/*
 * Keep one packet of the connection, sent by role. isn_valid/isn: the
 * sender's and receiver's ISN when the tracker knows them (by role), for the
 * relative numbers. win_shift: the sender's window scale (-1: none yet).
 * Returns false when out of memory.
 */
bool diag_conn_add(struct diag_conn *d, const struct packet *p, int role, const bool isn_valid[2],
		   const uint32_t isn[2], int win_shift, const struct labels *l,
		   const struct app_hints *h);

/* The hint text of an event, or NULL. */
const char *diag_event_hint(const struct diag_conn *d, const struct diag_event *e);

#endif
