/* sbuf.c - the bounded line builder behind every printed line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/sbuf.h"

void sbuf_init(struct sbuf *s, char *buf, size_t cap)
{
	s->buf = buf;
	s->cap = cap;
	s->len = 0;
	s->overflow = 0;
	if (cap > 0)
		buf[0] = '\0';
}

size_t sbuf_end_line(struct sbuf *s)
{
	/* Room for the newline even when the line was cut. */
	if (s->len + 1 >= s->cap)
		s->len = s->cap - 2;
	s->buf[s->len++] = '\n';
	s->buf[s->len] = '\0';
	return s->len;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";

/* How many decimal digits v has. */
static unsigned decimal_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Write v's digits ending just before end, back to front; returns where they start. */
static char *digits_back(char *end, uint64_t v)
{
	char *w = end;
	uint32_t small;

	/* 32-bit divisions once the number fits: most numbers printed do from the start. */
	while (v > UINT32_MAX) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		*--w = digit_pairs[d + 1];
		*--w = digit_pairs[d];
	}
	small = (uint32_t)v;
	while (small >= 100) {
		unsigned d = (small % 100) * 2;

		small /= 100;
		*--w = digit_pairs[d + 1];
		*--w = digit_pairs[d];
	}
	if (small >= 10) {
		*--w = digit_pairs[small * 2 + 1];
		*--w = digit_pairs[small * 2];
	} else {
		*--w = (char)('0' + small);
	}
	return w;
}

void sbuf_put_uint(struct sbuf *s, uint64_t v, unsigned width)
{
	unsigned digits = decimal_digits(v), n = digits > width ? digits : width;
	char tmp[24], *start, *w;

	if (n > 20)
		n = 20; /* no caller pads that wide; a 64-bit number has at most 20 digits */
	/* The common case writes in place; one that would not fit is built aside and cut. */
	start = s->len + n < s->cap ? s->buf + s->len : tmp;
	w = digits_back(start + n, v);
	while (w > start)
		*--w = '0';
	if (start == tmp) {
		sbuf_putn(s, tmp, n);
		return;
	}
	s->len += n;
	s->buf[s->len] = '\0';
}

void sbuf_put_2digits(struct sbuf *s, unsigned v)
{
	if (v >= 100) {
		sbuf_put_uint(s, v, 2);
		return;
	}
	sbuf_putn(s, digit_pairs + v * 2, 2);
}

void sbuf_put_ipv4(struct sbuf *s, const uint8_t a[4])
{
	char text[16];
	size_t n = 0;
	unsigned i;

	for (i = 0; i < 4; i++) {
		unsigned b = a[i];

		if (b >= 100) {
			text[n++] = (char)('0' + b / 100);
			b %= 100;
			text[n++] = digit_pairs[b * 2];
			text[n++] = digit_pairs[b * 2 + 1];
		} else if (b >= 10) {
			text[n++] = digit_pairs[b * 2];
			text[n++] = digit_pairs[b * 2 + 1];
		} else {
			text[n++] = (char)('0' + b);
		}
		text[n++] = '.';
	}
	sbuf_putn(s, text, n - 1);
}

void sbuf_put_safe(struct sbuf *s, const char *str, size_t max)
{
	size_t i;

	for (i = 0; i < max && str[i] != '\0'; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			sbuf_putc(s, (char)c);
		else
			sbuf_printf(s, "\\x%02x", c);
	}
}

void sbuf_put_json(struct sbuf *s, const char *str, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < max && str[i] != '\0'; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c == '"' || c == '\\') {
			sbuf_putc(s, '\\');
			sbuf_putc(s, (char)c);
		} else if (c >= 0x20 && c < 0x7f) {
			sbuf_putc(s, (char)c);
		} else {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			sbuf_putn(s, e, sizeof(e));
		}
	}
}

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t room = s->cap - s->len;

	if (s->cap == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		s->overflow = 1;
		s->len = s->cap - 1;
	} else {
		s->len += (size_t)n;
	}
}
