/* track.h - per-connection TCP state in both directions, and the lifecycle labels it yields. */
#ifndef TCPNOTE_TRACK_H
#define TCPNOTE_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/app_track.h"
#include "tcpnote/conn_summary.h"
#include "tcpnote/flow.h"
#include "tcpnote/labels.h"
#include "tcpnote/packet.h"
#include "tcpnote/relseq.h"

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
	/*
	 * Loss, order and flow-control analysis (tcp_analysis.c, after Wireshark);
	 * when nextseq last advanced and when the last ACK was sent are the
	 * connection's clock slots CLOCK_NEXTSEQ and CLOCK_LASTACK.
	 */
	uint32_t isn;
	uint32_t nextseq;         /* highest seq + len (+SYN, +FIN) sent */
	uint32_t lastack;         /* last ACK number sent */
	/*
	 * One field for two numbers never needed at once: this side's first ACK
	 * is measured from the first payload byte seen from the peer; from then
	 * on (ack_valid) from the highest ACK number it sent.
	 */
	union {
		uint32_t maxack;          /* ack_valid: highest ACK number sent (a reordered old ACK does not lower it) */
		uint32_t peer_data_start; /* before: first payload byte seen from the peer (tcp_track.c) */
	};
	uint32_t data_end;        /* end of the highest payload byte sent */
	uint32_t fin_seq;         /* sequence number of the FIN */
	uint32_t maxseqtobeacked; /* highest contiguous sequence number seen */
	uint16_t dupacks;         /* duplicate ACKs since the ACK number last changed (stops at 65535) */
	uint16_t win;             /* last raw window advertised */
	int8_t wscale;            /* WSCALE_UNKNOWN, WSCALE_NONE, or the shift */
	/* One bit each: a million connections must fit in a few hundred MiB. */
	bool seen : 1;
	bool isn_valid : 1;
	bool next_valid : 1;
	bool ack_valid : 1;
	bool win_valid : 1;
	bool win_from_syn : 1;      /* that window was on a SYN: not scaled */
	bool data_valid : 1;
	bool fin_sent : 1;
	bool fin_acked : 1;         /* the peer has acknowledged that FIN */
	bool sent_close2 : 1;       /* this side acknowledged the peer's FIN without its own */
	bool last_was_keepalive : 1;
	bool maxseq_valid : 1;
	bool last_was_zwp : 1;      /* the last segment was a zero window probe */
	bool unseen_named : 1;      /* `acked unseen segment` was said for bytes of this side
				       since this side's ACK number last changed */
};

#define WSCALE_UNKNOWN (-1) /* the handshake was not seen */
#define WSCALE_NONE (-2)    /* negotiated off: the window field is the window */

/* How many of a connection's last segments a copy is looked for among (tcp_analysis.c says why). */
#define DUP_RECENT 2

/*
 * The connection's times, in 32 bits each on its summary's clock
 * (conn_summary.h: slots 1 to 7, slot 0 is the summary's own), read and set
 * through conn_time and conn_set_time.
 */
enum conn_clock {
	CLOCK_SYN = 1,     /* the last SYN without ACK, until the handshake's RTT is known (conn_rtt_us) */
	CLOCK_NEXTSEQ = 2, /* + role: when that direction's nextseq last advanced */
	CLOCK_LASTACK = 4, /* + role: when that direction last sent an ACK */
	CLOCK_RECENT = 6,  /* + i: when recent[i] was captured */
	CLOCK_END = CLOCK_RECENT + DUP_RECENT
};

_Static_assert(CLOCK_END == SUMMARY_CLOCKS, "the summary's clock has a slot for each time");

struct conn {
	/*
	 * The clock's offsets: at[k - 1] for slot k (conn_time). Once rtt_known,
	 * the SYN's slot holds the handshake RTT instead (conn_rtt_us): the SYN's
	 * time is only needed to measure it.
	 */
	uint32_t at[CLOCK_END - 1];
	/* tcpdump's numbering bases for this address/port pair (relseq.c): kept when the 5-tuple is reused. */
	struct relseq_bases rs;
	uint32_t recent_seq; /* recent[0]'s sequence number */
	unsigned state : 3;      /* enum conn_state */
	unsigned prev_state : 3; /* enum conn_state */
	signed active_closer : 2; /* role that sent the first FIN, or -1 */
	bool client_is_lo : 1;  /* the client is the flow key's (addr_lo, port_lo) */
	bool ended : 1;         /* FIN or RST seen: a new SYN is port reuse */
	bool not_drawn : 1;     /* --ladder/--svg had no room for it at its first packet (pipeline.c) */
	bool recent_by_server : 1; /* recent[0]'s sender */
	bool recent_took_seq : 1;  /* recent[0] had payload, SYN or FIN */
	bool rtt_known : 1;        /* handshake 3/3 was seen: at[CLOCK_SYN - 1] is the RTT */
	uint8_t app_judged; /* bit per role: that direction's first payload was sniffed (app_track.c) */
	struct track_dir dir[2];
	/* The last segments either way, newest first, as `duplicate` remembers them: analysis_digest, 0 none. */
	uint32_t recent[DUP_RECENT];
	struct conn_summary sum;
	struct app_state *app; /* TLS/HTTP hint state, or NULL (app_track.c); freed with the record */
};

/* The connection's time in slot k, ns. */
static inline int64_t conn_time(const struct conn *c, enum conn_clock k)
{
	return summary_clock(&c->sum, (unsigned)k, c->at[k - 1]);
}

static inline void conn_set_time(struct conn *c, enum conn_clock k, int64_t ns)
{
	summary_clock_set(&c->sum, (unsigned)k, &c->at[k - 1], ns);
}

/* conn_set_time(c, k, now->ns), now made by summary_now_of on c's summary as it stands. */
static inline void conn_set_now(struct conn *c, enum conn_clock k, const struct summary_now *now)
{
	summary_clock_set_now(&c->sum, (unsigned)k, &c->at[k - 1], now);
}

/* Slot `to` takes slot from's time. */
static inline void conn_copy_time(struct conn *c, enum conn_clock to, enum conn_clock from)
{
	if (__builtin_expect(c->sum.more == NULL, 1))
		c->at[to - 1] = c->at[from - 1];
	else
		conn_set_time(c, to, conn_time(c, from));
}

/* SYN to handshake 3/3 (the last SYN without ACK to the ACK), microseconds; 0 while unknown. */
static inline int32_t conn_rtt_us(const struct conn *c)
{
	return c->rtt_known ? (int32_t)c->at[CLOCK_SYN - 1] : 0;
}

/* Why a connection's record is handed over. */
enum conn_end_why {
	CONN_END_REPLACED, /* a new connection on the same 5-tuple takes over the record */
	CONN_END_EVICTED,  /* idle too long, or the table was full: the record goes */
	CONN_END_FINISHED  /* the input ended */
};

/* Told of each connection (and its key) when it ends: replaced, evicted, or at the end. */
typedef void (*conn_end_fn)(const struct conn *c, const struct flow_key *k, enum conn_end_why why,
			    void *ctx);

/* Where connection numbers come from and where ended connections go. */
struct track_hooks {
	uint64_t next_id;   /* the next connection's number, from 1 */
	conn_end_fn on_end; /* may be NULL */
	void *ctx;
};

/* What the analysis decided for one segment, before the state moved on. */
struct seg_verdict {
	bool keepalive;
	bool keepalive_ack;
	bool zero_window_probe;
	bool dup_ack;
	bool spurious;      /* every byte already acknowledged */
};

/* The analysis rules (tcp_analysis.c): classify with the state as it was... */
void analysis_classify(const struct conn *c, int role, const struct packet *p, int64_t now,
		       struct labels *out, struct seg_verdict *v);
/* ...then fold the segment into its direction's state. */
void analysis_update(struct conn *c, int role, const struct packet *p, const struct summary_now *now,
		     const struct seg_verdict *v);
/* What identifies one captured packet sent by role: its TCP header and payload bytes, its IPv4 ID. */
uint32_t analysis_digest(const struct packet *p, int role);
/* p (sent by role, with that digest) is a copy of a recent segment: bridged, bonded, "any". */
bool analysis_is_duplicate(const struct conn *c, int role, const struct packet *p, uint32_t digest,
			   int64_t now);
/* Remember a segment that was not a copy, for the copies that may follow. */
void analysis_remember(struct conn *c, int role, const struct packet *p, uint32_t digest,
		       const struct summary_now *now);
/* The packet's time in nanoseconds. */
int64_t packet_time_ns(const struct packet *p);

/*
 * One packet's place in its connection, for explaining it (--explain): the
 * connection's two directions as they stood just before the packet, and who
 * sent it. Filled by track_segment only after tracker_keep_context(t, true).
 */
struct seg_context {
	bool valid;               /* the packet belongs to a connection */
	bool fresh;               /* it started the connection (new, or a reused 5-tuple) */
	int role;                 /* the sender: ROLE_CLIENT or ROLE_SERVER */
	struct track_dir before[2]; /* by role, before the packet */
	int64_t prev_ns;          /* the connection's previous packet, ns (fresh: 0) */
	int32_t rtt_us;           /* handshake RTT after the packet, microseconds; 0 unknown */
};

struct tracker;

struct tracker *tracker_new(void);

/* Fill a seg_context for each packet from now on (on: --explain), read by tracker_context. */
void tracker_keep_context(struct tracker *t, bool on);
const struct seg_context *tracker_context(const struct tracker *t);
void tracker_free(struct tracker *t);

/*
 * Track one packet with a decoded TCP header and set its labels. Returns
 * false only when memory ran out: for a new connection (the packet then
 * has no labels), or for the counts of one that outgrew its record (some
 * of its counts or history letters are then missing). *conn (when conn is
 * not NULL) is the packet's connection, or NULL for a packet the tracker
 * does not follow (a damaged header) or could not make room for.
 */
bool track_segment(struct tracker *t, const struct packet *p, struct labels *out,
		   struct conn **conn);

/* The lifecycle rules on one connection, exposed for unit tests. */
void track_conn_segment(struct conn *c, bool created, bool from_lo, const struct packet *p,
			struct labels *out);
/* The same, numbering connections and reporting replaced ones through hooks. */
void track_conn_segment_hooked(struct conn *c, bool created, bool from_lo, const struct packet *p,
			       struct labels *out, struct track_hooks *hooks);

/* Call fn for every connection's summary so far, or whenever one ends (port reuse). */
void tracker_set_end_handler(struct tracker *t, conn_end_fn fn, void *ctx);

/*
 * Bound the table: at most max_flows connections (0: no limit; the least
 * recently active one is evicted for a new one) and none idle longer than
 * idle_ns of capture time (0: never). Evicted connections go to the end
 * handler first.
 */
void tracker_set_limits(struct tracker *t, size_t max_flows, int64_t idle_ns);

/* How many connections were evicted for idleness, and for room. */
void tracker_evictions(const struct tracker *t, uint64_t *idle, uint64_t *full);

/* Hand every live connection to the end handler, in order of first packet. */
bool tracker_finish(struct tracker *t);

/* Which side of c sent p: 0 the client, 1 the server. */
int tracker_role_of(const struct conn *c, const struct packet *p);

/* The live connection with key k, or NULL. */
struct conn *tracker_find(struct tracker *t, const struct flow_key *k);

unsigned long tracker_connections(const struct tracker *t);

#endif
