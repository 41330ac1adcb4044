/* conn_summary.c - per-connection counts, Zeek conn_state and history letters, close kind. */
#include <string.h>

#include "tcpnote/conn_summary.h"

void summary_start(struct conn_summary *s, uint64_t id)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
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
 * The labels that can come once per segment of a long transfer get 32-bit
 * counters; the rest, 16-bit ones that stop at 65535.
 */
static int big_slot(enum label l)
{
	switch (l) {
	case LABEL_DATA:
		return 0;
	case LABEL_ACK:
		return 1;
	case LABEL_KEEPALIVE:
		return 2;
	case LABEL_KEEPALIVE_ACK:
		return 3;
	case LABEL_WINDOW_UPDATE:
		return 4;
	case LABEL_WINDOW_FULL:
		return 5;
	case LABEL_DUP_ACK:
		return 6;
	case LABEL_RETRANSMISSION:
		return 7;
	default:
		return -1;
	}
}

static unsigned small_slot(enum label l)
{
	unsigned i, n = 0;

	for (i = 0; i < (unsigned)l; i++)
		n += big_slot((enum label)i) < 0;
	return n;
}

uint32_t summary_label_count(const struct conn_summary *s, enum label l)
{
	int b = big_slot(l);

	return b >= 0 ? s->count_big[b] : s->count_small[small_slot(l)];
}

static void count_label(struct conn_summary *s, enum label l)
{
	int b = big_slot(l);

	if (b >= 0) {
		s->count_big[b]++;
	} else {
		uint16_t *c = &s->count_small[small_slot(l)];

		if (*c < UINT16_MAX)
			(*c)++;
	}
}

/*
 * Zeek's history (base/protocols/conn): each letter once per direction, in
 * order of first appearance, upper case for the originator (our client).
 */
/* Zeek's letters, by the bit they have in history_seen. */
enum { H_SYN, H_SYNACK, H_ACK, H_DATA, H_FIN, H_RST, H_RETRANS, H_ZEROWIN };
static const char history_letters[8] = {'s', 'h', 'a', 'd', 'f', 'r', 't', 'w'};

/* How many letters the history holds: one per bit seen. */
static unsigned history_len(const struct conn_summary *s)
{
	return (unsigned)__builtin_popcount(s->history_seen[0]) +
	       (unsigned)__builtin_popcount(s->history_seen[1]);
}

static void history_add(struct conn_summary *s, int role, unsigned bit)
{
	unsigned n = history_len(s), code = (unsigned)role << 3 | bit;

	if (s->history_seen[role] & (1u << bit) || n >= HISTORY_MAX)
		return;
	s->history_seen[role] |= (uint8_t)(1u << bit);
	s->history[n / 2] = (uint8_t)(n % 2 ? (s->history[n / 2] & 0x0f) | code << 4 : code);
}

void summary_history(const struct conn_summary *s, char out[HISTORY_MAX + 1])
{
	unsigned i, n = history_len(s);

	for (i = 0; i < n; i++) {
		unsigned code = (s->history[i / 2] >> (i % 2 ? 4 : 0)) & 0x0f;
		char letter = history_letters[code & 7];

		out[i] = code >> 3 ? letter : (char)(letter - 'a' + 'A');
	}
	out[n] = '\0';
}

/* The endpoint's state after it sent this segment (Zeek's TCP endpoint states). */
static void endpoint_step(struct conn_summary *s, int role, uint8_t f, const struct labels *l)
{
	uint8_t *e = &s->ep[role];

	if (f & TCPF_RST) {
		*e = EP_RESET;
		return;
	}
	if (f & TCPF_FIN) {
		*e = EP_CLOSED;
		return;
	}
	if (*e == EP_CLOSED || *e == EP_RESET)
		return;
	if ((f & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		*e = EP_SYN_SENT;
	} else if (f & TCPF_SYN) {
		*e = EP_SYN_ACK_SENT;
	} else if (labels_has(l, LABEL_HANDSHAKE_3) || s->handshake_done) {
		s->handshake_done = true;
		s->ep[0] = s->ep[0] == EP_CLOSED || s->ep[0] == EP_RESET ? s->ep[0] : EP_ESTABLISHED;
		s->ep[1] = s->ep[1] == EP_CLOSED || s->ep[1] == EP_RESET ? s->ep[1] : EP_ESTABLISHED;
	} else if (*e == EP_INACTIVE) {
		*e = EP_PARTIAL;
	}
}

void summary_note(struct conn_summary *s, int role, const struct packet *p,
		  const struct labels *l, int64_t now)
{
	const struct tcp_info *t = &p->tcp;
	uint32_t bits = l->bits;
	enum label lb;

	if (s->packets[0] + s->packets[1] == 0)
		s->first_ns = now;
	s->last_ns = now;
	s->packets[role]++;
	while ((lb = labels_next(&bits)) != LABEL_COUNT)
		count_label(s, lb);
	if (labels_has(l, LABEL_DUPLICATE))
		return; /* a copy: no new bytes, no new history */
	if (!labels_has(l, LABEL_RETRANSMISSION) && !labels_has(l, LABEL_FAST_RETRANSMISSION) &&
	    !labels_has(l, LABEL_SPURIOUS_RETRANSMISSION))
		s->bytes[role] += t->paylen;

	if ((t->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)
		history_add(s, role, H_SYN);
	else if (t->flags & TCPF_SYN)
		history_add(s, role, H_SYNACK);
	else if ((t->flags & TCPF_ACK) && t->paylen == 0 && !(t->flags & (TCPF_FIN | TCPF_RST)))
		history_add(s, role, H_ACK);
	if (t->paylen > 0)
		history_add(s, role, H_DATA);
	if (t->flags & TCPF_FIN)
		history_add(s, role, H_FIN);
	if (t->flags & TCPF_RST)
		history_add(s, role, H_RST);
	if (t->paylen > 0 && (labels_has(l, LABEL_RETRANSMISSION) ||
			      labels_has(l, LABEL_FAST_RETRANSMISSION) ||
			      labels_has(l, LABEL_SPURIOUS_RETRANSMISSION)))
		history_add(s, role, H_RETRANS);
	if (labels_has(l, LABEL_ZERO_WINDOW))
		history_add(s, role, H_ZEROWIN);
	endpoint_step(s, role, t->flags, l);
}

/* Zeek's conn_state() (base/protocols/conn/main.zeek), over the two endpoint states. */
const char *summary_conn_state(const struct conn_summary *s)
{
	enum endpoint_state os = (enum endpoint_state)s->ep[0], rs = (enum endpoint_state)s->ep[1];
	bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
	bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;

	if (rs == EP_RESET) {
		if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
		    (os == EP_RESET && s->bytes[0] == 0 && s->bytes[1] == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == EP_RESET) {
		if (r_inactive && (s->history_seen[0] & 1u) && !(s->history_seen[1] & 2u))
			return "RSTOS0";
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
