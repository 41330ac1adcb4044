/* print_mptcp.c - Multipath TCP option text (RFC 8684), as tcpdump's print-mptcp.c shows it. */
#include <arpa/inet.h>
#include <inttypes.h>

#include "tcpnote/packet.h"
#include "tcpnote/print_mptcp.h"

static uint64_t be64(struct span s, size_t off)
{
	uint32_t hi = 0, lo = 0;

	span_be32(s, off, &hi);
	span_be32(s, off + 4, &lo);
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t be32(struct span s, size_t off)
{
	uint32_t v = 0;

	span_be32(s, off, &v);
	return v;
}

static uint16_t be16(struct span s, size_t off)
{
	uint16_t v = 0;

	span_be16(s, off, &v);
	return v;
}

static uint8_t u8(struct span s, size_t off)
{
	uint8_t v = 0;

	span_u8(s, off, &v);
	return v;
}

static bool mp_capable(struct sbuf *out, struct span o, unsigned len, uint8_t flags)
{
	unsigned version;

	if (!((len == 12 || len == 4) && (flags & TCPF_SYN)) &&
	    !((len == 20 || len == 22) && (flags & (TCPF_SYN | TCPF_ACK)) == TCPF_ACK))
		return false;
	version = u8(o, 2) & 0xf;
	if (version > 1) {
		sbuf_printf(out, " Unknown Version (%u)", version);
		return true;
	}
	sbuf_printf(out, " v%u", version);
	if (u8(o, 3) & 0x80)
		sbuf_puts(out, " csum");
	if (len == 12 || len >= 20) {
		sbuf_printf(out, " {0x%" PRIx64, be64(o, 4));
		if (len >= 20)
			sbuf_printf(out, ",0x%" PRIx64, be64(o, 12));
		sbuf_putc(out, '}');
	}
	return true;
}

static bool mp_join(struct sbuf *out, struct span o, unsigned len, uint8_t flags)
{
	unsigned i;

	if (!(len == 12 && (flags & TCPF_SYN)) &&
	    !(len == 16 && (flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK)) &&
	    !(len == 24 && (flags & TCPF_ACK)))
		return false;
	if (len != 24) {
		if (u8(o, 2) & 1)
			sbuf_puts(out, " backup");
		sbuf_printf(out, " id %u", u8(o, 3));
	}
	if (len == 12) {
		sbuf_printf(out, " token 0x%x nonce 0x%x", be32(o, 4), be32(o, 8));
	} else if (len == 16) {
		sbuf_printf(out, " hmac 0x%" PRIx64 " nonce 0x%x", be64(o, 4), be32(o, 12));
	} else {
		sbuf_puts(out, " hmac 0x");
		for (i = 0; i < 20; i++)
			sbuf_printf(out, "%02x", u8(o, 4 + i));
	}
	return true;
}

/* A DSS data ack or sequence number: 8 bytes when its flag says so, else 4. */
static bool dss_number(struct sbuf *out, struct span o, bool wide, unsigned *at, unsigned *left)
{
	unsigned n = wide ? 8 : 4;

	if (*left < n)
		return false;
	if (wide)
		sbuf_printf(out, "%" PRIu64, be64(o, *at));
	else
		sbuf_printf(out, "%u", be32(o, *at));
	*at += n;
	*left -= n;
	return true;
}

static bool mp_dss(struct sbuf *out, struct span o, unsigned len, uint8_t flags)
{
	unsigned at = 4, left;
	uint8_t f;

	if (len < 4 || (flags & TCPF_SYN))
		return false;
	f = u8(o, 3);
	left = len - 4;
	if (f & 0x10)
		sbuf_puts(out, " fin");
	if (f & 0x01) {
		sbuf_puts(out, " ack ");
		if (!dss_number(out, o, (f & 0x02) != 0, &at, &left))
			return false;
	}
	if (f & 0x04) {
		sbuf_puts(out, " seq ");
		if (!dss_number(out, o, (f & 0x08) != 0, &at, &left))
			return false;
		if (left < 4)
			return false;
		sbuf_printf(out, " subseq %u", be32(o, at));
		at += 4;
		left -= 4;
		if (left < 2)
			return false;
		sbuf_printf(out, " len %u", be16(o, at));
		at += 2;
		left -= 2;
		if (left >= 2) {
			sbuf_printf(out, " csum 0x%x", be16(o, at));
			left -= 2;
		}
	}
	return left == 0;
}

static bool mp_add_addr(struct sbuf *out, struct names *names, struct span o, unsigned len)
{
	static const char *const echo[16] = {[0] = "v1", [1] = "v1-echo", [4] = "v0-ip4",
					     [6] = "v0-ip6"};
	const char *e = echo[u8(o, 2) & 0xf];

	if (!(len == 8 || len == 10 || len == 16 || len == 18 || len == 20 || len == 22 ||
	      len == 28 || len == 30))
		return false;
	sbuf_printf(out, " %s", e != NULL ? e : "[bad version/echo]");
	sbuf_printf(out, " id %u", u8(o, 3));
	if (len <= 18) {
		sbuf_putc(out, ' ');
		names_put_host(names, out, AF_INET, o.data + 4);
		if (len == 10 || len == 18)
			sbuf_printf(out, ":%u", be16(o, 8));
		if (len == 16)
			sbuf_printf(out, " hmac 0x%" PRIx64, be64(o, 8));
		if (len == 18)
			sbuf_printf(out, " hmac 0x%" PRIx64, be64(o, 10));
	} else {
		sbuf_putc(out, ' ');
		names_put_host(names, out, AF_INET6, o.data + 4);
		if (len == 22 || len == 30)
			sbuf_printf(out, ":%u", be16(o, 20));
		if (len == 28)
			sbuf_printf(out, " hmac 0x%" PRIx64, be64(o, 20));
		if (len == 30)
			sbuf_printf(out, " hmac 0x%" PRIx64, be64(o, 22));
	}
	return true;
}

bool print_mptcp_option(struct sbuf *out, struct names *names, const uint8_t *opt, unsigned len,
			uint8_t flags)
{
	static const char *const subtype[9] = {"capable", "join", "dss",        "add-addr", "rem-addr",
					       "prio",    "fail", "fast-close", "unknown"};
	struct span o = span_make(opt, len);
	unsigned sub, i;

	if (len < 3)
		return false;
	sub = u8(o, 2) >> 4;
	if (sub > 8)
		sub = 8;
	sbuf_printf(out, " %u %s", len, subtype[sub]);
	switch (sub) {
	case 0:
		return mp_capable(out, o, len, flags);
	case 1:
		return mp_join(out, o, len, flags);
	case 2:
		return mp_dss(out, o, len, flags);
	case 3:
		return mp_add_addr(out, names, o, len);
	case 4:
		if (len < 4)
			return false;
		sbuf_puts(out, " id");
		for (i = 3; i < len; i++)
			sbuf_printf(out, " %u", u8(o, i));
		return true;
	case 5:
		if (len != 3 && len != 4)
			return false;
		sbuf_puts(out, (u8(o, 2) & 1) ? " backup" : " non-backup");
		if (len == 4)
			sbuf_printf(out, " id %u", u8(o, 3));
		return true;
	case 6:
		if (len != 12)
			return false;
		sbuf_printf(out, " seq %" PRIu64, be64(o, 4));
		return true;
	case 7:
		if (len != 12)
			return false;
		sbuf_printf(out, " key 0x%" PRIx64, be64(o, 4));
		return true;
	default:
		return true;
	}
}
