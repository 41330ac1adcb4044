/* sbuf.h - a bounded line builder: appends that never write past the buffer. */
#ifndef TCPNOTE_SBUF_H
#define TCPNOTE_SBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Output lines are built here and written with one fwrite. An append that
 * does not fit is cut and `overflow` set, so a hostile packet can make a line
 * shorter, never make tcpnote write outside it.
 */
struct sbuf {
	char *buf;
	size_t cap;
	size_t len;
	int overflow;
};

void sbuf_init(struct sbuf *s, char *buf, size_t cap);

/* End the line with '\n' (cutting its last byte when full; cap must be 2 or more); its length. */
size_t sbuf_end_line(struct sbuf *s);

/* Append n bytes of str: as many as fit before the terminating NUL, the rest cut. */
static inline void sbuf_putn(struct sbuf *s, const char *str, size_t n)
{
	if (s->len + n >= s->cap) {
		s->overflow = 1;
		n = s->cap > s->len + 1 ? s->cap - s->len - 1 : 0;
	}
	memcpy(s->buf + s->len, str, n);
	s->len += n;
	if (s->cap > 0)
		s->buf[s->len] = '\0';
}

static inline void sbuf_putc(struct sbuf *s, char c)
{
	if (s->len + 1 >= s->cap) {
		s->overflow = 1;
		return;
	}
	s->buf[s->len++] = c;
	s->buf[s->len] = '\0';
}

/*
 * Inline so that the length of a string literal, the common argument, is
 * worked out by the compiler rather than by strlen on every line.
 */
static inline void sbuf_puts(struct sbuf *s, const char *str)
{
	sbuf_putn(s, str, strlen(str));
}
/*
 * Append at most max bytes of str, with anything that is not printable ASCII
 * (control bytes, ESC, bytes >= 0x7f) written as \xNN, so text that did not
 * come from tcpnote cannot move the cursor or recolour a terminal.
 */
void sbuf_put_safe(struct sbuf *s, const char *str, size_t max);

/*
 * Append at most max bytes of str as the inside of a JSON string: quote,
 * backslash and control bytes escaped, and bytes >= 0x7f written as \u00NN
 * (so foreign bytes never make the line invalid UTF-8).
 */
void sbuf_put_json(struct sbuf *s, const char *str, size_t max);

/* Append v in decimal, at least width digits (zero-padded): printf's %0*llu, without printf. */
void sbuf_put_uint(struct sbuf *s, uint64_t v, unsigned width);

/* Append v as two digits (zero-padded), or all of its digits when it has more. */
void sbuf_put_2digits(struct sbuf *s, unsigned v);

/* Append an IPv4 address in dotted-quad form (inet_ntop's text, without its sprintf). */
void sbuf_put_ipv4(struct sbuf *s, const uint8_t a[4]);

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

#endif
