/* diagram.c - keeps the packets of connections to be drawn, with tcpdump-style relative numbers. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/diagram.h"
#include "tcpnote/track.h"

void diag_conn_init(struct diag_conn *d, uint64_t id, const struct conn_endpoints *ep)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->ep = *ep;
}

void diag_conn_free(struct diag_conn *d)
{
	free(d->ev);
	free(d->pool);
	memset(d, 0, sizeof(*d));
}

/* Append text and its NUL to the pool; the offset + 1, or 0 when out of memory. */
static uint32_t pool_add(struct diag_conn *d, const char *text)
{
	size_t n = strlen(text) + 1, at = d->pool_len;

	if (d->pool_len + n > UINT32_MAX - 1)
		return 0;
	if (d->pool_len + n > d->pool_cap) {
		size_t ncap = d->pool_cap ? d->pool_cap * 2 : 256;
		char *np;

		while (ncap < d->pool_len + n)
			ncap *= 2;
		np = realloc(d->pool, ncap);
		if (np == NULL)
			return 0;
		d->pool = np;
		d->pool_cap = ncap;
	}
	memcpy(d->pool + at, text, n);
	d->pool_len += n;
	return (uint32_t)at + 1;
}

/* The hints of a packet as one text, "tls server hello ..., tls change cipher spec". */
static uint32_t hint_text(struct diag_conn *d, const struct app_hints *h)
{
	char text[1024], one[APP_HINT_TEXT_MAX];
	size_t len = 0;
	uint32_t bits = h->bits;
	enum app_hint_kind k;

	text[0] = '\0';
	while ((k = app_hints_next(&bits)) != APP_HINT_COUNT) {
		size_t n;

		app_hint_format(h, k, one, sizeof(one));
		n = strlen(one);
		if (len + n + 3 >= sizeof(text))
			break;
		if (len > 0) {
			memcpy(text + len, ", ", 2);
			len += 2;
		}
		memcpy(text + len, one, n + 1);
		len += n;
	}
	return len > 0 ? pool_add(d, text) : 0;
}

bool diag_conn_add(struct diag_conn *d, const struct packet *p, int role, const bool isn_valid[2],
		   const uint32_t isn[2], int win_shift, const struct labels *l,
		   const struct app_hints *h)
{
	const struct tcp_info *t = &p->tcp;
	struct diag_event *e;
	int r;

	if (d->n >= DIAG_MAX_EVENTS) {
		d->truncated = true;
		return true;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		struct diag_event *ne;

		if (ncap > DIAG_MAX_EVENTS)
			ncap = DIAG_MAX_EVENTS;
		ne = realloc(d->ev, ncap * sizeof(*ne));
		if (ne == NULL)
			return false;
		d->ev = ne;
		d->cap = ncap;
	}
	/* Each side's base: its ISN once known, else one below the first number seen from or of it. */
	for (r = 0; r < 2; r++) {
		if (isn_valid[r]) {
			d->base[r] = isn[r];
			d->have_base[r] = true;
		}
	}
	if (!d->have_base[role]) {
		d->base[role] = t->seq - ((t->flags & TCPF_SYN) ? 0u : 1u);
		d->have_base[role] = true;
	}
	if (!d->have_base[!role] && (t->flags & TCPF_ACK)) {
		d->base[!role] = t->ack - 1;
		d->have_base[!role] = true;
	}
	e = &d->ev[d->n++];
	memset(e, 0, sizeof(*e));
	e->t_ns = packet_time_ns(p);
	e->seq = t->seq - d->base[role];
	e->ack = (t->flags & TCPF_ACK) ? t->ack - d->base[!role] : 0;
	e->len = p->stop == STOP_NONE ? t->paylen : 0;
	e->win = t->win;
	if (!(t->flags & TCPF_SYN) && win_shift > 0)
		e->win = (uint32_t)t->win << win_shift;
	e->labels = l->bits;
	e->dup_ack = l->dup_ack > UINT16_MAX ? UINT16_MAX : (uint16_t)l->dup_ack;
	e->flags = t->flags;
	e->role = (uint8_t)role;
	if (h != NULL && h->bits != 0)
		e->hint = hint_text(d, h);
	return true;
}

const char *diag_event_hint(const struct diag_conn *d, const struct diag_event *e)
{
	return e->hint != 0 && e->hint - 1 < d->pool_len ? d->pool + e->hint - 1 : NULL;
}
