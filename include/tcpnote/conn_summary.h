/* conn_summary.h - what a connection did, in Zeek's terms: conn_state, history, counts. */
#ifndef TCPNOTE_CONN_SUMMARY_H
#define TCPNOTE_CONN_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/flow.h"
#include "tcpnote/labels.h"
#include "tcpnote/packet.h"

/* One endpoint's state as Zeek's TCP analyzer keeps it (TCP_Endpoint.h), read by conn_state. */
enum endpoint_state {
	EP_INACTIVE = 0, /* has sent nothing */
	EP_SYN_SENT,     /* sent a SYN */
	EP_SYN_ACK_SENT, /* sent a SYN+ACK as the originator */
	EP_PARTIAL,      /* active, but no SYN of it seen (midstream) */
	EP_ESTABLISHED,  /* the handshake completed */
	EP_CLOSED,       /* sent a FIN */
	EP_RESET         /* sent a RST */
};

/*
 * The history is Zeek's: letters in the order Zeek adds them, with its
 * repeats (a SYN, FIN or RST at another sequence number; retransmissions,
 * zero windows and content gaps at the 1st, 10th, 100th ... time), so it has
 * no fixed length: it stops growing at HISTORY_MAX letters, kept in 5 bits
 * each (Zeek's letters are fewer than 32) in HISTORY_BYTES bytes. Each side
 * writes each of S H A D F R I Q at most once but for S/F/R repeats, and T, W,
 * G at most 5 times (the counts stop at 65535): 41 letters hold every history
 * without S/F/R repeats. The first HISTORY_INLINE_BYTES bytes (12 letters,
 * more than most connections write) are kept in the summary itself, the rest
 * with the counts that did not fit (struct summary_more).
 */
#define HISTORY_BYTES 26
#define HISTORY_MAX (HISTORY_BYTES * 8 / 5)
#define HISTORY_INLINE_BYTES 8
#define HISTORY_INLINE_MAX (HISTORY_INLINE_BYTES * 8 / 5)
/*
 * Labels counted more than once besides data and ack, kept in the summary
 * itself; a connection with more moves its counts to a struct summary_more.
 */
#define SUMMARY_EXTRA 2

/* Zeek's counts of an endpoint (struct zeek_endpoint's cnt[]). */
enum { ZEEK_RXMT, ZEEK_WIN0, ZEEK_GAP };

/* What Zeek's TCP analyzer keeps per endpoint for state and history (TCPSessionAdapter.cc). */
struct zeek_endpoint {
	uint32_t start_seq, last_seq;            /* StartSeq(), LastSeq() */
	uint32_t last_syn, last_fin;             /* hist_last_SYN/FIN, relative */
	/*
	 * Until the endpoint sends a RST: its reassembler's last_reassem_seq
	 * (relative), where its bytes stop being contiguous. From its RST on:
	 * hist_last_RST. Once a side sent a RST Zeek writes no gap letter
	 * (established_or_cleanly_closing() never holds again), so one field
	 * serves both: struct conn does not grow.
	 */
	union {
		uint32_t last_rst;
		uint32_t reassem;
	} u;
	/*
	 * Retransmissions, zero windows, content gaps (ZEEK_RXMT, ZEEK_WIN0,
	 * ZEEK_GAP), while under 255 and the summary has no *more; then there.
	 */
	uint8_t cnt[3];
	unsigned state : 3, prev_state : 3;      /* enum endpoint_state */
	bool did_close : 1;                      /* sent a FIN or RST Zeek took as closing */
	bool undelivered : 1;                    /* sent a payload not all captured: Zeek never
						    delivers it, so its bytes stay holes */
};

/* The counts and history of a connection that outgrew the summary's own (conn_summary.c). */
struct summary_more;

/*
 * Times in 32 bits: the record's last packet (slot 0) and the tracker's
 * times of the connection (struct conn's at[], slots 1 to 7) are kept as
 * offsets from first_ns, in microseconds when first_ns is a whole number of
 * them (a capture in microseconds: +-35 minutes), else in nanoseconds
 * (+-2.1 s). A time out of that range, or not a whole number of the unit,
 * is kept whole in *more (summary_clock_set), so no digit is lost.
 */
#define SUMMARY_CLOCKS 8
#define SUMMARY_CLOCK_LAST 0

/*
 * A million of these are kept (--max-flows): Zeek's state above costs about
 * 70 bytes a connection; counts stop at 65535 (so T and W come at most 5 times
 * a side) and the history at HISTORY_MAX letters. The label counts are kept
 * sparse: most connections count data and ack many times and a few other
 * labels once. Those that do not fit (a third label counted twice, a long
 * history) move with the rest to *more, as do the high 32 bits of a byte
 * count past 4 GiB and the times that do not fit 32 bits; the summary owns
 * *more: copy one with summary_copy, and free it with summary_release.
 */
struct conn_summary {
	uint64_t id;            /* 1, 2, ... in order of first packet */
	int64_t first_ns;       /* the record's first packet; the base of its clock */
	struct summary_more *more; /* NULL: the counts, history and times are all here */
	uint32_t last_at;       /* the record's last packet: clock slot 0 (summary_last_ns) */
	/*
	 * Zeek's timer that removes the connection (ConnDeleteTimer, ResetTimer,
	 * AttemptTimer): when it fires, in microseconds modulo 2^32 (it is never
	 * more than 305 s from a packet of the record: see summary_zeek_expired()).
	 */
	uint32_t timer_us;
	uint32_t bytes_lo[2];   /* payload bytes client to server, server to client (summary_bytes), low 32 bits */
	uint16_t packets_lo[2]; /* packets client to server, server to client (summary_packets), low 16 bits */
	/* While more is NULL: */
	uint16_t count_data, count_ack;  /* packets labelled data, ack (at 65535 they move to *more) */
	uint32_t once;          /* bit per other label: counted at least once */
	uint32_t extra[SUMMARY_EXTRA]; /* label << 27 | count, for labels counted twice or more; 0 free */
	uint8_t history[HISTORY_INLINE_BYTES]; /* 5 bits a letter, the first in the lowest bits */
	unsigned hist_seen : 16; /* Zeek's HIST_* bits: the originator's, the responder's << 8 */
	unsigned hist_len : 6;   /* letters in history (HISTORY_MAX fits) */
	bool zeek_orig : 1;     /* the tcpnote role (0 client, 1 server) Zeek calls the originator */
	bool timer_armed : 1;   /* Zeek has a timer that removes the connection at timer_us */
	bool timer_attempt : 1; /* it is AttemptTimer: it removes only an unanswered SYN */
	bool more_lost : 1;     /* memory for *more could not be had: some counts, letters or times are missing */
	bool clock_ns : 1;      /* the clock counts nanoseconds (first_ns is not whole microseconds) */
	struct zeek_endpoint z[2]; /* [0] Zeek's originator, [1] its responder */
};

_Static_assert(HISTORY_MAX < 64, "hist_len has 6 bits");

/* The time whose 32-bit offset on the clock is at. */
static inline int64_t summary_clock_inline(const struct conn_summary *s, uint32_t at)
{
	/* In unsigned arithmetic, the inverse of summary_clock_offset's: no overflow, whatever the times. */
	return (int64_t)((uint64_t)s->first_ns +
			 (uint64_t)(int64_t)(int32_t)at * (s->clock_ns ? 1u : 1000u));
}

/* summary_clock's way for a summary with *more, where the slot's time may be kept whole. */
int64_t summary_clock_more(const struct conn_summary *s, unsigned slot, uint32_t at);

/* The time in clock slot `slot` whose 32-bit offset is at. */
static inline int64_t summary_clock(const struct conn_summary *s, unsigned slot, uint32_t at)
{
	if (__builtin_expect(s->more != NULL, 0))
		return summary_clock_more(s, slot, at);
	return summary_clock_inline(s, at);
}

/* ns's offset on the clock: true (*at set) if it fits 32 bits whole. */
static inline bool summary_clock_offset(const struct conn_summary *s, int64_t ns, uint32_t *at)
{
	/* Unsigned: a wild timestamp far from first_ns wraps here and back in summary_clock. */
	int64_t off = (int64_t)((uint64_t)ns - (uint64_t)s->first_ns);
	int64_t q = s->clock_ns ? off : off / 1000;

	*at = (uint32_t)q;
	return q * (s->clock_ns ? 1 : 1000) == off && q >= INT32_MIN && q <= INT32_MAX;
}

/* summary_clock_set's way for a summary with *more, or a time that does not fit 32 bits. */
void summary_clock_set_more(struct conn_summary *s, unsigned slot, uint32_t *at, int64_t ns);

/* Keep time ns in clock slot `slot` (*at its 32-bit offset); past 32 bits it goes to *more. */
static inline void summary_clock_set(struct conn_summary *s, unsigned slot, uint32_t *at, int64_t ns)
{
	if (__builtin_expect(s->more != NULL, 0) || !summary_clock_offset(s, ns, at))
		summary_clock_set_more(s, slot, at, ns);
}

/*
 * A packet's time with its offset on the clock worked out once, for the
 * slots the packet sets (summary_clock_set_now): valid while the clock's
 * base stays (until summary_start).
 */
struct summary_now {
	int64_t ns;
	uint32_t at;
	bool fits; /* at is ns's offset */
};

static inline void summary_now_of(const struct conn_summary *s, int64_t ns, struct summary_now *now)
{
	now->ns = ns;
	now->fits = summary_clock_offset(s, ns, &now->at);
}

static inline void summary_clock_set_now(struct conn_summary *s, unsigned slot, uint32_t *at,
					 const struct summary_now *now)
{
	if (__builtin_expect(now->fits && s->more == NULL, 1))
		*at = now->at;
	else
		summary_clock_set_more(s, slot, at, now->ns);
}

/* The record's last packet, ns. */
static inline int64_t summary_last_ns(const struct conn_summary *s)
{
	return summary_clock(s, SUMMARY_CLOCK_LAST, s->last_at);
}

/* A connection's two endpoints: [0] the client, [1] the server. */
struct conn_endpoints {
	uint8_t version;
	uint8_t addr[2][16];
	uint16_t port[2];
};

/* The endpoints, from the flow key and which side of it the client is. */
void summary_endpoints(const struct flow_key *k, bool client_is_lo, struct conn_endpoints *e);

/* Packets sent by role (0 client, 1 server), modulo 2^32. */
uint32_t summary_packets(const struct conn_summary *s, int role);

/* Payload bytes sent by role (0 client, 1 server), retransmissions not counted again. */
uint64_t summary_bytes(const struct conn_summary *s, int role);

/* How many packets of the connection carried label l. */
uint32_t summary_label_count(const struct conn_summary *s, enum label l);

/*
 * Start the summary of a new connection, whose first packet is at now (ns);
 * s holds no struct summary_more: released, or new.
 */
void summary_start(struct conn_summary *s, uint64_t id, int64_t now);

/* Free what s owns (*more); s is then a summary with no counts beyond its own. */
void summary_release(struct conn_summary *s);

/* *dst = *src with a copy of what src owns; false (dst without it) when memory ran out. */
bool summary_copy(struct conn_summary *dst, const struct conn_summary *src);

/* Count one packet from role (0 client, 1 server) with its labels; Zeek's analysis of it. */
void summary_note(struct conn_summary *s, int role, const struct packet *p,
		  const struct labels *l, int64_t now);

/* The same, with the packet's time already on the clock (summary_now_of). */
void summary_note_now(struct conn_summary *s, int role, const struct packet *p,
		      const struct labels *l, const struct summary_now *now);

/* The history letters as Zeek writes them ("ShADadFf", "^dAaFf"; upper case: Zeek's originator). */
void summary_history(const struct conn_summary *s, char out[HISTORY_MAX + 1]);

/* Zeek's conn_state code: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH. */
const char *summary_conn_state(const struct conn_summary *s);

/*
 * Whether Zeek ends the connection's record at this packet and starts a new
 * one (TCPSessionAdapter::IsReuse()): a SYN once a side has closed, or a SYN
 * with another ISN than the originator's.
 */
bool summary_zeek_reuse(const struct conn_summary *s, const struct tcp_info *t);

/*
 * Whether Zeek removed the connection's record before this packet, at now
 * (ns): tcp_close_delay (5 s) after its close completed, tcp_reset_delay (5 s)
 * after a RST, tcp_attempt_delay (5 s) after an unanswered SYN, or
 * tcp_inactivity_timeout (5 min) after its last packet. The packet then
 * starts a new record.
 */
bool summary_zeek_expired(const struct conn_summary *s, int64_t now);

/* How it closed: four-way, FIN merged, simultaneous, reset, refused or open. */
const char *summary_close_kind(const struct conn_summary *s);

#endif
