/* track.h - per-connection TCP state in both directions, and the lifecycle labels it yields. */
#ifndef TCPNOTE_TRACK_H
#define TCPNOTE_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/labels.h"
#include "tcpnote/packet.h"

enum conn_state {
	CONN_NONE = 0,     /* no packet yet */
	CONN_SYN_SENT,     /* client SYN seen */
	CONN_SYN_RCVD,     /* server SYN+ACK seen */
	CONN_ESTABLISHED,  /* handshake completed, or joined midstream */
	CONN_FIN_WAIT,     /* one side has sent FIN */
	CONN_CLOSING,      /* both sides have sent FIN */
	CONN_CLOSED,       /* both FINs acknowledged */
	CONN_RESET         /* RST seen */
};

const char *conn_state_name(enum conn_state s);

/* Roles: the client sent the first SYN (midstream: the higher port). */
enum role { ROLE_CLIENT = 0, ROLE_SERVER = 1 };

/* What one direction has sent; see labels.md's notation. */
struct track_dir {
	bool seen;
	bool isn_valid;
	uint32_t isn;
	bool next_valid;
	uint32_t nextseq;   /* highest seq + len (+SYN, +FIN) sent */
	bool ack_valid;
	uint32_t lastack;   /* last ACK number sent */
	uint32_t maxack;    /* highest ACK number sent (a reordered old ACK does not lower it) */
	bool win_valid;
	uint16_t win;       /* last raw window advertised */
	bool data_valid;
	uint32_t data_start; /* first payload byte seen from this side */
	uint32_t data_end;   /* end of the highest payload byte sent */
	bool fin_sent;
	uint32_t fin_seq;   /* sequence number of the FIN */
	bool fin_acked;     /* the peer has acknowledged that FIN */
	bool sent_close2;   /* this side acknowledged the peer's FIN without its own */
	bool last_was_keepalive;
};

struct conn {
	enum conn_state state;
	enum conn_state prev_state;
	bool client_is_lo;  /* the client is the flow key's (addr_lo, port_lo) */
	bool ended;         /* FIN or RST seen: a new SYN is port reuse */
	int active_closer;  /* role that sent the first FIN, or -1 */
	uint64_t packets;
	struct track_dir dir[2];
};

struct tracker;

struct tracker *tracker_new(void);
void tracker_free(struct tracker *t);

/*
 * Track one packet with a decoded TCP header and set its labels. Returns
 * false only when memory for a new connection could not be had (the
 * packet then has no labels).
 */
bool track_segment(struct tracker *t, const struct packet *p, struct labels *out);

/* The lifecycle rules on one connection, exposed for unit tests. */
void track_conn_segment(struct conn *c, bool created, bool from_lo, const struct packet *p,
			struct labels *out);

unsigned long tracker_connections(const struct tracker *t);

#endif
