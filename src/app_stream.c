/* app_stream.c - one direction's bytes in sequence order for the hint parsers, and their bounded buffer. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/seq.h"

/*
 * Only in-order bytes are passed on: a retransmission or an overlap gives
 * just its new tail, and a segment past the next expected byte is left to
 * the caller (TLS holds it until the gap fills; HTTP jumps).
 * Every comparison goes through seq.h, so the stream may wrap 2^32.
 */
enum app_accept app_stream_accept(struct app_stream *s, uint32_t seq, size_t len, size_t *skip)
{
	uint32_t end = seq + (uint32_t)len;
	uint32_t old;

	*skip = 0;
	if (len == 0)
		return APP_ACCEPT_OLD;
	if (!s->anchored) {
		s->next = seq;
		s->anchored = true;
	}
	if (seq_gt(seq, s->next))
		return APP_ACCEPT_GAP;
	if (seq_leq(end, s->next))
		return APP_ACCEPT_OLD;
	old = s->next - seq;
	*skip = old;
	s->offset += (uint32_t)len - old;
	s->next = end;
	return APP_ACCEPT_NEW;
}

void app_stream_jump(struct app_stream *s, uint32_t seq, size_t len)
{
	s->offset += (uint32_t)(seq - s->next) + len;
	s->next = seq + (uint32_t)len;
}

size_t app_buf_append(struct app_buf *b, const uint8_t *src, size_t n)
{
	size_t room;

	if (b->closed)
		return 0;
	if (b->data == NULL) {
		b->data = malloc(APP_STREAM_MAX);
		if (b->data == NULL) {
			b->closed = true;
			return 0;
		}
	}
	room = APP_STREAM_MAX - b->len;
	if (n > room)
		n = room;
	memcpy(b->data + b->len, src, n);
	b->len += (uint32_t)n;
	return n;
}

void app_buf_consume(struct app_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= (uint32_t)n;
}

void app_buf_close(struct app_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->closed = true;
}
