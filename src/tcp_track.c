/* tcp_track.c - the TCP tracker: connection state machine and lifecycle labels. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/flow.h"
#include "tcpnote/seq.h"
#include "tcpnote/track.h"

/*
 * Every tracked connection costs one of these (plus the flow table's key and
 * links): the bound makes a field that grows it a decision, not an accident.
 */
#define CONN_BYTES_MAX 256
_Static_assert(sizeof(struct conn) <= CONN_BYTES_MAX, "struct conn grew: see CONN_BYTES_MAX");

/*
 * A connection whose close completed (Zeek's ConnDeleteTimer, armed when the
 * close or reset was complete) waits here for its record to go, Zeek's
 * tcp_close_delay later.
 */
struct closing {
	struct flow_key k;
	int64_t at_ns; /* the record goes at the first packet at or after this */
};

/*
 * What is remembered of a 5-tuple whose record went after its close: the
 * roles, ISNs by role (a SYN with the client's is that SYN again, not `port
 * reuse`; a late packet is numbered from them in a ladder) and handshake RTT.
 */
struct gone_tuple {
	uint32_t isn[2];
	int32_t first_rtt_us;
	bool isn_valid[2];
	bool client_is_lo;
};

#define CLOSE_DELAY_NS (5 * INT64_C(1000000000)) /* Zeek's tcp_close_delay */
/* 5-tuples remembered at least (or --max-flows of them), each about 80 bytes. */
#define GONE_MIN_KEPT 4096
/*
 * Closes waiting, at most, per connection --max-flows keeps: a record arms at
 * most three (its close, each side's RST); more wait only when records come
 * and go faster than 5 s of capture time, and the oldest are then let go
 * (their records stay until evicted, as without this removal).
 */
#define CLOSING_PER_FLOW 4

struct tracker {
	struct flow_table *flows;
	/* Closed connections in order of their close, a ring: the oldest at head. */
	struct closing *closing;
	size_t closing_head, closing_len, closing_cap;
	/*
	 * The 5-tuples of records that went that way: a SYN on one is `port
	 * reuse`, as it was while the record stayed. The least recently gone
	 * is forgotten first, past gone_max.
	 */
	struct flow_table *gone; /* struct gone_tuple */
	size_t gone_max;
	struct track_hooks hooks;
	size_t max_flows;    /* 0: no limit */
	int64_t idle_ns;     /* 0: never idle */
	uint64_t evicted_idle, evicted_full;
	bool keep_context;
	struct seg_context ctx; /* of the last packet, when keep_context */
};

const char *conn_state_name(enum conn_state s)
{
	switch (s) {
	case CONN_NONE:
		return "none";
	case CONN_SYN_SENT:
		return "syn-sent";
	case CONN_SYN_RCVD:
		return "syn-received";
	case CONN_ESTABLISHED:
		return "established";
	case CONN_FIN_WAIT:
		return "fin-wait";
	case CONN_CLOSING:
		return "closing";
	case CONN_CLOSED:
		return "closed";
	case CONN_RESET:
		return "reset";
	}
	return "?";
}

/* The one place a connection changes state, remembering where it came from. */
static void conn_set_state(struct conn *c, enum conn_state s)
{
	if (c->state == s)
		return;
	c->prev_state = c->state;
	c->state = s;
}

/* Forget everything about a connection: a new one starts on its 5-tuple. */
static void conn_reset(struct conn *c, bool client_is_lo)
{
	struct relseq_bases rs = c->rs; /* the pair's, not the connection's */

	memset(c, 0, sizeof(*c));
	c->rs = rs;
	c->client_is_lo = client_is_lo;
	c->active_closer = -1;
	c->dir[ROLE_CLIENT].wscale = WSCALE_UNKNOWN;
	c->dir[ROLE_SERVER].wscale = WSCALE_UNKNOWN;
}

/* The kinds of segment the state machine distinguishes (classify, then transition). */
enum seg_event {
	EV_SYN,     /* SYN without ACK */
	EV_SYNACK,  /* SYN with ACK */
	EV_RST,
	EV_FIN,
	EV_SEGMENT  /* anything else: data and/or ACK */
};

static enum seg_event classify(uint8_t flags)
{
	if (flags & TCPF_RST)
		return EV_RST;
	if (flags & TCPF_SYN)
		return (flags & TCPF_ACK) ? EV_SYNACK : EV_SYN;
	if (flags & TCPF_FIN)
		return EV_FIN;
	return EV_SEGMENT;
}

/* The role of the connection's first packet when no SYN was seen: the lower port serves. */
static bool midstream_client_is_lo(const struct packet *p, bool from_lo)
{
	const struct tcp_info *t = &p->tcp;
	bool sender_is_client;

	if ((t->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK))
		sender_is_client = false;
	else
		sender_is_client = t->sport >= t->dport;
	return sender_is_client ? from_lo : !from_lo;
}

/*
 * An empty segment whose ACK covers peer payload bytes not acknowledged
 * before. Measured from the highest ACK this side sent (a reordered older
 * ACK does not make the next one new again), or, on a side whose first ACK
 * this is (a midstream capture), from the first peer byte seen.
 */
static bool acks_new_data(const struct track_dir *d, const struct track_dir *peer,
			  const struct tcp_info *t)
{
	uint32_t from;

	if (t->paylen != 0 || !(t->flags & TCPF_ACK) || (t->flags & (TCPF_SYN | TCPF_RST)) ||
	    !peer->data_valid)
		return false;
	from = d->ack_valid ? d->maxack : d->peer_data_start;
	return seq_gt(t->ack, from) && seq_lt(from, peer->data_end);
}

/* Opening: SYN, SYN+ACK, the first ACK. Returns true when the segment was a SYN. */
static void track_open(struct conn *c, int role, const struct packet *p, struct labels *out)
{
	const struct tcp_info *t = &p->tcp;
	struct track_dir *d = &c->dir[role];
	struct track_dir *peer = &c->dir[!role];
	enum seg_event ev = classify(t->flags);

	if (ev == EV_SYN) {
		if (role == ROLE_CLIENT && !d->isn_valid) {
			labels_add(out, LABEL_HANDSHAKE_1);
			d->isn_valid = true;
			d->isn = t->seq;
			/* after its SYN+ACK (midstream, established): the state stays */
			if (c->state != CONN_ESTABLISHED)
				conn_set_state(c, CONN_SYN_SENT);
		} else if (role == ROLE_SERVER && c->state == CONN_SYN_SENT && !d->isn_valid) {
			/* RFC 9293 section 3.5, figure 8: both sides sent SYN. */
			labels_add(out, LABEL_SIMULTANEOUS_OPEN);
			d->isn_valid = true;
			d->isn = t->seq;
		}
	} else if (ev == EV_SYNACK) {
		if (role == ROLE_SERVER && peer->isn_valid && t->ack == peer->isn + 1 &&
		    (c->state == CONN_SYN_SENT || c->state == CONN_SYN_RCVD)) {
			if (!d->isn_valid || d->isn == t->seq)
				labels_add(out, LABEL_HANDSHAKE_2);
			d->isn_valid = true;
			d->isn = t->seq;
			conn_set_state(c, CONN_SYN_RCVD);
		}
	} else if (role == ROLE_CLIENT && c->state == CONN_SYN_RCVD && (t->flags & TCPF_ACK) &&
		   d->isn_valid && peer->isn_valid && t->ack == peer->isn + 1 &&
		   !(t->flags & (TCPF_RST | TCPF_SYN))) {
		labels_add(out, LABEL_HANDSHAKE_3);
		conn_set_state(c, CONN_ESTABLISHED);
	}
}

/* The four-way close (RFC 9293 section 3.6) and its merged and simultaneous forms. */
static void track_close(struct conn *c, int role, const struct packet *p, struct labels *out)
{
	const struct tcp_info *t = &p->tcp;
	struct track_dir *d = &c->dir[role];
	struct track_dir *peer = &c->dir[!role];
	bool acks_peer_fin = peer->fin_sent && (t->flags & TCPF_ACK) &&
			     seq_geq(t->ack, peer->fin_seq + 1);

	if ((t->flags & TCPF_FIN) && !d->fin_sent) {
		d->fin_sent = true;
		d->fin_seq = t->seq + t->paylen;
		if (c->active_closer < 0) {
			c->active_closer = role;
			labels_add(out, LABEL_CLOSE_1);
			conn_set_state(c, CONN_FIN_WAIT);
		} else if (acks_peer_fin) {
			labels_add(out, d->sent_close2 ? LABEL_CLOSE_3 : LABEL_FIN_MERGED);
			peer->fin_acked = true;
			conn_set_state(c, CONN_CLOSING);
		} else {
			labels_add(out, LABEL_SIMULTANEOUS_CLOSE);
			conn_set_state(c, CONN_CLOSING);
		}
		return;
	}
	if ((t->flags & TCPF_FIN) || !acks_peer_fin || peer->fin_acked)
		return;
	peer->fin_acked = true;
	if (role == c->active_closer) {
		labels_add(out, LABEL_CLOSE_4);
	} else {
		labels_add(out, LABEL_CLOSE_2);
		d->sent_close2 = true;
	}
	if (d->fin_sent && d->fin_acked)
		conn_set_state(c, CONN_CLOSED);
}

/* Fold the segment into its direction's state after the rules have looked at it. */
static void dir_update(struct conn *c, int role, const struct tcp_info *t,
		       const struct seg_verdict *v, const struct summary_now *now)
{
	struct track_dir *d = &c->dir[role];
	struct track_dir *peer = &c->dir[!role];
	uint32_t end = tcp_segment_end(t);

	/* A zero window probe's byte is not taken as sent (Wireshark does the same). */
	if (!v->zero_window_probe && (!d->next_valid || seq_gt(end, d->nextseq))) {
		d->nextseq = end;
		conn_set_now(c, (enum conn_clock)(CLOCK_NEXTSEQ + role), now);
		d->next_valid = true;
	}
	/* The highest contiguous byte: it advances only from where it stood. */
	if (!v->zero_window_probe && d->next_valid &&
	    (!d->maxseq_valid || t->seq == d->maxseqtobeacked)) {
		d->maxseqtobeacked = d->nextseq;
		d->maxseq_valid = true;
	}
	if (t->paylen > 0) {
		uint32_t dstart = t->seq + ((t->flags & TCPF_SYN) ? 1u : 0u);
		uint32_t dend = dstart + t->paylen;

		if (!d->data_valid || seq_gt(dend, d->data_end))
			d->data_end = dend;
		/* kept (in the peer's record) only until the peer's first ACK, which is measured from it */
		if (!peer->ack_valid && (!d->data_valid || seq_lt(dstart, peer->peer_data_start)))
			peer->peer_data_start = dstart;
		d->data_valid = true;
	}
	if (t->flags & TCPF_ACK) {
		if (!d->ack_valid || seq_gt(t->ack, d->maxack))
			d->maxack = t->ack;
		d->lastack = t->ack;
		d->ack_valid = true;
	}
	d->win = t->win;
	d->win_valid = true;
	d->win_from_syn = (t->flags & TCPF_SYN) != 0;
	d->last_was_keepalive = v->keepalive;
	d->seen = true;
}

/*
 * A new summary (Zeek's record) for a connection that goes on: its times
 * move to the new summary's clock.
 */
static void clock_move(struct conn *c, uint64_t id, int64_t now)
{
	int64_t ns[CLOCK_END];
	int k;

	/* the SYN's slot holds the RTT once it is known: not a time */
	for (k = c->rtt_known ? CLOCK_SYN + 1 : CLOCK_SYN; k < CLOCK_END; k++)
		ns[k] = conn_time(c, (enum conn_clock)k);
	summary_release(&c->sum);
	summary_start(&c->sum, id, now);
	for (k = c->rtt_known ? CLOCK_SYN + 1 : CLOCK_SYN; k < CLOCK_END; k++)
		conn_set_time(c, (enum conn_clock)k, ns[k]);
}

/* Hand the connection's record to the end handler: a new one starts on its 5-tuple. */
static void end_record(struct conn *c, const struct packet *p, struct track_hooks *hooks)
{
	struct flow_key k;
	bool lo;

	if (hooks == NULL || hooks->on_end == NULL)
		return;
	flow_key_of(p, &k, &lo);
	hooks->on_end(c, &k, CONN_END_REPLACED, hooks->ctx);
}

void track_conn_segment(struct conn *c, bool created, bool from_lo, const struct packet *p,
			struct labels *out)
{
	track_conn_segment_hooked(c, created, from_lo, p, out, NULL);
}

void track_conn_segment_hooked(struct conn *c, bool created, bool from_lo, const struct packet *p,
			       struct labels *out, struct track_hooks *hooks)
{
	const struct tcp_info *t = &p->tcp;
	enum seg_event ev = classify(t->flags);
	int role;
	struct track_dir *d, *peer;
	struct seg_verdict v;
	int64_t now = packet_time_ns(p);
	struct summary_now at; /* now on the connection's clock, once its summary is settled */
	uint32_t digest;
	bool zeek_kept = false;

	if (created) {
		bool client_lo = ev == EV_SYN ? from_lo : midstream_client_is_lo(p, from_lo);

		conn_reset(c, client_lo);
		if (ev != EV_SYN) {
			labels_add(out, LABEL_MIDSTREAM);
			conn_set_state(c, CONN_ESTABLISHED);
		}
	} else if (ev == EV_SYN) {
		struct track_dir *sender = &c->dir[from_lo == c->client_is_lo ? ROLE_CLIENT : ROLE_SERVER];
		/*
		 * A SYN with the ISN of the one that opened the connection is that
		 * SYN sent again, also after a FIN or the peer's RST (Windows
		 * retries a refused connect so): Wireshark's dissect_tcp() keeps
		 * the conversation when the SYN's seq is its base_seq, and the
		 * analysis calls the SYN a retransmission. Only a new ISN opens a
		 * new connection (`port reuse`).
		 */
		bool same_syn = sender->isn_valid && sender->isn == t->seq;
		bool simultaneous = from_lo != c->client_is_lo && c->state == CONN_SYN_SENT;
		/*
		 * A SYN from a side not yet seen, at the sequence number the peer
		 * already acknowledged: captured after its SYN+ACK (two interfaces,
		 * merged taps). Wireshark took the side's base from that ACK and
		 * keeps the conversation; so does Zeek (the SYN/SYN-ACK reversal).
		 */
		const struct track_dir *other = &c->dir[from_lo == c->client_is_lo ? ROLE_SERVER : ROLE_CLIENT];
		bool acked_syn = !sender->seen && other->ack_valid && other->lastack == t->seq + 1;

		if (!same_syn && !simultaneous && !acked_syn) {
			/*
			 * A new connection on an old 5-tuple (RFC 9293 section 3.4.1).
			 * Zeek may keep its record (a SYN captured after its SYN+ACK:
			 * the SYN/SYN-ACK reversal): the summary then goes on.
			 */
			struct conn_summary sum = c->sum;

			zeek_kept = !summary_zeek_reuse(&sum, t) && !summary_zeek_expired(&sum, now);
			if (!zeek_kept) {
				end_record(c, p, hooks);
				summary_release(&sum);
			}
			app_track_clear(&c->app, &c->app_judged);
			conn_reset(c, from_lo);
			if (zeek_kept)
				c->sum = sum;
			created = true;
			labels_add(out, LABEL_PORT_REUSE);
		} else if (same_syn && c->state == CONN_RESET && !c->dir[ROLE_SERVER].isn_valid) {
			/* A refused connect tried again: its RST refuses it again. */
			conn_set_state(c, CONN_SYN_SENT);
		}
	}
	if (zeek_kept) {
		/* the record goes on */
	} else if (created) {
		summary_start(&c->sum, hooks != NULL ? hooks->next_id++ : 0, now);
	} else if (summary_zeek_reuse(&c->sum, t) || summary_zeek_expired(&c->sum, now)) {
		/* Zeek's record ends here (reuse, or its timer fired) and a new one starts; the connection goes on. */
		end_record(c, p, hooks);
		clock_move(c, hooks != NULL ? hooks->next_id++ : 0, now);
	}
	summary_now_of(&c->sum, now, &at);
	role = from_lo == c->client_is_lo ? ROLE_CLIENT : ROLE_SERVER;
	d = &c->dir[role];
	peer = &c->dir[!role];
	digest = analysis_digest(p, role);
	/* A second copy of a packet says so and changes nothing. */
	if (!created && analysis_is_duplicate(c, role, p, digest, now)) {
		labels_add(out, LABEL_DUPLICATE);
		summary_note_now(&c->sum, role, p, out, &at);
		return;
	}

	track_open(c, role, p, out);
	/* Once the RTT is known no handshake 3/3 comes (its SYN_RCVD state cannot come back). */
	if (ev == EV_SYN && !c->rtt_known)
		conn_set_now(c, CLOCK_SYN, &at);
	if (labels_has(out, LABEL_HANDSHAKE_3)) {
		/* Kept in microseconds (an hour fits): a million connections must stay small. */
		int64_t rtt_us = (now - conn_time(c, CLOCK_SYN)) / 1000;

		c->at[CLOCK_SYN - 1] =
			(uint32_t)(rtt_us > INT32_MAX ? INT32_MAX : rtt_us < 0 ? 0 : (int32_t)rtt_us);
		c->rtt_known = true;
	}
	analysis_classify(c, role, p, now, out, &v);

	if (ev == EV_RST) {
		labels_add(out, LABEL_RESET);
		if (role == ROLE_SERVER && c->state == CONN_SYN_SENT)
			labels_add(out, LABEL_REFUSED);
		c->ended = true;
		conn_set_state(c, CONN_RESET);
	}
	if (t->paylen > 0 && !v.keepalive && !v.zero_window_probe && !v.spurious &&
	    (!d->next_valid || t->seq == d->nextseq ||
	     ((t->flags & TCPF_SYN) && t->seq + 1 == d->nextseq)))
		labels_add(out, LABEL_DATA);
	if (acks_new_data(d, peer, t))
		labels_add(out, LABEL_ACK);

	if (ev == EV_FIN || ev == EV_SEGMENT)
		track_close(c, role, p, out);
	if (t->flags & TCPF_FIN)
		c->ended = true;

	analysis_update(c, role, p, &at, &v);
	analysis_remember(c, role, p, digest, &at);
	dir_update(c, role, t, &v, &at);
	summary_note_now(&c->sum, role, p, out, &at);
}

struct tracker *tracker_new(void)
{
	struct tracker *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->flows = flow_table_new(sizeof(struct conn));
	t->gone = flow_table_new(sizeof(struct gone_tuple));
	t->gone_max = GONE_MIN_KEPT;
	t->hooks.next_id = 1;
	if (t->flows == NULL || t->gone == NULL) {
		flow_table_free(t->flows);
		flow_table_free(t->gone);
		free(t);
		return NULL;
	}
	return t;
}

static void clear_app(void *value, void *ctx)
{
	struct conn *c = value;

	(void)ctx;
	app_track_clear(&c->app, &c->app_judged);
	summary_release(&c->sum);
}

void tracker_free(struct tracker *t)
{
	if (t == NULL)
		return;
	flow_foreach(t->flows, clear_app, NULL);
	flow_table_free(t->flows);
	flow_table_free(t->gone);
	free(t->closing);
	free(t);
}

/* Hand a connection to the end handler and forget it. */
static void evict(struct tracker *t, struct conn *c)
{
	if (t->hooks.on_end != NULL)
		t->hooks.on_end(c, flow_key_at(t->flows, c), CONN_END_EVICTED, t->hooks.ctx);
	app_track_clear(&c->app, &c->app_judged);
	summary_release(&c->sum);
	flow_remove(t->flows, c);
}

/* Remember that c's close completed at now: its record goes CLOSE_DELAY_NS later. */
static bool closing_push(struct tracker *t, const struct flow_key *k, int64_t now)
{
	struct closing *e;

	if (t->max_flows > 0 && t->closing_len >= CLOSING_PER_FLOW * t->max_flows) {
		t->closing_head = (t->closing_head + 1) % t->closing_cap;
		t->closing_len--;
	}
	if (t->closing_len == t->closing_cap) {
		size_t ncap = t->closing_cap ? t->closing_cap * 2 : 256, i;
		struct closing *nc = malloc(ncap * sizeof(*nc));

		if (nc == NULL)
			return false;
		for (i = 0; i < t->closing_len; i++)
			nc[i] = t->closing[(t->closing_head + i) % t->closing_cap];
		free(t->closing);
		t->closing = nc;
		t->closing_cap = ncap;
		t->closing_head = 0;
	}
	e = &t->closing[(t->closing_head + t->closing_len++) % t->closing_cap];
	e->k = *k;
	e->at_ns = now + CLOSE_DELAY_NS;
	return true;
}

/* Remember c's 5-tuple k as its record goes; past gone_max the least recently gone is forgotten. */
static bool gone_keep(struct tracker *t, const struct flow_key *k, const struct conn *c)
{
	struct gone_tuple *g;
	bool created;
	int r;

	g = flow_lookup_bounded(t->gone, k, t->gone_max, &created);
	if (g == NULL)
		return false;
	for (r = ROLE_CLIENT; r <= ROLE_SERVER; r++) {
		g->isn[r] = c->dir[r].isn;
		g->isn_valid[r] = c->dir[r].isn_valid;
	}
	g->client_is_lo = c->client_is_lo;
	g->first_rtt_us = conn_rtt_us(c);
	return true;
}

/*
 * Zeek removes a connection tcp_close_delay after its close completed
 * (ConnDeleteTimer) or after a RST (ResetTimer); so does the tracker, at the
 * first packet at or past that time, and keeps its 5-tuple in gone. A
 * connection whose timer a later packet moved (a RST after the close) or
 * whose 5-tuple a new connection took keeps its record until its own timer
 * (summary_zeek_expired) says so.
 */
static bool remove_closed(struct tracker *t, int64_t now)
{
	while (t->closing_len > 0 && t->closing[t->closing_head].at_ns <= now) {
		struct closing e = t->closing[t->closing_head];
		struct conn *c = flow_find(t->flows, &e.k);

		t->closing_head = (t->closing_head + 1) % t->closing_cap;
		t->closing_len--;
		if (c == NULL || !c->sum.timer_armed || c->sum.timer_attempt ||
		    !summary_zeek_expired(&c->sum, now))
			continue;
		if (!gone_keep(t, &e.k, c))
			return false;
		evict(t, c);
	}
	return true;
}

/*
 * The first packet on a 5-tuple whose record went after its close (g): a
 * SYN with a new ISN opens a new connection on an old 5-tuple, and the
 * 5-tuple is forgotten; anything else is a late packet of the connection
 * that closed. Zeek gives it a record of its own, and so does the tracker,
 * with what is known of the connection (as when a Zeek record ends while
 * the connection goes on): not `midstream`, whose handshake was seen. The
 * 5-tuple stays remembered.
 */
static void gone_start(struct tracker *t, struct conn *c, struct gone_tuple *g,
		       const struct packet *p, struct labels *out, bool *created)
{
	int r;

	if (classify(p->tcp.flags) == EV_SYN) {
		if (!g->isn_valid[ROLE_CLIENT] || g->isn[ROLE_CLIENT] != p->tcp.seq)
			labels_add(out, LABEL_PORT_REUSE);
		flow_remove(t->gone, g);
		return;
	}
	conn_reset(c, g->client_is_lo);
	for (r = ROLE_CLIENT; r <= ROLE_SERVER; r++) {
		c->dir[r].isn = g->isn[r];
		c->dir[r].isn_valid = g->isn_valid[r];
	}
	if (g->first_rtt_us > 0) { /* conn_rtt_us's slot */
		c->rtt_known = true;
		c->at[CLOCK_SYN - 1] = (uint32_t)g->first_rtt_us;
	}
	conn_set_state(c, CONN_CLOSED);
	c->ended = true;
	summary_start(&c->sum, t->hooks.next_id++, packet_time_ns(p));
	*created = false; /* its record is started: the rules take it as it is */
}

/* Zeek's timer of a record, as far as it removes a closed connection. */
struct close_timer {
	uint64_t id;
	uint32_t at_us;
	bool armed; /* ConnDeleteTimer or ResetTimer (not AttemptTimer) */
};

static struct close_timer close_timer_of(const struct conn_summary *s)
{
	struct close_timer ct = {s->id, s->timer_us, s->timer_armed && !s->timer_attempt};

	return ct;
}

/* The packet armed a close timer: none before, another one, or another record's. */
static bool close_armed(struct close_timer before, struct close_timer after)
{
	return after.armed &&
	       (!before.armed || before.at_us != after.at_us || before.id != after.id);
}

bool track_segment(struct tracker *t, const struct packet *p, struct labels *out,
		   struct conn **conn)
{
	struct flow_key k;
	bool from_lo, created, fresh;
	struct conn *c;
	struct close_timer before = {0, 0, false};
	bool may_close;
	struct gone_tuple *gone;
	int64_t now = packet_time_ns(p);

	out->bits = 0;
	if (conn != NULL)
		*conn = NULL;
	t->ctx.valid = false;
	if (p->stop != STOP_NONE)
		return true;
	/* Capture time, not wall time: replaying a file expires what a live capture would. */
	while (t->idle_ns > 0 && (c = flow_oldest(t->flows)) != NULL &&
	       summary_last_ns(&c->sum) + t->idle_ns < now) {
		evict(t, c);
		t->evicted_idle++;
	}
	if (!remove_closed(t, now))
		return false;
	flow_key_of(p, &k, &from_lo);
	if (t->max_flows > 0 && flow_count(t->flows) >= t->max_flows &&
	    flow_find(t->flows, &k) == NULL) {
		evict(t, flow_oldest(t->flows));
		t->evicted_full++;
	}
	c = flow_lookup(t->flows, &k, &created);
	if (c == NULL)
		return false;
	fresh = created;
	if (created && flow_count(t->gone) > 0 && (gone = flow_find(t->gone, &k)) != NULL)
		gone_start(t, c, gone, p, out, &created);
	/* Only a FIN or a RST arms a timer that removes the record (zeek_timers, conn_summary.c). */
	may_close = (p->tcp.flags & (TCPF_FIN | TCPF_RST)) != 0;
	if (may_close)
		before = close_timer_of(&c->sum);
	if (t->keep_context) {
		t->ctx.before[ROLE_CLIENT] = c->dir[ROLE_CLIENT];
		t->ctx.before[ROLE_SERVER] = c->dir[ROLE_SERVER];
		t->ctx.prev_ns = fresh ? 0 : summary_last_ns(&c->sum);
	}
	track_conn_segment_hooked(c, created, from_lo, p, out, &t->hooks);
	if (t->keep_context) {
		t->ctx.valid = true;
		t->ctx.fresh = fresh || labels_has(out, LABEL_PORT_REUSE);
		t->ctx.role = from_lo == c->client_is_lo ? ROLE_CLIENT : ROLE_SERVER;
		t->ctx.rtt_us = conn_rtt_us(c);
		if (t->ctx.fresh) {
			memset(t->ctx.before, 0, sizeof(t->ctx.before));
			t->ctx.prev_ns = 0;
		}
	}
	if (may_close && close_armed(before, close_timer_of(&c->sum)) && !closing_push(t, &k, now))
		return false;
	if (conn != NULL)
		*conn = c;
	return !c->sum.more_lost;
}

void tracker_keep_context(struct tracker *t, bool on)
{
	t->keep_context = on;
}

const struct seg_context *tracker_context(const struct tracker *t)
{
	return &t->ctx;
}

int tracker_role_of(const struct conn *c, const struct packet *p)
{
	return flow_from_lo(p) == c->client_is_lo ? ROLE_CLIENT : ROLE_SERVER;
}

struct conn *tracker_find(struct tracker *t, const struct flow_key *k)
{
	return flow_find(t->flows, k);
}

void tracker_set_limits(struct tracker *t, size_t max_flows, int64_t idle_ns)
{
	t->max_flows = max_flows;
	t->idle_ns = idle_ns;
	t->gone_max = max_flows > GONE_MIN_KEPT ? max_flows : GONE_MIN_KEPT;
}

void tracker_evictions(const struct tracker *t, uint64_t *idle, uint64_t *full)
{
	*idle = t->evicted_idle;
	*full = t->evicted_full;
}

void tracker_set_end_handler(struct tracker *t, conn_end_fn fn, void *ctx)
{
	t->hooks.on_end = fn;
	t->hooks.ctx = ctx;
}

struct conn_list {
	const struct conn **v;
	size_t n;
};

static void collect(void *value, void *ctx)
{
	struct conn_list *l = ctx;

	l->v[l->n++] = value;
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = (*(const struct conn *const *)a)->sum.id;
	uint64_t y = (*(const struct conn *const *)b)->sum.id;

	return x < y ? -1 : x > y;
}

bool tracker_finish(struct tracker *t)
{
	struct conn_list l = {NULL, 0};
	size_t i;

	if (t->hooks.on_end == NULL)
		return true;
	l.v = calloc(flow_count(t->flows) + 1, sizeof(*l.v));
	if (l.v == NULL)
		return false;
	flow_foreach(t->flows, collect, &l);
	qsort(l.v, l.n, sizeof(*l.v), by_id);
	for (i = 0; i < l.n; i++)
		t->hooks.on_end(l.v[i], flow_key_at(t->flows, l.v[i]), CONN_END_FINISHED, t->hooks.ctx);
	free(l.v);
	return true;
}

unsigned long tracker_connections(const struct tracker *t)
{
	return (unsigned long)flow_count(t->flows);
}
