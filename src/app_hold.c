/* app_hold.c - a TLS direction's segments past a gap, held (one record's worth at most) until the gap fills. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/seq.h"

/*
 * A ring of APP_HOLD_MAX bytes: the byte at stream offset o is kept in
 * data[o % APP_HOLD_MAX]. Every held byte lies within APP_HOLD_MAX bytes of
 * the next expected one, so no two of them share a slot. The ranges say
 * which bytes are held: sorted, disjoint and not touching, in stream
 * offsets (which do not wrap, unlike sequence numbers).
 */
struct app_hold {
	uint8_t n; /* ranges in use */
	struct {
		uint64_t lo, hi; /* [lo, hi) */
	} r[APP_HOLD_RANGES];
	uint8_t data[APP_HOLD_MAX];
};

/* Copy n bytes (n <= APP_HOLD_MAX) to stream offset off in the ring. */
static void ring_copy(struct app_hold *h, uint64_t off, const uint8_t *src, size_t n)
{
	size_t at = (size_t)(off % APP_HOLD_MAX), first = APP_HOLD_MAX - at;

	if (first > n)
		first = n;
	memcpy(h->data + at, src, first);
	memcpy(h->data, src + first, n - first);
}

/*
 * A later copy of a held byte replaces the earlier one: a retransmission
 * carries the same bytes, and either way each byte is passed on once.
 */
bool app_hold_put(struct app_hold **hp, const struct app_stream *s, uint32_t seq,
		  struct span data)
{
	struct app_hold *h = *hp;
	uint64_t lo = s->offset + (uint32_t)(seq - s->next), hi = lo + data.len;
	size_t i, j;

	if (data.len == 0)
		return true;
	if (!s->anchored || !seq_gt(seq, s->next) || hi - s->offset > APP_HOLD_MAX)
		return false;
	if (h == NULL) {
		if ((h = malloc(sizeof(*h))) == NULL)
			return false;
		h->n = 0;
		*hp = h;
	}
	/* Ranges i..j-1 overlap or touch [lo, hi): they become one with it. */
	for (i = 0; i < h->n && h->r[i].hi < lo; i++)
		;
	for (j = i; j < h->n && h->r[j].lo <= hi; j++)
		;
	if (i == j && h->n == APP_HOLD_RANGES)
		return false;
	ring_copy(h, lo, data.data, data.len);
	if (i < j) {
		if (h->r[i].lo < lo)
			lo = h->r[i].lo;
		if (h->r[j - 1].hi > hi)
			hi = h->r[j - 1].hi;
	}
	memmove(&h->r[i + 1], &h->r[j], (h->n - j) * sizeof(h->r[0]));
	h->n = (uint8_t)(h->n - (j - i) + 1);
	h->r[i].lo = lo;
	h->r[i].hi = hi;
	return true;
}

bool app_hold_take(struct app_hold **hp, struct app_stream *s, struct span *piece,
		   uint64_t *off)
{
	struct app_hold *h = *hp;
	size_t at, n;

	if (h == NULL)
		return false;
	/* What the stream has already passed (it came again, in order) is dropped. */
	while (h->n > 0 && h->r[0].hi <= s->offset) {
		memmove(&h->r[0], &h->r[1], (size_t)(h->n - 1) * sizeof(h->r[0]));
		h->n--;
	}
	if (h->n == 0) {
		app_hold_free(hp);
		return false;
	}
	if (h->r[0].lo > s->offset)
		return false; /* a gap is still open before it */
	at = (size_t)(s->offset % APP_HOLD_MAX);
	n = APP_HOLD_MAX - at;
	if (n > h->r[0].hi - s->offset)
		n = (size_t)(h->r[0].hi - s->offset);
	*piece = span_make(h->data + at, n);
	*off = s->offset;
	s->offset += n;
	s->next += (uint32_t)n;
	return true;
}

bool app_hold_pending(const struct app_hold *h)
{
	return h != NULL && h->n > 0;
}

void app_hold_free(struct app_hold **hp)
{
	free(*hp);
	*hp = NULL;
}
