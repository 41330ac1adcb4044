/* app_parser.h - what an application protocol parser offers the tracker (sniff, new, feed, end, facts, ...), and the parsers there are. */
#ifndef TCPNOTE_APP_PARSER_H
#define TCPNOTE_APP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/packet.h"

struct app_keys;

/* One segment of the connection, as every parser is told of it. */
struct app_seg {
	int role;                   /* 0 client, 1 server */
	bool first;                 /* (sniff, open) this is the connection's first payload */
	bool have_next;             /* the handshake was seen: next_seq is known */
	uint32_t next_seq;          /* the sequence number of role's first payload byte (ISN + 1) */
	uint32_t seq;               /* payload[0]'s (one past a SYN's own number) */
	const uint8_t *payload;
	size_t len;                 /* 0: an ACK, a FIN or a RST without payload */
	const struct tcp_info *tcp; /* its flags and ACK: news of the peer's direction */
};

/* What the connection is followed for (app_track.h), for the parsers that need it. */
struct app_ctx {
	unsigned want;                 /* APP_TRACK_FACTS, APP_TRACK_CERTS */
	struct app_keys *keys;         /* --keylog, or NULL */
	struct app_conn_facts **facts; /* the connection's facts (the tracker's; may be made early) */
};

/* What a parser's end says of it after a segment. */
enum app_end {
	APP_END_MORE = 0,  /* still following */
	APP_END_DONE,      /* nothing more to give or keep: free it */
	APP_END_NO_MEMORY  /* out of memory: no more hints for the connection */
};

/*
 * A protocol parser. Found by content, never by port: the tracker shows
 * each direction's first payload to every parser without state on the
 * connection (sniff); at the first yes it makes the parser's state (new),
 * which is then told of that direction's first payload and of the other
 * direction's (open), then of every segment (anchor, feed, end) until it
 * is done (end) or the connection goes (free). A connection no parser said yes
 * to costs nothing but the sniffs. The state is the parser's own: the
 * tracker keeps one pointer per parser of its table (app_track.c), NULL while it has
 * none. Hints are only ever added to out: every parser of the connection
 * adds its own kinds to the same segment's hints, in table order.
 */
struct app_parser {
	const char *name;
	/* Do role's first bytes start this protocol? Pure and cheap: asked of nearly every connection. */
	bool (*sniff)(int role, bool first, const uint8_t *payload, size_t len);
	/* The connection's state, at the first yes; NULL when out of memory. */
	void *(*new)(void);
	/*
	 * Optional: role's first payload, once the state exists (whether this
	 * parser's sniff said yes to it or to the other direction's). False only
	 * when out of memory.
	 */
	bool (*open)(void *st, const struct app_seg *sg, const struct app_ctx *cx);
	/* Optional: before each segment of role whose next_seq is known (have_next). */
	void (*anchor)(void *st, int role, uint32_t next_seq);
	/* A segment of role with payload; its hints are added to out. */
	void (*feed)(void *st, const struct app_seg *sg, struct app_hints *out);
	/*
	 * Optional: the segment's end, once every parser has been fed it: what
	 * its ACK and RST say of the peer's direction, and what needs the
	 * segment's hints whole. DONE: the state can give and keep nothing
	 * more, and is freed at once. A parser without it stays to the end.
	 */
	enum app_end (*end)(void *st, const struct app_seg *sg, const struct app_ctx *cx,
			    struct app_hints *out);
	void (*free)(void *st);
	/*
	 * Optional: the parser's per-connection facts for the flow record and
	 * --summary (app_track_parser_facts), or NULL while it has none.
	 */
	const void *(*facts)(const void *st);
};

/* TLS and HTTP/1.x by direction, with the cleartext prefixes that switch to TLS (app_parser_tls.c). */
extern const struct app_parser app_parser_tls;
/* The server's certificates the TLS parser's state st collected (APP_TRACK_CERTS), or NULL. */
const struct app_cert_chain *app_parser_tls_chain(const void *st);
/* Kafka requests and responses (app_parser_kafka.c). */
extern const struct app_parser app_parser_kafka;


#endif
