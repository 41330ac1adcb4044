/* conn_summary.h - what a connection did, in Zeek's terms: conn_state, history, counts. */
#ifndef TCPNOTE_CONN_SUMMARY_H
#define TCPNOTE_CONN_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/flow.h"
#include "tcpnote/labels.h"
#include "tcpnote/packet.h"

/* One endpoint's state as Zeek's TCP analyzer keeps it (for conn_state). */
enum endpoint_state {
	EP_INACTIVE = 0, /* has sent nothing */
	EP_SYN_SENT,     /* sent a SYN */
	EP_SYN_ACK_SENT, /* sent a SYN+ACK */
	EP_PARTIAL,      /* active, but no SYN of it seen (midstream) */
	EP_ESTABLISHED,  /* the handshake completed */
	EP_CLOSED,       /* sent a FIN */
	EP_RESET         /* sent a RST */
};

#define HISTORY_MAX 16 /* 8 letters, each once per side */
#define SUMMARY_BIG 8  /* labels counted in 32 bits; the others in 16, saturating */

struct conn_summary {
	uint64_t id;            /* 1, 2, ... in order of first packet */
	int64_t first_ns, last_ns;
	uint64_t bytes[2];      /* payload bytes: client to server, server to client */
	uint32_t packets[2];
	uint32_t count_big[SUMMARY_BIG];
	uint16_t count_small[LABEL_COUNT - SUMMARY_BIG];
	uint8_t history_seen[2]; /* letters already recorded, per role: bit b for letter b */
	uint8_t ep[2];          /* enum endpoint_state, per role */
	bool handshake_done;
	uint8_t history[HISTORY_MAX / 2]; /* the letters in order, a nibble each: role << 3 | letter */
};

/* A connection's two endpoints: [0] the client, [1] the server. */
struct conn_endpoints {
	uint8_t version;
	uint8_t addr[2][16];
	uint16_t port[2];
};

/* The endpoints, from the flow key and which side of it the client is. */
void summary_endpoints(const struct flow_key *k, bool client_is_lo, struct conn_endpoints *e);

/* How many packets of the connection carried label l. */
uint32_t summary_label_count(const struct conn_summary *s, enum label l);

/* Start the summary of a new connection. */
void summary_start(struct conn_summary *s, uint64_t id);

/* Count one packet from role (0 client, 1 server) with its labels. */
void summary_note(struct conn_summary *s, int role, const struct packet *p,
		  const struct labels *l, int64_t now);

/* The history letters as Zeek writes them ("ShADadFf"; upper case: the client); "" when none. */
void summary_history(const struct conn_summary *s, char out[HISTORY_MAX + 1]);

/* Zeek's conn_state code: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH. */
const char *summary_conn_state(const struct conn_summary *s);

/* How it closed: four-way, FIN merged, simultaneous, reset, refused or open. */
const char *summary_close_kind(const struct conn_summary *s);

#endif
