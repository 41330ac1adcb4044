/* fixtures.c - shared by the unit tests: packet builders, addresses, frames, case names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/app_hints.h"
#include "tcpnote/flow.h"

const uint8_t addr4_1[4] = {10, 0, 0, 1}, addr4_2[4] = {10, 0, 0, 2};
const uint8_t addr6_1[16] = {ADDR6_DB8(1)}, addr6_2[16] = {ADDR6_DB8(2)};

static void make_packet(struct packet *p, uint8_t version, uint8_t addrlen, const uint8_t *src,
			uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	memset(p, 0, sizeof(*p));
	p->stop = STOP_NONE;
	p->ip.head.version = version;
	p->ip.head.addrlen = addrlen;
	memcpy(p->ip.head.src, src, addrlen);
	memcpy(p->ip.head.dst, dst, addrlen);
	p->tcp.sport = sport;
	p->tcp.dport = dport;
}

void make_packet4(struct packet *p, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		  uint16_t dport)
{
	make_packet(p, 4, 4, src, sport, dst, dport);
}

void make_packet6(struct packet *p, const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
		  uint16_t dport)
{
	make_packet(p, 6, 16, src, sport, dst, dport);
}

void set_tcp(struct packet *p, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t paylen,
	     uint16_t win)
{
	p->tcp.flags = flags;
	p->tcp.seq = seq;
	p->tcp.ack = ack;
	p->tcp.win = win;
	p->tcp.hlen = 20;
	p->tcp.length = 20 + paylen;
	p->tcp.paylen = paylen;
}

void make_segment4(struct packet *p, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		   uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t paylen,
		   uint16_t win)
{
	make_packet4(p, src, sport, dst, dport);
	set_tcp(p, flags, seq, ack, paylen, win);
}

void conv_init(struct conv *v, const uint8_t cli[4], uint16_t cport, const uint8_t srv[4],
	       uint16_t sport)
{
	memset(v, 0, sizeof(*v));
	memset(&v->c, 0xa5, sizeof(v->c)); /* the tracker must initialise a new record itself */
	v->version = 4;
	memcpy(v->addr[CONV_CLI], cli, 4);
	memcpy(v->addr[CONV_SRV], srv, 4);
	v->port[CONV_CLI] = cport;
	v->port[CONV_SRV] = sport;
}

void conv_default(struct conv *v)
{
	conv_init(v, addr4_1, 40000, addr4_2, 80);
}

void conv_default6(struct conv *v)
{
	conv_init(v, addr4_1, 40000, addr4_2, 80);
	v->version = 6;
	memcpy(v->addr[CONV_CLI], addr6_1, 16);
	memcpy(v->addr[CONV_SRV], addr6_2, 16);
}

void conv_free(struct conv *v)
{
	if (v->started)
		summary_release(&v->c.sum);
}

void conv_build(struct conv *v, struct packet *p, enum conv_who from, uint8_t flags, uint32_t seq,
		uint32_t ack, uint32_t len, uint16_t win)
{
	if (v->version == 6) {
		make_packet6(p, v->addr[from], v->port[from], v->addr[!from], v->port[!from]);
		set_tcp(p, flags, seq, ack, len, win);
	} else {
		make_segment4(p, v->addr[from], v->port[from], v->addr[!from], v->port[!from], flags,
			      seq, ack, len, win);
		/* Each segment a new IP datagram, as a real stack sends it. */
		p->ip.head.id = ++v->ip_id;
	}
	p->ts_sec = v->now_us / 1000000;
	p->ts_frac = (uint32_t)(v->now_us % 1000000);
}

const char *conv_send(struct conv *v, const struct packet *p)
{
	struct flow_key k;
	bool from_lo;
	size_t n;

	flow_key_of(p, &k, &from_lo);
	v->last.bits = 0;
	track_conn_segment(&v->c, !v->started, from_lo, p, &v->last);
	v->started = true;
	n = labels_format(&v->last, v->text, sizeof(v->text));
	assert_int_equal(n, strlen(v->text));
	return v->text;
}

const char *seg(struct conv *v, enum conv_who from, uint8_t flags, uint32_t seq, uint32_t ack,
		uint32_t len, uint16_t win)
{
	struct packet p;

	conv_build(v, &p, from, flags, seq, ack, len, win);
	return conv_send(v, &p);
}

/* IPv6: version 6, payload length, next header, hop limit 64, 2001:db8::1 > 2001:db8::2. */
#define IP6_1_TO_2(plen, next) \
	0x60, 0x00, 0x00, 0x00, 0x00, (plen), (next), 0x40, ADDR6_DB8(1), ADDR6_DB8(2)

const uint8_t f_raw6_hbh[] = {
	/* IPv6: plen 30, next hop-by-hop */
	IP6_1_TO_2(0x1e, 0x00),
	/* hop-by-hop: next TCP, len 0 (8 bytes), PadN */
	0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	/* TCP: 50000 > 443, seq 0x101, ack 0xfffffff1, off 5, PSH|ACK, win 512 */
	0xc3, 0x50, 0x01, 0xbb, 0x00, 0x00, 0x01, 0x01, 0xff, 0xff, 0xff, 0xf1,
	0x50, 0x18, 0x02, 0x00, 0x23, 0xee, 0x00, 0x00,
	/* payload "hi" */
	0x68, 0x69,
};

const uint8_t f_raw6_frag[] = {
	/* IPv6: plen 32, next fragment */
	IP6_1_TO_2(0x20, 0x2c),
	/* fragment: next TCP, offset 0, M=1, id 0x12345678 */
	0x06, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
	/* TCP: 50000 > 443, seq 0x103, ack 0xfffffff1, off 5, PSH|ACK, win 512 */
	0xc3, 0x50, 0x01, 0xbb, 0x00, 0x00, 0x01, 0x03, 0xff, 0xff, 0xff, 0xf1,
	0x50, 0x18, 0x02, 0x00, 0xc4, 0x79, 0x00, 0x00,
	/* payload "frag" */
	0x66, 0x72, 0x61, 0x67,
};

uint32_t sum16(uint32_t sum, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

uint16_t fold_not(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static char current_case[256];

void case_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(current_case, sizeof(current_case), fmt, ap);
	va_end(ap);
}

void case_end(void)
{
	current_case[0] = '\0';
}

int case_teardown(void **state)
{
	(void)state;
	if (current_case[0] != '\0')
		print_error("[  CASE    ] --- failed in case: %s\n", current_case);
	case_end();
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

		assert_true(hi >= 0 && lo >= 0);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
}

/* ------------------------------------------------------------------ */
/* Application hints */

const char *hints_text(const struct app_hints *h)
{
	static char text[1024];
	char one[512];
	uint32_t b = h->bits;
	enum app_hint_kind k;
	size_t used = 0;

	text[0] = '\0';
	while ((k = app_hints_next(&b)) != APP_HINT_COUNT) {
		size_t n = app_hint_format(h, k, one, sizeof(one));

		assert_true(n < sizeof(one));
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s",
					 used > 0 ? ", " : "", one);
		assert_true(used < sizeof(text));
	}
	return text;
}
