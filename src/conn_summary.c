/* conn_summary.c - per-connection counts, Zeek's conn_state and history as Zeek derives them, close kind. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/conn_summary.h"
#include "tcpnote/seq.h"

/* All the counts and the whole history, once the summary's own did not hold them. */
struct summary_more {
	uint32_t count[LABEL_COUNT];
	uint8_t history[HISTORY_BYTES];
	uint32_t bytes_hi[2]; /* the high 32 bits of each byte count */
	uint16_t packets_hi[2]; /* the high 16 bits of each packet count */
	uint16_t zeek_cnt[2][3]; /* by role: struct zeek_endpoint's cnt[], stopping at 65535 */
	uint32_t clock_wide;  /* bit per clock slot kept whole in clock_ns[] */
	int64_t clock_ns[SUMMARY_CLOCKS];
};

/* The clock starts at the first packet: whole microseconds count in microseconds. */
static void clock_start(struct conn_summary *s, int64_t now)
{
	s->first_ns = now;
	s->clock_ns = now % 1000 != 0;
}

void summary_start(struct conn_summary *s, uint64_t id, int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	clock_start(s, now);
}

void summary_release(struct conn_summary *s)
{
	free(s->more);
	s->more = NULL;
}

bool summary_copy(struct conn_summary *dst, const struct conn_summary *src)
{
	*dst = *src;
	if (src->more == NULL)
		return true;
	dst->more = malloc(sizeof(*dst->more));
	if (dst->more == NULL) {
		dst->more_lost = true;
		return false;
	}
	*dst->more = *src->more;
	return true;
}

void summary_endpoints(const struct flow_key *k, bool client_is_lo, struct conn_endpoints *e)
{
	int c = client_is_lo ? 0 : 1;

	memset(e, 0, sizeof(*e));
	e->version = k->version;
	memcpy(e->addr[c], k->addr_lo, 16);
	memcpy(e->addr[!c], k->addr_hi, 16);
	e->port[c] = k->port_lo;
	e->port[!c] = k->port_hi;
}

/*
 * The labels that can come once per segment of a long transfer count in 32
 * bits (and wrap); the rest stop at 65535.
 */
static bool counts_big(enum label l)
{
	switch (l) {
	case LABEL_DATA:
	case LABEL_ACK:
	case LABEL_KEEPALIVE:
	case LABEL_KEEPALIVE_ACK:
	case LABEL_WINDOW_UPDATE:
	case LABEL_WINDOW_FULL:
	case LABEL_DUP_ACK:
	case LABEL_RETRANSMISSION:
		return true;
	default:
		return false;
	}
}

/* An extra's count field: 27 bits, under the label's 5. */
#define EXTRA_COUNT_MAX 0x7ffffffu
#define EXTRA_LABEL(e) ((enum label)((e) >> 27))

/* The extra entry counting l, or NULL. */
static const uint32_t *extra_of(const struct conn_summary *s, enum label l)
{
	unsigned i;

	for (i = 0; i < SUMMARY_EXTRA; i++)
		if (s->extra[i] != 0 && EXTRA_LABEL(s->extra[i]) == l)
			return &s->extra[i];
	return NULL;
}

uint32_t summary_label_count(const struct conn_summary *s, enum label l)
{
	const uint32_t *e;

	if (s->more != NULL)
		return s->more->count[l];
	if (l == LABEL_DATA)
		return s->count_data;
	if (l == LABEL_ACK)
		return s->count_ack;
	if (!(s->once >> l & 1u))
		return 0;
	e = extra_of(s, l);
	return e != NULL ? *e & EXTRA_COUNT_MAX : 1;
}

/* The tcpnote role of Zeek's side (0 its originator): *more keeps Zeek's counts by role. */
static int zeek_role(const struct conn_summary *s, int side)
{
	return side == 0 ? s->zeek_orig : !s->zeek_orig;
}

/* Move the counts and the history to *more; false when memory ran out. */
static bool spill(struct conn_summary *s)
{
	struct summary_more *m = calloc(1, sizeof(*m));
	unsigned i;
	int side;

	if (m == NULL) {
		s->more_lost = true;
		return false;
	}
	for (i = 0; i < LABEL_COUNT; i++)
		m->count[i] = summary_label_count(s, (enum label)i);
	for (side = 0; side < 2; side++)
		for (i = 0; i < 3; i++)
			m->zeek_cnt[zeek_role(s, side)][i] = s->z[side].cnt[i];
	memcpy(m->history, s->history, sizeof(s->history));
	s->more = m;
	return true;
}

int64_t summary_clock_more(const struct conn_summary *s, unsigned slot, uint32_t at)
{
	if (s->more->clock_wide >> slot & 1u)
		return s->more->clock_ns[slot];
	return summary_clock_inline(s, at);
}

void summary_clock_set_more(struct conn_summary *s, unsigned slot, uint32_t *at, int64_t ns)
{
	int64_t off = (int64_t)((uint64_t)ns - (uint64_t)s->first_ns);
	int64_t q = s->clock_ns ? off : off / 1000;

	if ((s->clock_ns || q * 1000 == off) && q >= INT32_MIN && q <= INT32_MAX) {
		*at = (uint32_t)q;
		if (s->more != NULL)
			s->more->clock_wide &= ~(1u << slot);
		return;
	}
	*at = 0;
	if (s->more == NULL && !spill(s))
		return;
	s->more->clock_wide |= 1u << slot;
	s->more->clock_ns[slot] = ns;
}

uint32_t summary_packets(const struct conn_summary *s, int role)
{
	uint32_t hi = s->more != NULL ? s->more->packets_hi[role] : 0;

	return hi << 16 | s->packets_lo[role];
}

/* No packet yet: the sum of the two counts is 0 (modulo 2^32, as when they were 32 bits each). */
static bool no_packets(const struct conn_summary *s)
{
	if (s->more == NULL)
		return (s->packets_lo[0] | s->packets_lo[1]) == 0;
	return summary_packets(s, 0) + summary_packets(s, 1) == 0;
}

/* Past 65535 the high bits go to *more. */
static void add_packet(struct conn_summary *s, int role)
{
	if (++s->packets_lo[role] == 0 && (s->more != NULL || spill(s)))
		s->more->packets_hi[role]++;
}

uint64_t summary_bytes(const struct conn_summary *s, int role)
{
	uint64_t hi = s->more != NULL ? s->more->bytes_hi[role] : 0;

	return hi << 32 | s->bytes_lo[role];
}

/* Past 4 GiB the high bits go to *more. */
static void add_bytes(struct conn_summary *s, int role, uint32_t n)
{
	uint32_t lo = s->bytes_lo[role] + n;

	if (lo < n && (s->more != NULL || spill(s)))
		s->more->bytes_hi[role]++;
	s->bytes_lo[role] = lo;
}

/* Count l in the summary's own counts; false when they cannot hold it (it goes to *more). */
static bool count_inline(struct conn_summary *s, enum label l)
{
	uint32_t *c;
	unsigned i;

	if (l == LABEL_DATA || l == LABEL_ACK) {
		uint16_t *n = l == LABEL_DATA ? &s->count_data : &s->count_ack;

		if (*n == UINT16_MAX)
			return false;
		(*n)++;
		return true;
	}
	if (!(s->once >> l & 1u)) {
		s->once |= 1u << l;
		return true;
	}
	c = (uint32_t *)extra_of(s, l);
	if (c != NULL && (*c & EXTRA_COUNT_MAX) == UINT16_MAX && !counts_big(l))
		return true;
	if (c != NULL && (*c & EXTRA_COUNT_MAX) < EXTRA_COUNT_MAX) {
		(*c)++;
		return true;
	}
	for (i = 0; c == NULL && i < SUMMARY_EXTRA; i++)
		if (s->extra[i] == 0) {
			s->extra[i] = (uint32_t)l << 27 | 2u;
			return true;
		}
	return false;
}

static void count_label(struct conn_summary *s, enum label l)
{
	uint32_t *c;

	if (s->more == NULL && (count_inline(s, l) || !spill(s)))
		return;
	c = &s->more->count[l];
	if (counts_big(l) || *c < UINT16_MAX)
		(*c)++;
}

/*
 * Zeek's analysis of a TCP connection, as Zeek 6/7 do it, for conn_state and
 * history. The rules and their places in Zeek's source:
 *   - who is the originator: the first packet's sender, unless
 *     TCPAnalyzer::WantConnection() (src/packet_analysis/protocol/tcp/TCP.cc)
 *     flips the roles of a connection that starts without a plain SYN from a
 *     likely server port; Connection::FlipRoles() (src/Conn.cc) then writes
 *     '^' first in the history;
 *   - endpoint states: TCPSessionAdapter::UpdateStateMachine() and its
 *     Update*State() (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc);
 *   - history letters: update_history() there (S H A D F R I Q, one each per
 *     side via Connection::CheckHistory(), S/F/R again at another sequence
 *     number), TCP_Endpoint::DidRxmit() and ZeroWindow()
 *     (src/analyzer/protocol/tcp/TCP_Endpoint.cc: T and W at the 1st, 10th,
 *     100th ... time, Connection::ScaledHistoryEntry());
 *   - conn_state: conn_state() in scripts/base/protocols/conn/main.zeek.
 * Zeek with its defaults, checksums not verified (zeek -C: loopback and
 * offloading senders carry unfinished checksums, which Zeek would drop).
 */
#define HIST_SYN 0x1u /* Zeek's HistoryMasks (TCP_Endpoint.h) */
#define HIST_FIN 0x2u
#define HIST_RST 0x4u
#define HIST_FIN_RST 0x8u
#define HIST_DATA 0x10u
#define HIST_ACK 0x20u
#define HIST_MULTI_FLAG 0x40u

/*
 * likely_server_ports: the TCP ports Zeek's base scripts add to it (`redef
 * likely_server_ports += { ports }` in scripts/base/protocols/<name>/main.zeek):
 * finger, ftp, ssh, smtp, dns, http, krb, pop3, dce-rpc, smb, imap, ldap,
 * ssl, socks, modbus, mysql, mqtt, rdp, postgresql, xmpp, redis, irc, dnp3.
 * Read again for ssl (443 563 585 614 636 989 990 992 993 995 5223; 443/udp is
 * DTLS's), http (80 81 631 1080 3128 8000 8080 8888) and smtp (25 587: not
 * 465, which no base script adds).
 */
static const uint16_t zeek_server_ports[] = {
	21,   22,   25,   53,   79,   80,   81,   88,   110,  135,  139,  143,  389,  443,
	445,  502,  563,  585,  587,  614,  631,  636,  750,  989,  990,  992,  993,
	995,  1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379,
	6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static bool likely_server_port(uint16_t port)
{
	size_t i;

	for (i = 0; i < sizeof(zeek_server_ports) / sizeof(zeek_server_ports[0]); i++)
		if (zeek_server_ports[i] == port)
			return true;
	return false;
}

/* TCPAnalyzer::WantConnection(): does Zeek make the first packet's receiver the originator? */
static bool zeek_flips(const struct tcp_info *t)
{
	bool syn = (t->flags & TCPF_SYN) != 0;

	if (syn && !(t->flags & TCPF_ACK))
		return false;
	if (!likely_server_port(t->sport))
		return false;
	/* both plausible: flip only a non-SYN towards a higher port */
	if (likely_server_port(t->dport))
		return !syn && t->sport < t->dport;
	return true;
}

/* The letters a history holds, each kept as its place here plus 1 (5 bits; 0 none). */
static const char history_letters[] = "^SHADFRIQTWGCshadfriqtwgc";

/* Where the history's letters are: the summary's own bytes, or *more's. */
static const uint8_t *history_bytes(const struct conn_summary *s)
{
	return s->more != NULL ? s->more->history : s->history;
}

static void add_history(struct conn_summary *s, char code)
{
	const char *at = strchr(history_letters, code);
	unsigned v, bit;
	uint8_t *h;

	if (s->hist_len >= HISTORY_MAX || code == '\0' || at == NULL)
		return;
	if (s->hist_len >= HISTORY_INLINE_MAX && s->more == NULL && !spill(s))
		return;
	h = s->more != NULL ? s->more->history : s->history;
	v = (unsigned)(at - history_letters) + 1;
	bit = s->hist_len++ * 5u;
	h[bit / 8] = (uint8_t)(h[bit / 8] | (v << (bit % 8)));
	if (bit % 8 > 3)
		h[bit / 8 + 1] = (uint8_t)(h[bit / 8 + 1] | (v >> (8 - bit % 8)));
}

/* The i-th letter of the history (i < hist_len). */
static char history_at(const struct conn_summary *s, unsigned i)
{
	const uint8_t *h = history_bytes(s);
	unsigned bit = i * 5u, v = h[bit / 8] >> (bit % 8);

	if (bit % 8 > 3)
		v |= (unsigned)h[bit / 8 + 1] << (8 - bit % 8);
	v &= 31u;
	return v >= 1 && v < sizeof(history_letters) ? history_letters[v - 1] : '?';
}

/* Connection::CheckHistory(): the letter once per side; true if it was there already. */
static bool check_history(struct conn_summary *s, int side, unsigned mask, char code)
{
	if (side)
		mask <<= 8; /* Zeek shifts by 16; the 7 bits used fit in 8 */
	if (s->hist_seen & mask)
		return true;
	s->hist_seen = (uint16_t)(s->hist_seen | mask);
	add_history(s, side ? (char)(code - 'A' + 'a') : code);
	return false;
}

/*
 * Connection::ScaledHistoryEntry() with base 10: the letter at the 1st, 10th,
 * 100th ... time, when the count reaches the next power of ten.
 */
static void scaled_history(struct conn_summary *s, int side, char code, unsigned which)
{
	uint8_t *inline_count = &s->z[side].cnt[which];
	uint16_t *count;
	unsigned n;

	if (s->more == NULL && *inline_count < UINT8_MAX) {
		n = ++*inline_count;
	} else {
		if (s->more == NULL && !spill(s))
			return;
		count = &s->more->zeek_cnt[zeek_role(s, side)][which];
		if (*count == UINT16_MAX)
			return;
		n = ++*count;
	}
	while (n % 10 == 0)
		n /= 10;
	if (n == 1)
		add_history(s, side ? (char)(code - 'A' + 'a') : code);
}

/* update_history(): the letters of a packet's flags. */
static void zeek_flag_history(struct conn_summary *s, int side, uint8_t f, uint32_t rel,
			      uint32_t len)
{
	struct zeek_endpoint *e = &s->z[side];
	int bits = !!(f & TCPF_SYN) + !!(f & TCPF_FIN) + !!(f & TCPF_RST);

	if (bits > 1) {
		if ((f & TCPF_FIN) && (f & TCPF_RST))
			check_history(s, side, HIST_FIN_RST, 'I');
		else
			check_history(s, side, HIST_MULTI_FLAG, 'Q');
	} else if (bits == 1) {
		if (f & TCPF_SYN) {
			char code = (f & TCPF_ACK) ? 'H' : 'S';

			if (check_history(s, side, HIST_SYN, code) && rel != e->last_syn)
				add_history(s, side ? (char)(code - 'A' + 'a') : code);
			e->last_syn = rel;
		}
		if (f & TCPF_FIN) {
			if (check_history(s, side, HIST_FIN, 'F') && rel + len != e->last_fin)
				add_history(s, side ? 'f' : 'F');
			e->last_fin = rel + len;
		}
		if (f & TCPF_RST) {
			if (check_history(s, side, HIST_RST, 'R') && rel != e->u.last_rst)
				add_history(s, side ? 'r' : 'R');
			e->u.last_rst = rel;
		}
	} else if (len > 0) {
		check_history(s, side, HIST_DATA, 'D');
	} else if (f & TCPF_ACK) {
		check_history(s, side, HIST_ACK, 'A');
	}
}

static void set_state(struct zeek_endpoint *e, enum endpoint_state st)
{
	if (e->state != st) {
		e->prev_state = e->state;
		e->state = (unsigned)st;
	}
}

/* The endpoint's history has its RST letter: the union holds hist_last_RST, no reassembler. */
static bool sent_rst(const struct conn_summary *s, int side)
{
	return (s->hist_seen & (HIST_RST << (side ? 8 : 0))) != 0;
}

static void init_seqs(struct conn_summary *s, int side, uint32_t start, uint32_t last)
{
	struct zeek_endpoint *e = &s->z[side];

	e->start_seq = start;
	e->last_seq = last;
	if (!sent_rst(s, side))
		e->u.reassem = 1; /* relative: the first byte after the SYN */
}

/* init_endpoint(): where the endpoint's sequence space starts. */
static void zeek_init_endpoint(struct conn_summary *s, int side, uint8_t f, uint32_t seq,
			       uint32_t past)
{
	const struct zeek_endpoint *e = &s->z[side];
	bool syn = (f & TCPF_SYN) != 0;

	switch (e->state) {
	case EP_INACTIVE:
		if (syn)
			init_seqs(s, side, seq, past);
		else
			init_seqs(s, side, seq - 1, seq); /* partial: as if a SYN came before */
		break;
	case EP_SYN_SENT:
	case EP_SYN_ACK_SENT:
		if (syn && seq != e->start_seq)
			init_seqs(s, side, seq, past);
		break;
	case EP_ESTABLISHED:
	case EP_PARTIAL:
		if (syn)
			init_seqs(s, side, seq, past);
		break;
	case EP_RESET:
		if (syn && e->prev_state == EP_INACTIVE)
			init_seqs(s, side, seq, past);
		break;
	default:
		break;
	}
}

/* update_last_seq(): a payload that does not advance the sequence space is a retransmission. */
static void zeek_last_seq(struct conn_summary *s, int side, uint8_t f, uint32_t past, uint32_t len)
{
	struct zeek_endpoint *e = &s->z[side];
	int32_t delta = (int32_t)(past - e->last_seq);
	const int32_t too_large = 1048576;

	if ((f & (TCPF_SYN | TCPF_RST)) && (delta > too_large || delta < -too_large))
		return;
	if ((f & TCPF_FIN) && e->last_seq == e->start_seq + 1)
		e->last_seq = past;
	else if (e->state == EP_RESET)
		return;
	else if (delta > 0)
		e->last_seq = past;
	else if (len > 0)
		scaled_history(s, side, 'T', ZEEK_RXMT);
}

/*
 * The SYN/SYN-ACK reversal (UpdateInactiveState()): the responder's first
 * packet is a SYN while the originator sent a SYN+ACK at that sequence
 * number: Connection::FlipRoles() swaps the endpoints (the HIST_* bits stay
 * where they are, as in Zeek) and writes '^' after the letters so far. The
 * packet's sender is then the originator.
 */
static void zeek_reversal(struct conn_summary *s)
{
	struct zeek_endpoint tmp = s->z[0];

	s->z[0] = s->z[1];
	s->z[1] = tmp;
	s->zeek_orig = !s->zeek_orig;
	add_history(s, '^');
	set_state(&s->z[1], EP_ESTABLISHED);
}

/*
 * UpdateStateMachine() and its Update*State(), for one packet from side (0
 * the originator). Returns the side the sender is on afterwards (the
 * reversal moves it).
 */
static int zeek_state(struct conn_summary *s, int side, uint8_t f, uint32_t seq, uint32_t len)
{
	struct zeek_endpoint *e = &s->z[side], *peer = &s->z[!side];
	bool syn = f & TCPF_SYN, ack = f & TCPF_ACK, fin = f & TCPF_FIN, rst = f & TCPF_RST;

	/* do_close: ConnectionClosed() marks the side closed (its deferral for pending data aside) */
	if ((fin || rst) && e->state != EP_RESET)
		e->did_close = true;
	switch (e->state) {
	case EP_INACTIVE: /* UpdateInactiveState() */
		if (syn && side == 0) {
			set_state(e, ack ? EP_SYN_ACK_SENT : EP_SYN_SENT);
		} else if (syn) {
			if (!ack && peer->state == EP_SYN_ACK_SENT && seq == e->start_seq) {
				zeek_reversal(s);
				side = 0;
				e = &s->z[0];
				peer = &s->z[1];
			}
			/* a SYN+ACK, or a simultaneous open */
			if (peer->state == EP_SYN_SENT)
				set_state(peer, EP_ESTABLISHED);
			set_state(e, EP_ESTABLISHED);
		}
		if (fin)
			set_state(e, EP_CLOSED);
		if (rst)
			set_state(e, EP_RESET);
		if (e->state == EP_INACTIVE) {
			if (side == 1 && len == 0 && s->z[0].state == EP_SYN_SENT)
				; /* an ACK of the SYN before the SYN+ACK: not a partial connection */
			else if (ack && peer->state == EP_ESTABLISHED)
				set_state(e, EP_ESTABLISHED);
			else
				set_state(e, EP_PARTIAL);
		}
		break;
	case EP_SYN_SENT:
	case EP_SYN_ACK_SENT: /* UpdateSYN_SentState() */
		if (fin)
			set_state(e, EP_CLOSED);
		if (rst)
			set_state(e, EP_RESET);
		break;
	case EP_ESTABLISHED:
	case EP_PARTIAL: /* UpdateEstablishedState() */
		if (syn && e->state == EP_PARTIAL && peer->state == EP_INACTIVE && !ack)
			set_state(e, EP_SYN_SENT);
		if (fin && !rst) {
			set_state(e, EP_CLOSED);
			/* the peer's FIN then RST was a normal close */
			if (peer->state == EP_RESET && peer->prev_state == EP_CLOSED)
				set_state(peer, EP_CLOSED);
		}
		if (rst)
			set_state(e, EP_RESET);
		break;
	case EP_CLOSED: /* UpdateClosedState(): a RST after both FINs changes nothing */
		if (rst && peer->state != EP_CLOSED)
			set_state(e, EP_RESET);
		break;
	default: /* UpdateResetState() */
		break;
	}
	return side;
}

/*
 * Zeek's defaults (scripts/base/init-bare.zeek): tcp_close_delay,
 * tcp_reset_delay and tcp_attempt_delay are 5 secs, tcp_inactivity_timeout
 * 5 min.
 */
#define ZEEK_DELAY_US 5000000u
#define ZEEK_INACTIVITY_NS (300 * INT64_C(1000000000))

/* A timer that removes the connection, tcp_*_delay after now; it replaces the one before. */
static void arm_timer(struct conn_summary *s, int64_t now, bool attempt)
{
	s->timer_armed = true;
	s->timer_attempt = attempt;
	s->timer_us = (uint32_t)(uint64_t)(now / 1000) + ZEEK_DELAY_US;
}

/*
 * The timers the packet sets, in TCPSessionAdapter.cc: UpdateInactiveState()
 * sets AttemptTimer at an originator's first SYN; a RST that resets an
 * endpoint sets ResetTimer (UpdateClosedState() and the others);
 * ConnectionClosed(), when an endpoint first closes and the close is complete
 * (it reset, or its peer closed before or never spoke), cancels the timers
 * (CancelTimers()) and sets ConnDeleteTimer at the packet's time plus
 * tcp_close_delay. Each of them removes the connection (session_mgr->Remove()); a close that is not complete sets ExpireTimer, which removes
 * nothing while a side is still open.
 */
static void zeek_timers(struct conn_summary *s, int side, uint8_t f, uint8_t state_before,
			bool closed_before, int64_t now)
{
	const struct zeek_endpoint *e = &s->z[side], *peer = &s->z[!side];

	if (side == 0 && state_before == EP_INACTIVE && (f & TCPF_SYN))
		arm_timer(s, now, true);
	if (!closed_before && e->did_close &&
	    (e->state == EP_RESET || peer->did_close || peer->state == EP_INACTIVE))
		arm_timer(s, now, false);
	else if ((f & TCPF_RST) && state_before != EP_RESET && e->state == EP_RESET)
		arm_timer(s, now, false);
}

bool summary_zeek_expired(const struct conn_summary *s, int64_t now)
{
	if (no_packets(s))
		return false;
	/* Session::InactivityTimer(): last_time + inactivity_timeout <= t */
	if (now - summary_last_ns(s) >= ZEEK_INACTIVITY_NS)
		return true;
	/*
	 * Zeek fires timers before the packet that passes them. The timer is
	 * under 5 s after a packet of the record, now under 300 s after the
	 * last one: the difference fits the 32-bit microseconds.
	 */
	if (!s->timer_armed || (int32_t)((uint32_t)(uint64_t)(now / 1000) - s->timer_us) < 0)
		return false;
	/* AttemptTimer(): only while the originator's SYN is unanswered */
	if (s->timer_attempt)
		return (s->z[0].state == EP_SYN_SENT || s->z[0].state == EP_SYN_ACK_SENT) &&
		       s->z[1].state == EP_INACTIVE;
	return true;
}

/* is_clean() in TCP_Reassembler.cc: established, or closing from established. */
static bool zeek_clean(const struct zeek_endpoint *e)
{
	return e->state == EP_ESTABLISHED ||
	       (e->state == EP_CLOSED && e->prev_state == EP_ESTABLISHED);
}

/* Where the endpoint's captured payload ends, relative: LastSeq() less its FIN's octet. */
static uint32_t zeek_data_end(const struct conn_summary *s, int side)
{
	const struct zeek_endpoint *e = &s->z[side];
	uint32_t end = e->last_seq - e->start_seq;

	if (s->hist_seen & (HIST_FIN << (side ? 8 : 0)))
		end--;
	return end;
}

/*
 * Content gaps, after TCP_Reassembler::AckReceived(): an ACK from the peer
 * (rel_ack, cut at the endpoint's FIN) past last_reassem_seq makes
 * TrimToSeq() call Undelivered(), which calls Gap() once per hole below the
 * ACK and delivers the blocks captured above each hole; TCP_Reassembler::Gap()
 * lets TCP_Endpoint::Gap() write G/g (ScaledHistoryEntry: 1st, 10th, 100th
 * ...) only while established_or_cleanly_closing() holds for both sides.
 * Undelivered() ignores an ACK up to relative 2 of a partial connection. The
 * bytes above a hole are taken as one block reaching the endpoint's highest
 * byte (a second hole above the first is not told apart), unless a payload of
 * the endpoint was not all captured: Zeek delivers none of it, so nothing
 * above a hole is then counted as delivered.
 */
static void zeek_ack_received(struct conn_summary *s, int side, uint32_t rel_ack)
{
	struct zeek_endpoint *e = &s->z[side];
	unsigned i = s->hist_len > 0 && history_at(s, 0) == '^';
	bool partial = i >= s->hist_len || strchr("SHsh", history_at(s, i)) == NULL;
	uint32_t end, gaps = 1;

	if (sent_rst(s, side))
		return;
	if ((s->hist_seen & (HIST_FIN << (side ? 8 : 0))) && seq_gt(rel_ack, e->last_fin))
		rel_ack = e->last_fin;
	if (!seq_gt(rel_ack, e->u.reassem) || (partial && seq_leq(rel_ack, 2)))
		return;
	end = e->undelivered ? e->u.reassem : zeek_data_end(s, side);
	if (seq_gt(end, e->u.reassem) && seq_gt(rel_ack, end))
		gaps = 2; /* the hole below the block, and the one from the block to the ACK */
	e->u.reassem = seq_gt(end, rel_ack) ? end : rel_ack;
	if (!zeek_clean(e) || !zeek_clean(&s->z[!side]))
		return;
	while (gaps-- > 0)
		scaled_history(s, side, 'G', ZEEK_GAP);
}

/*
 * TCP_Reassembler::DataSent(): a payload captured whole (Process() passes no
 * other) that reaches last_reassem_seq moves it on, past the blocks above.
 */
static void zeek_data_sent(struct conn_summary *s, int side, const struct tcp_info *t)
{
	struct zeek_endpoint *e = &s->z[side];
	uint32_t from, to, end;

	if (t->paylen == 0 || (t->flags & TCPF_RST) || sent_rst(s, side))
		return;
	if (t->payload.len < t->paylen) {
		e->undelivered = true;
		return;
	}
	from = t->seq + ((t->flags & TCPF_SYN) ? 1u : 0u) - e->start_seq;
	to = from + t->paylen;
	if (seq_gt(from, e->u.reassem) || !seq_gt(to, e->u.reassem))
		return;
	end = e->undelivered ? to : zeek_data_end(s, side);
	e->u.reassem = seq_gt(end, to) ? end : to;
}

/* TCPSessionAdapter::Process(), the parts that make state and history. */
static void zeek_packet(struct conn_summary *s, int side, const struct tcp_info *t, int64_t now)
{
	struct zeek_endpoint *e = &s->z[side], *peer = &s->z[!side];
	uint8_t f = t->flags;
	uint32_t len = t->paylen;
	uint32_t seg_len = (f & TCPF_RST) ? 0u : len;
	uint32_t past;
	uint8_t state_before = e->state;
	bool closed_before = e->did_close;

	seg_len += ((f & TCPF_SYN) ? 1u : 0u) + ((f & TCPF_FIN) ? 1u : 0u);
	past = t->seq + seg_len;
	zeek_init_endpoint(s, side, f, t->seq, past);
	zeek_flag_history(s, side, f, t->seq - e->start_seq, len);
	/* update_window(): a zero window, unless with or after a RST or after the peer's FIN */
	if (t->win == 0 && !(f & TCPF_RST) && peer->state != EP_CLOSED && e->state != EP_RESET)
		scaled_history(s, side, 'W', ZEEK_WIN0);
	/* init_peer(): the first ACK of a silent peer sets where its sequence space starts */
	if ((f & TCPF_ACK) && peer->state == EP_INACTIVE)
		init_seqs(s, !side, t->ack - 1, t->ack - 1);
	zeek_last_seq(s, side, f, past, len);
	if (zeek_state(s, side, f, t->seq, len) != side) {
		side = !side;
		e = &s->z[side];
		peer = &s->z[!side];
	}
	/* after the state machine, so that a gap revealed by a FIN or RST is not written */
	if (f & TCPF_ACK)
		zeek_ack_received(s, !side, t->ack - peer->start_seq);
	zeek_data_sent(s, side, t);
	zeek_timers(s, side, f, state_before, closed_before, now);
}

void summary_history(const struct conn_summary *s, char out[HISTORY_MAX + 1])
{
	unsigned i;

	for (i = 0; i < s->hist_len; i++)
		out[i] = history_at(s, i);
	out[i] = '\0';
}

void summary_note(struct conn_summary *s, int role, const struct packet *p,
		  const struct labels *l, int64_t now)
{
	struct summary_now n;

	summary_now_of(s, now, &n);
	summary_note_now(s, role, p, l, &n);
}

void summary_note_now(struct conn_summary *s, int role, const struct packet *p,
		      const struct labels *l, const struct summary_now *at)
{
	const struct tcp_info *t = &p->tcp;
	uint32_t bits = l->bits;
	enum label lb;
	int64_t now = at->ns;
	struct summary_now first;

	if (no_packets(s)) {
		/* the clock starts here (as summary_start started it, for the tracker's records) */
		clock_start(s, now);
		summary_now_of(s, now, &first);
		at = &first;
		s->zeek_orig = role != 0;
		if (zeek_flips(t)) {
			s->zeek_orig = role == 0;
			add_history(s, '^');
		}
	}
	summary_clock_set_now(s, SUMMARY_CLOCK_LAST, &s->last_at, at);
	add_packet(s, role);
	while ((lb = labels_next(&bits)) != LABEL_COUNT)
		count_label(s, lb);
	if (labels_has(l, LABEL_DUPLICATE))
		return; /* a copy: no new bytes, no new history */
	if (!labels_has(l, LABEL_RETRANSMISSION) && !labels_has(l, LABEL_FAST_RETRANSMISSION) &&
	    !labels_has(l, LABEL_SPURIOUS_RETRANSMISSION))
		add_bytes(s, role, t->paylen);
	zeek_packet(s, role == s->zeek_orig ? 0 : 1, t, now);
}

bool summary_zeek_reuse(const struct conn_summary *s, const struct tcp_info *t)
{
	const struct zeek_endpoint *conn_orig = &s->z[0];

	if (no_packets(s) || !(t->flags & TCPF_SYN))
		return false;
	if (t->flags & TCPF_ACK) {
		/* a SYN+ACK starts a new record only where the originator was never seen */
		if (s->z[0].state != EP_INACTIVE)
			return false;
		conn_orig = &s->z[1];
	}
	if (s->z[0].did_close || s->z[1].did_close)
		return true;
	if (t->seq == conn_orig->start_seq)
		return false;
	/* a SYN captured after its SYN+ACK: Zeek keeps the record (and flips it) */
	return (t->flags & TCPF_ACK) || conn_orig->state != EP_SYN_ACK_SENT ||
	       s->z[1].state != EP_INACTIVE || t->seq != s->z[1].start_seq;
}

/* The history matches /^\^?S[^HAFGIQ]*R.*$/: a SYN, then a RST before any answer or data. */
static bool syn_then_rst(const struct conn_summary *s)
{
	unsigned i = s->hist_len > 0 && history_at(s, 0) == '^';

	if (i >= s->hist_len || history_at(s, i) != 'S')
		return false;
	for (i++; i < s->hist_len; i++) {
		if (history_at(s, i) == 'R')
			return true;
		if (strchr("HAFGIQ", history_at(s, i)) != NULL)
			return false;
	}
	return false;
}

/* Zeek's conn_state() (scripts/base/protocols/conn/main.zeek), over the two endpoint states. */
const char *summary_conn_state(const struct conn_summary *s)
{
	enum endpoint_state os = (enum endpoint_state)s->z[0].state;
	enum endpoint_state rs = (enum endpoint_state)s->z[1].state;
	bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
	bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;

	if (rs == EP_RESET) {
		if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
		    (os == EP_RESET && summary_bytes(s, 0) == 0 && summary_bytes(s, 1) == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == EP_RESET) {
		if (r_inactive)
			return syn_then_rst(s) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (rs == EP_CLOSED && os == EP_CLOSED)
		return "SF";
	if (os == EP_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == EP_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == EP_SYN_SENT && rs == EP_INACTIVE)
		return "S0";
	if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
		return "S1";
	return "OTH";
}

const char *summary_close_kind(const struct conn_summary *s)
{
	if (summary_label_count(s, LABEL_REFUSED))
		return "refused";
	if (summary_label_count(s, LABEL_RESET))
		return "reset";
	if (summary_label_count(s, LABEL_SIMULTANEOUS_CLOSE))
		return "simultaneous";
	if (summary_label_count(s, LABEL_FIN_MERGED))
		return "FIN merged";
	if (summary_label_count(s, LABEL_CLOSE_3) ||
	    (summary_label_count(s, LABEL_CLOSE_2) && summary_label_count(s, LABEL_CLOSE_4)))
		return "four-way";
	return "open";
}
