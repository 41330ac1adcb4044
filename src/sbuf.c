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

void sbuf_putc(struct sbuf *s, char c)
{
	if (s->len + 1 >= s->cap) {
		s->overflow = 1;
		return;
	}
	s->buf[s->len++] = c;
	s->buf[s->len] = '\0';
}

void sbuf_puts(struct sbuf *s, const char *str)
{
	size_t n = strlen(str);

	if (s->len + n >= s->cap) {
		s->overflow = 1;
		n = s->cap > s->len + 1 ? s->cap - s->len - 1 : 0;
	}
	memcpy(s->buf + s->len, str, n);
	s->len += n;
	if (s->cap > 0)
		s->buf[s->len] = '\0';
}

void sbuf_put_uint(struct sbuf *s, uint64_t v, unsigned width)
{
	char tmp[24], out[24];
	size_t n = 0, i;

	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";

	/* Two digits per division, from a table: the line's hot loop. */
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		tmp[n++] = pairs[d + 1];
		tmp[n++] = pairs[d];
		v /= 100;
	}
	if (v >= 10) {
		tmp[n++] = pairs[v * 2 + 1];
		tmp[n++] = pairs[v * 2];
	} else {
		tmp[n++] = (char)('0' + v);
	}
	while (n < width && n < sizeof(tmp) - 1)
		tmp[n++] = '0';
	if (s->len + n < s->cap) {
		/* The common case: it fits, write the digits in place. */
		while (n > 0)
			s->buf[s->len++] = tmp[--n];
		s->buf[s->len] = '\0';
		return;
	}
	/* Cut like every other append: the first digits that fit. */
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	sbuf_puts(s, out);
}

void sbuf_put_ipv4(struct sbuf *s, const uint8_t a[4])
{
	sbuf_put_uint(s, a[0], 0);
	sbuf_putc(s, '.');
	sbuf_put_uint(s, a[1], 0);
	sbuf_putc(s, '.');
	sbuf_put_uint(s, a[2], 0);
	sbuf_putc(s, '.');
	sbuf_put_uint(s, a[3], 0);
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
