/* decode_tcp.c - the TCP header and its options (RFC 9293 section 3.1) into struct tcp_info. */
#include <string.h>

#include "tcpnote/decode.h"

/*
 * Walk state for the option list. `left` is the header length not yet
 * consumed, `at` the offset of the next byte: the same two numbers tcpdump's
 * print-tcp.c keeps, so that a damaged option list ends exactly where
 * tcpdump's does and the printed line stays byte-identical.
 */
struct opt_walk {
	struct span cap;
	uint32_t at;
	uint32_t left;
};

/* tcpdump's LENCHECK(l): l data bytes must be inside the header and captured. */
static enum opt_end opt_lencheck(const struct opt_walk *w, uint32_t l)
{
	if (l > w->left)
		return OPT_END_BAD;
	if (!span_has(w->cap, w->at, l))
		return OPT_END_TRUNC;
	return OPT_END_OK;
}

/* Check an option's data in steps of `step` bytes up to `want`; record how far it got. */
static void opt_check_steps(const struct opt_walk *w, struct tcp_opt *o, uint32_t want,
			    uint32_t first, uint32_t step)
{
	uint32_t l;

	o->ndata = 0;
	for (l = first; l <= want; l += step) {
		o->end = opt_lencheck(w, l);
		if (o->end != OPT_END_OK)
			return;
		o->ndata = (uint8_t)l;
	}
	o->end = OPT_END_OK;
}

/* How much data each kind consumes and in which steps tcpdump checks it. */
static void opt_measure(const struct opt_walk *w, struct tcp_opt *o)
{
	uint32_t var = o->len >= 2 ? (uint32_t)o->len - 2 : 0;

	o->end = OPT_END_OK;
	o->ndata = 0;
	switch (o->kind) {
	case TCPOPT_EOL:
	case TCPOPT_NOP:
	case TCPOPT_SACKOK:
		o->datalen = 0;
		return;
	case TCPOPT_WSCALE:
		o->datalen = 1;
		break;
	case TCPOPT_MSS:
	case TCPOPT_SCPS:
	case TCPOPT_UTO:
		o->datalen = 2;
		break;
	case TCPOPT_ECHO:
	case TCPOPT_ECHOREPLY:
	case TCPOPT_CC:
	case TCPOPT_CCNEW:
	case TCPOPT_CCECHO:
		o->datalen = 4;
		break;
	case TCPOPT_TIMESTAMP:
		o->datalen = 8;
		break;
	case TCPOPT_MD5:
		o->datalen = 16;
		break;
	case TCPOPT_SACK:
		o->datalen = (uint8_t)var;
		if (var % 8 != 0)
			return; /* printed as invalid, nothing read */
		opt_check_steps(w, o, var, 4, 4);
		return;
	case TCPOPT_TCPAO:
		o->datalen = (uint8_t)var;
		if (var < 2)
			return; /* printed as invalid, nothing read */
		opt_check_steps(w, o, var, 1, 1);
		return;
	case TCPOPT_MPTCP:
	case TCPOPT_FASTOPEN:
		o->datalen = (uint8_t)var;
		break;
	case TCPOPT_EXP2:
		o->datalen = (uint8_t)var;
		o->end = opt_lencheck(w, var);
		if (o->end == OPT_END_OK && var < 2)
			o->end = OPT_END_BAD;
		o->ndata = o->end == OPT_END_OK ? o->datalen : 0;
		return;
	default:
		o->datalen = (uint8_t)var;
		opt_check_steps(w, o, var, 1, 1);
		return;
	}
	/* Fixed-size kinds: all or nothing. */
	o->end = opt_lencheck(w, o->datalen);
	o->ndata = o->end == OPT_END_OK ? o->datalen : 0;
}

/* Keep the option values the analysis uses (MSS, window scale, SACK, timestamps). */
static void opt_note(struct tcp_info *t, const struct tcp_opt *o)
{
	struct span d = span_make(o->data, o->ndata);
	unsigned i;

	if (o->end != OPT_END_OK)
		return;
	switch (o->kind) {
	case TCPOPT_MSS:
		t->has_mss = span_be16(d, 0, &t->mss);
		break;
	case TCPOPT_WSCALE:
		t->has_wscale = span_u8(d, 0, &t->wscale);
		break;
	case TCPOPT_SACKOK:
		t->has_sackok = true;
		break;
	case TCPOPT_TIMESTAMP:
		t->has_ts = span_be32(d, 0, &t->ts_val) && span_be32(d, 4, &t->ts_ecr);
		break;
	case TCPOPT_SACK:
		for (i = 0; i + 8 <= o->ndata && t->nsack < 4; i += 8) {
			span_be32(d, i, &t->sack[t->nsack][0]);
			span_be32(d, i + 4, &t->sack[t->nsack][1]);
			t->nsack++;
		}
		break;
	default:
		break;
	}
}

static void decode_tcp_options(struct span cap, uint32_t hlen, struct tcp_info *t)
{
	struct opt_walk w = {cap, 20, hlen - 20};

	t->opts_end = OPT_END_OK;
	while (w.left > 0 && t->nopts < TCP_MAX_OPTS) {
		struct tcp_opt *o = &t->opts[t->nopts];
		uint8_t kind, len;

		memset(o, 0, sizeof(*o));
		if (!span_u8(cap, w.at, &kind)) {
			t->opts_end = OPT_END_TRUNC;
			return;
		}
		w.at++;
		o->kind = kind;
		if (kind == TCPOPT_EOL || kind == TCPOPT_NOP) {
			len = 1;
		} else {
			if (!span_u8(cap, w.at, &len)) {
				t->opts_end = OPT_END_TRUNC;
				return;
			}
			w.at++;
			if (len < 2 || len > w.left) {
				t->opts_end = OPT_END_BAD;
				return;
			}
			w.left--;
		}
		w.left--;
		o->len = len;
		o->data = cap.data + (w.at <= cap.len ? w.at : cap.len);
		opt_measure(&w, o);
		t->nopts++;
		if (o->end != OPT_END_OK) {
			t->opts_end = o->end;
			return;
		}
		opt_note(t, o);
		/* tcpdump advances by what this kind consumed, not by len. */
		w.at += o->datalen;
		w.left -= o->datalen;
		if (kind == TCPOPT_EOL)
			return;
	}
}

void decode_tcp(struct span cap, uint32_t length, const struct decode_opts *opts,
		struct packet *p)
{
	struct tcp_info *t = &p->tcp;
	uint8_t off;

	(void)opts;
	t->length = length;
	if (!span_be16(cap, 0, &t->sport) || !span_be16(cap, 2, &t->dport)) {
		p->stop = STOP_TCP_TRUNC_PORTS;
		return;
	}
	if (!span_has(cap, 0, 20)) {
		p->stop = STOP_TCP_TRUNC_HDR;
		return;
	}
	span_be32(cap, 4, &t->seq);
	span_be32(cap, 8, &t->ack);
	span_u8(cap, 12, &off);
	span_u8(cap, 13, &t->flags);
	span_be16(cap, 14, &t->win);
	span_be16(cap, 16, &t->sum);
	span_be16(cap, 18, &t->urp);
	t->hlen = (uint8_t)((off >> 4) * 4);
	if (t->hlen < 20) {
		p->stop = STOP_TCP_HLEN_SHORT;
		return;
	}
	if (t->hlen > length) {
		p->stop = STOP_TCP_HLEN_LONG;
		return;
	}
	t->paylen = length - t->hlen;
	t->payload = span_sub(cap, t->hlen, t->paylen);
	t->rest = span_sub(cap, 20, length - 20u);
	decode_tcp_options(cap, t->hlen, t);
	p->stop = STOP_NONE;
}
