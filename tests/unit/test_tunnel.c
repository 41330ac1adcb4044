/* test_tunnel.c - decapsulation (decode_tunnel.c): each layer decoded, malformed layers skipped, the depth bound, tunnel identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/decode.h"
#include "tcpnote/flow.h"

#define MAXF 512

/* A frame under construction: bytes are prepended, innermost first. */
struct frame {
	uint8_t b[MAXF];
	size_t start; /* the frame is b[start..MAXF) */
};

static size_t flen(const struct frame *f)
{
	return MAXF - f->start;
}

static uint8_t *frame_data(struct frame *f)
{
	return f->b + f->start;
}

static void push(struct frame *f, const uint8_t *h, size_t n)
{
	assert_true(n <= f->start);
	f->start -= n;
	memcpy(f->b + f->start, h, n);
}

static void put16(uint8_t *d, uint16_t v)
{
	d[0] = (uint8_t)(v >> 8);
	d[1] = (uint8_t)v;
}

static void put32(uint8_t *d, uint32_t v)
{
	put16(d, (uint16_t)(v >> 16));
	put16(d + 2, (uint16_t)v);
}

/* An IPv4 header (no options) with protocol proto over what the frame holds. */
static void push_ip4(struct frame *f, uint8_t proto, uint8_t a, uint8_t b)
{
	uint8_t h[20] = {0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, a, 10, 0, 0, b};

	put16(h + 2, (uint16_t)(flen(f) + 20));
	push(f, h, sizeof(h));
}

static void push_ip6(struct frame *f, uint8_t nxt)
{
	uint8_t h[40] = {0x60, 0, 0, 0, 0, 0, nxt, 64};

	put16(h + 4, (uint16_t)flen(f));
	h[8] = 0x20;
	h[23] = 1;
	h[24] = 0x20;
	h[39] = 2;
	push(f, h, sizeof(h));
}

/* The inner packet: 10.0.0.1:1234 > 10.0.0.2:80, SYN, 20-byte header. */
static void inner_tcp4(struct frame *f)
{
	uint8_t t[20] = {0x04, 0xd2, 0, 80, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0};

	f->start = MAXF;
	push(f, t, sizeof(t));
	push_ip4(f, 6, 1, 2);
}

static void push_gre(struct frame *f, uint16_t flags, uint16_t proto, uint32_t key, uint32_t seq)
{
	uint8_t h[12];
	size_t n = 4;

	put16(h, flags);
	put16(h + 2, proto);
	if (flags & 0x2000) {
		put32(h + n, key);
		n += 4;
	}
	if (flags & 0x1000) {
		put32(h + n, seq);
		n += 4;
	}
	push(f, h, n);
}

static void push_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t h[8] = {0};

	put16(h, sport);
	put16(h + 2, dport);
	put16(h + 4, (uint16_t)(flen(f) + 8));
	push(f, h, sizeof(h));
}

static void push_ether(struct frame *f, uint16_t type)
{
	uint8_t h[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

	put16(h + 12, type);
	push(f, h, sizeof(h));
}

static void push_vxlan(struct frame *f, uint32_t vni)
{
	uint8_t h[8] = {0x08};

	put32(h + 4, vni << 8);
	push(f, h, sizeof(h));
}

static void push_mpls(struct frame *f, uint32_t label, bool bottom)
{
	uint8_t h[4];

	put32(h, (label << 12) | (bottom ? 0x100u : 0u) | 63u);
	push(f, h, sizeof(h));
}

/* A PPPoE session header (version 1, type 1, code 0) and a two-byte PPP protocol. */
static void push_pppoe(struct frame *f, uint16_t session, uint16_t proto)
{
	uint8_t h[8] = {0x11, 0};

	put16(h + 2, session);
	put16(h + 4, (uint16_t)(flen(f) + 2));
	put16(h + 6, proto);
	push(f, h, sizeof(h));
}

/* A VLAN tag's TCI and the type after it (pushed before the Ethernet header announcing it). */
static void push_tag(struct frame *f, uint16_t vlan, uint16_t next)
{
	uint8_t h[4];

	put16(h, vlan);
	put16(h + 2, next);
	push(f, h, sizeof(h));
}

/* The inner packet over IPv6: fd..1:1234 > fd..2:80, SYN. */
static void inner_tcp6(struct frame *f)
{
	uint8_t t[20] = {0x04, 0xd2, 0, 80, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0};

	f->start = MAXF;
	push(f, t, sizeof(t));
	push_ip6(f, 6);
}

/* ERSPAN type II (version 1) or III (version 2, `last`: its final 16 bits) with session sid. */
static void push_erspan(struct frame *f, unsigned type, uint16_t sid, uint16_t last)
{
	uint8_t h[20] = {0};

	put32(h, ((type == 2 ? 1u : 2u) << 28) | sid);
	if (type == 2) {
		put32(h + 4, 77);
		push(f, h, 8);
		return;
	}
	put16(h + 10, last);
	push(f, h, (last & 1u) ? 20 : 12);
}

/* An I-TAG with I-SID isid after the customer frame's header. */
static void push_itag(struct frame *f, uint32_t isid)
{
	uint8_t h[4];

	put32(h, isid);
	push(f, h, sizeof(h));
}

/* A VN-Tag (destination VIF 7, source VIF 5) and the ethertype after it. */
static void push_vntag(struct frame *f, uint16_t next)
{
	uint8_t h[6];

	put32(h, (7u << 16) | 5u);
	put16(h + 4, next);
	push(f, h, sizeof(h));
}

/* A GTPv1-U header: flags, message type, the length of what follows 8 bytes, TEID. */
static void push_gtp(struct frame *f, uint8_t flags, uint8_t type, uint32_t teid)
{
	uint8_t h[8] = {flags, type};

	put16(h + 2, (uint16_t)flen(f));
	put32(h + 4, teid);
	push(f, h, sizeof(h));
}

static const struct decode_opts plain = {.verify_checksums = true};

static void decode(struct frame *f, struct packet *p)
{
	memset(p, 0xa5, sizeof(*p));
	decode_packet(LINK_EN10MB, frame_data(f), (uint32_t)flen(f), (uint32_t)flen(f), &plain, p);
}

/* Wrap f in IPv4 (proto, 10.0.0.9 > 10.0.0.8) and Ethernet, then decode it. */
static void decode_in_ip4(struct frame *f, uint8_t proto, struct packet *p)
{
	push_ip4(f, proto, 9, 8);
	push_ether(f, 0x0800);
	decode(f, p);
}

/* The inner SYN was reached, whole. */
static void assert_inner(const struct packet *p)
{
	assert_int_equal(p->stop, STOP_NONE);
	assert_int_equal(p->ip.head.version, 4);
	assert_int_equal(p->ip.head.src[3], 1);
	assert_int_equal(p->tcp.sport, 1234);
	assert_int_equal(p->tcp.dport, 80);
	assert_int_equal(p->tcp.flags, TCPF_SYN);
	assert_true(p->tcp.cksum_checked);
}

static void test_ipip_each_way(void **state)
{
	struct frame f;
	struct packet p;

	(void)state;
	inner_tcp4(&f);
	decode_in_ip4(&f, 4, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.depth, 1);
	assert_int_equal(p.tun.layer[0].kind, TUN_IPIP);
	assert_int_equal(p.tun.layer[0].ip.src[3], 9);
	inner_tcp4(&f);
	push_ip6(&f, 4);
	push_ether(&f, 0x86dd);
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].ip.version, 6);
}

static void test_gre_key_seq(void **state)
{
	struct frame f;
	struct packet p;

	(void)state;
	inner_tcp4(&f);
	push_gre(&f, 0x3000, 0x0800, 42, 7);
	decode_in_ip4(&f, 47, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_GRE);
	assert_int_equal(p.tun.layer[0].key, 42);
	assert_int_equal(p.tun.layer[0].seq, 7);
	assert_int_equal(p.tun.layer[0].gre_len, 12 + 40);
	assert_int_equal(p.tun.id_kind, TUN_GRE);
	assert_int_equal(p.tun.id, 42);
}

/* GRE routing present, version 1, unknown protocol: not followed, the packet is not TCP. */
static void test_gre_not_followed(void **state)
{
	static const uint16_t flags[] = {0x4000, 0x0001, 0x0000};
	static const uint16_t protos[] = {0x0800, 0x880b, 0x1234};
	struct frame f;
	struct packet p;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		inner_tcp4(&f);
		push_gre(&f, flags[i], protos[i], 0, 0);
		decode_in_ip4(&f, 47, &p);
		assert_false(packet_is_tcp(&p));
	}
}

/* GRE in GRE ...: TUN_MAX_DEPTH layers are followed, one more is not. */
static void test_depth_bound(void **state)
{
	struct frame f;
	struct packet p;
	unsigned n, i;

	(void)state;
	for (n = 1; n <= TUN_MAX_DEPTH + 2; n++) {
		inner_tcp4(&f);
		for (i = 0; i < n; i++) {
			push_gre(&f, 0x2000, 0x0800, i, 0);
			push_ip4(&f, 47, (uint8_t)(20 + i), 8);
		}
		push_ether(&f, 0x0800);
		decode(&f, &p);
		if (n <= TUN_MAX_DEPTH) {
			assert_inner(&p);
			assert_int_equal(p.tun.depth, n);
		} else {
			assert_false(packet_is_tcp(&p));
		}
	}
}

static void test_vxlan_and_quick(void **state)
{
	struct frame f;
	struct packet p;
	struct decode_opts verify = {.verify_checksums = true};

	(void)state;
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_vxlan(&f, 5001);
	push_udp(&f, 51000, 4789);
	decode_in_ip4(&f, 17, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_VXLAN);
	assert_int_equal(p.tun.layer[0].vni, 5001);
	assert_true(p.tun.layer[0].has_ether);
	assert_int_equal(p.tun.layer[0].ether_len, 54);
	assert_int_equal(p.tun.layer[0].udp_len, 8 + 8 + 54);
	/* tcpdump -q prints it as UDP (the printer's part), the connection inside is still followed */
	decode_packet(LINK_EN10MB, frame_data(&f), (uint32_t)flen(&f), (uint32_t)flen(&f), &verify, &p);
	assert_inner(&p);
	/* checksum 0 in the frame: wrong as a sum ("[no cksum]" is the printer's word for it) */
	assert_int_equal(p.tun.layer[0].udp_sum, 0);
	assert_int_equal(p.tun.layer[0].udp_ck, UDP_CK_BAD);
}

/* BCM-LI (UDP 49152): the shim's packet type says IPv4, IPv6, Ethernet or "look at the version". */
static void test_bcm_li(void **state)
{
	static const uint32_t shims[] = {0x68000001u, 0x6a000002u, 0x4e000003u};
	struct frame f;
	struct packet p;
	uint8_t shim[4];
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		inner_tcp4(&f);
		if (i == 2)
			push_ether(&f, 0x0800);
		put16(shim, (uint16_t)(shims[i] >> 16));
		put16(shim + 2, (uint16_t)shims[i]);
		push(&f, shim, sizeof(shim));
		push_udp(&f, 49152, 49153);
		decode_in_ip4(&f, 17, &p);
		assert_inner(&p);
		assert_int_equal(p.tun.layer[0].kind, TUN_BCMLI);
		assert_int_equal(p.tun.layer[0].shim, shims[i]);
		assert_int_equal(p.tun.layer[0].has_ether, i == 2);
	}
	/* an unknown packet type is no tunnel; nor is the shim sent to port 49152 (tcpdump tests the source) */
	for (i = 0; i < 2; i++) {
		inner_tcp4(&f);
		put16(shim, i == 0 ? 0x7e00 : 0x6800);
		put16(shim + 2, 1);
		push(&f, shim, sizeof(shim));
		push_udp(&f, i == 0 ? 49152 : 49153, i == 0 ? 49153 : 49152);
		decode_in_ip4(&f, 17, &p);
		assert_false(packet_is_tcp(&p));
	}
}

/* Lying lengths: a UDP length past the datagram or below 8, an IPv4 total length past the wire. */
static void test_lying_lengths(void **state)
{
	struct frame f;
	struct packet p;
	uint8_t *d;

	(void)state;
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_vxlan(&f, 1);
	push_udp(&f, 51000, 4789);
	push_ip4(&f, 17, 9, 8);
	push_ether(&f, 0x0800);
	d = frame_data(&f);
	put16(d + 14 + 20 + 4, 2000); /* UDP length */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	put16(d + 14 + 20 + 4, 7);
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	put16(d + 14 + 20 + 4, (uint16_t)(flen(&f) - 34));
	decode(&f, &p);
	assert_inner(&p);
	put16(d + 14 + 2, 1500); /* outer total length past the wire */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
}

/* Geneve: options counted, an option length past the packet not followed. */
static void test_geneve_options(void **state)
{
	struct frame f;
	struct packet p;
	uint8_t h[16] = {0x02, 0, 0x08, 0x00, 0, 0, 7, 0};

	(void)state;
	inner_tcp4(&f);
	push(&f, h, sizeof(h));
	push_udp(&f, 51000, 6081);
	decode_in_ip4(&f, 17, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_GENEVE);
	assert_int_equal(p.tun.layer[0].opt_len, 8);
	assert_int_equal(p.tun.layer[0].vni, 7);
	/* two empty options of 4 bytes each (class 0, type 0, length 0 words) */
	assert_int_equal(p.tun.layer[0].ngopts, 2);
	assert_int_equal(p.tun.layer[0].gopts[1].len, 4);
	assert_false(p.tun.layer[0].gopts[1].bad_len);
	/* the first option says 4 words: longer than the 8 bytes there are */
	frame_data(&f)[14 + 20 + 8 + 8 + 3] = 0x04;
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].ngopts, 1);
	assert_true(p.tun.layer[0].gopts[0].bad_len);
	assert_int_equal(p.tun.layer[0].gopts[0].len, 20);
	frame_data(&f)[14 + 20 + 8] = 0x3f; /* 252 bytes of options */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	frame_data(&f)[14 + 20 + 8] = 0x42; /* version 1 */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
}

/* MPLS: the bottom label and the payload's first byte; a stack without a bottom is not followed. */
static void test_mpls(void **state)
{
	struct frame f;
	struct packet p;
	unsigned i;

	(void)state;
	inner_tcp4(&f);
	push_mpls(&f, 200, true);
	push_mpls(&f, 100, false);
	push_ether(&f, 0x8847);
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].nlabels, 2);
	assert_int_equal(p.tun.id, 200);
	inner_tcp4(&f);
	for (i = 0; i < MPLS_MAX_LABELS + 1; i++)
		push_mpls(&f, 16 + i, false);
	push_ether(&f, 0x8847);
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
}

/*
 * PPPoE: the session over plain Ethernet and under QinQ; the length field
 * shorter than PPP's header, discovery codes and other PPP protocols not
 * followed; a length field past the frame clamped as tcpdump clamps it.
 */
static void test_pppoe(void **state)
{
	struct frame f;
	struct packet p;
	struct flow_key k1, k2;
	bool lo;
	uint8_t *d;

	(void)state;
	inner_tcp4(&f);
	push_pppoe(&f, 0x1234, 0x0021);
	push_ether(&f, 0x8864);
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.depth, 1);
	assert_int_equal(p.tun.layer[0].kind, TUN_PPPOE);
	assert_int_equal(p.tun.layer[0].session, 0x1234);
	assert_int_equal(p.tun.layer[0].proto, 0x0021);
	flow_key_of(&p, &k1, &lo);
	assert_int_equal(k1.tun_kind, TUN_PPPOE);
	assert_int_equal(k1.tun_id, 0x1234);
	d = frame_data(&f);
	put16(d + 14 + 4, 2000); /* length field past the frame: clamped, still decoded */
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].pppoe_len, 2000);
	put16(d + 14 + 4, (uint16_t)(flen(&f) - 22)); /* 2 bytes short: "truncated-ip - 2 bytes
							  missing!", the TCP line still printed */
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.ip.head.missing, 2);
	put16(d + 14 + 4, 1); /* shorter than PPP's protocol field */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	assert_int_equal(p.tun.depth, 0);
	put16(d + 14 + 4, (uint16_t)(flen(&f) - 20));
	d[14 + 1] = 0x09; /* PADI: discovery, no PPP */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	d[14 + 1] = 0;
	put16(d + 14 + 6, 0xc021); /* LCP */
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	put16(d + 14 + 6, 0x0021);
	d[14] = 0x22; /* version 2, type 2: tcpdump says so and goes on */
	decode(&f, &p);
	assert_inner(&p);
	/* another session, under QinQ: another connection */
	inner_tcp4(&f);
	push_pppoe(&f, 0x1235, 0x0021);
	push_tag(&f, 200, 0x8864);
	push_tag(&f, 100, 0x8100);
	push_ether(&f, 0x88a8);
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.link.ntags, 2);
	flow_key_of(&p, &k2, &lo);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
}

/*
 * JUNIPER_ETHER: the magic, the flags, the extensions' length, then Ethernet;
 * a wrong magic, frames without layer 2 and extensions past the capture are
 * not followed; every capture length is read safely.
 */
static void test_juniper_ether(void **state)
{
	static const uint8_t jnx[10] = {'M', 'G', 'C', 0x80, 0, 4, 3, 1, 1, 0};
	struct frame f;
	struct packet p;
	uint8_t *d;
	size_t n;

	(void)state;
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push(&f, jnx, sizeof(jnx));
	d = frame_data(&f);
	decode_packet(LINK_JUNIPER_ETHER, d, (uint32_t)flen(&f), (uint32_t)flen(&f), &plain, &p);
	assert_inner(&p);
	assert_int_equal(p.l3_off, 10 + 14);
	assert_int_equal(p.link.jnx_hlen, 10);
	assert_int_equal(p.link.hdr, LINK_HDR_ETHER);
	for (n = 0; n < flen(&f); n++) {
		memset(&p, 0xa5, sizeof(p));
		decode_packet(LINK_JUNIPER_ETHER, d, (uint32_t)n, (uint32_t)flen(&f), &plain, &p);
		if (n < 10 + 14)
			assert_false(packet_is_tcp(&p));
	}
	d[5] = 200; /* extensions past the capture */
	decode_packet(LINK_JUNIPER_ETHER, d, (uint32_t)flen(&f), (uint32_t)flen(&f), &plain, &p);
	assert_false(packet_is_tcp(&p));
	d[5] = 4;
	d[3] = 0x82; /* no layer 2 header: tcpdump guesses after a cookie; not followed */
	decode_packet(LINK_JUNIPER_ETHER, d, (uint32_t)flen(&f), (uint32_t)flen(&f), &plain, &p);
	assert_false(packet_is_tcp(&p));
	d[3] = 0x80;
	d[0] = 'm';
	decode_packet(LINK_JUNIPER_ETHER, d, (uint32_t)flen(&f), (uint32_t)flen(&f), &plain, &p);
	assert_false(packet_is_tcp(&p));
}

/* The inner IPv6 SYN was reached, whole. */
static void assert_inner6(const struct packet *p)
{
	assert_int_equal(p->stop, STOP_NONE);
	assert_int_equal(p->ip.head.version, 6);
	assert_int_equal(p->tcp.sport, 1234);
	assert_int_equal(p->tcp.flags, TCPF_SYN);
	assert_true(p->tcp.cksum_checked);
}

/* ERSPAN's three types under GRE over IPv4; other versions and frame types not followed. */
static void test_erspan(void **state)
{
	struct frame f;
	struct packet p;
	struct flow_key k1, k2;
	bool lo;

	(void)state;
	/* type I: GRE 0x88be without a sequence number, the frame right after */
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_gre(&f, 0, 0x88be, 0, 0);
	decode_in_ip4(&f, 47, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.depth, 2);
	assert_int_equal(p.tun.layer[1].kind, TUN_ERSPAN);
	assert_int_equal(p.tun.layer[1].erspan_type, 1);
	assert_true(p.tun.layer[1].has_ether);
	assert_int_equal(p.tun.id, ERSPAN_TYPE1_ID);
	/* type II, sessions 1 and 2: one inner 5-tuple, two connections */
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_erspan(&f, 2, 1, 0);
	push_gre(&f, 0x1000, 0x88be, 0, 9);
	decode_in_ip4(&f, 47, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[1].erspan_type, 2);
	assert_int_equal(p.tun.layer[1].erspan_hdr2, 77);
	flow_key_of(&p, &k1, &lo);
	assert_int_equal(k1.tun_kind, TUN_ERSPAN);
	assert_int_equal(k1.tun_id, 1);
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_erspan(&f, 2, 2, 0);
	push_gre(&f, 0x1000, 0x88be, 0, 9);
	decode_in_ip4(&f, 47, &p);
	flow_key_of(&p, &k2, &lo);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	/* a version 2 header under 0x88be: tcpdump's erspan-unknown-version */
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_erspan(&f, 3, 1, 0);
	push_gre(&f, 0x1000, 0x88be, 0, 9);
	decode_in_ip4(&f, 47, &p);
	assert_false(packet_is_tcp(&p));
	/* type III with the platform-specific subheader; then frame type IP (2): not followed */
	inner_tcp6(&f);
	push_ether(&f, 0x86dd);
	push_erspan(&f, 3, 1023, 1);
	push_gre(&f, 0x1000, 0x22eb, 0, 9);
	decode_in_ip4(&f, 47, &p);
	assert_inner6(&p);
	assert_int_equal(p.tun.id, 1023);
	inner_tcp6(&f);
	push_ether(&f, 0x86dd);
	push_erspan(&f, 3, 1, 2u << 10);
	push_gre(&f, 0x1000, 0x22eb, 0, 9);
	decode_in_ip4(&f, 47, &p);
	assert_false(packet_is_tcp(&p));
	/* a type III header whose O bit announces a subheader the packet does not hold */
	f.start = MAXF;
	push_erspan(&f, 3, 1, 0);
	push_gre(&f, 0x1000, 0x22eb, 0, 9);
	push_ip4(&f, 47, 9, 8);
	push_ether(&f, 0x0800);
	frame_data(&f)[14 + 20 + 8 + 11] |= 1;
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	assert_int_equal(p.tun.depth, 1);
}

/* PBB: the I-SID is the identity; a short I-TAG and nesting past the depth bound not followed. */
static void test_pbb(void **state)
{
	struct frame f;
	struct packet p;
	struct flow_key k1, k2;
	bool lo;
	unsigned n, i;

	(void)state;
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_itag(&f, 1000);
	push_tag(&f, 10, 0x88e7);
	push_ether(&f, 0x88a8);
	decode(&f, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_PBB);
	assert_true(p.tun.layer[0].has_ether);
	flow_key_of(&p, &k1, &lo);
	assert_int_equal(k1.tun_kind, TUN_PBB);
	assert_int_equal(k1.tun_id, 1000);
	inner_tcp4(&f);
	push_ether(&f, 0x0800);
	push_itag(&f, 1001);
	push_ether(&f, 0x88e7);
	decode(&f, &p);
	assert_inner(&p);
	flow_key_of(&p, &k2, &lo);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	/* the I-TAG cut: 2 bytes after the type */
	f.start = MAXF - 2;
	push_ether(&f, 0x88e7);
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	assert_int_equal(p.tun.depth, 0);
	/* PBB in PBB in ...: the depth bound */
	for (n = 1; n <= TUN_MAX_DEPTH + 1; n++) {
		inner_tcp4(&f);
		push_ether(&f, 0x0800);
		for (i = 0; i < n; i++) {
			push_itag(&f, i);
			push_ether(&f, 0x88e7);
		}
		decode(&f, &p);
		if (n <= TUN_MAX_DEPTH)
			assert_inner(&p);
		else
			assert_false(packet_is_tcp(&p));
	}
}

/* VN-Tag: the type after it followed; a cut tag not. */
static void test_vntag(void **state)
{
	struct frame f;
	struct packet p;

	(void)state;
	inner_tcp6(&f);
	push_vntag(&f, 0x86dd);
	push_ether(&f, 0x8926);
	decode(&f, &p);
	assert_inner6(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_VNTAG);
	assert_int_equal(p.tun.layer[0].proto, 0x86dd);
	assert_int_equal(p.tun.id, 0);
	f.start = MAXF - 5;
	push_ether(&f, 0x8926);
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	/* an unknown type after the tag */
	inner_tcp4(&f);
	push_vntag(&f, 0x0806);
	push_ether(&f, 0x8926);
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
}

/* Teredo: bare, with authentication and origin indication; lying lengths and IPv4 inside not followed. */
static void test_teredo(void **state)
{
	struct frame f;
	struct packet p;
	uint8_t origin[8] = {0, 0, 0x63, 0xbd, 0x3f, 0xff, 0xfd, 0xfe}; /* 40002, 192.0.2.1 */
	uint8_t auth[13] = {0, 1, 0, 0};
	uint8_t *d;

	(void)state;
	inner_tcp6(&f);
	push_udp(&f, 3544, 40000);
	decode_in_ip4(&f, 17, &p);
	assert_inner6(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_TEREDO);
	assert_false(p.tun.layer[0].teredo_auth);
	inner_tcp6(&f);
	push(&f, origin, sizeof(origin));
	push(&f, auth, sizeof(auth));
	push_udp(&f, 40000, 3544);
	decode_in_ip4(&f, 17, &p);
	assert_inner6(&p);
	assert_true(p.tun.layer[0].teredo_auth);
	assert_true(p.tun.layer[0].teredo_origin);
	assert_int_equal(p.tun.layer[0].origin_port, 40002);
	assert_int_equal(p.tun.layer[0].origin_addr[0], 192);
	assert_int_equal(p.tun.layer[0].origin_addr[3], 1);
	/* the client id length past the datagram */
	d = frame_data(&f) + 14 + 20 + 8;
	d[2] = 200;
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	/* IPv4 on port 3544 is no Teredo */
	inner_tcp4(&f);
	push_udp(&f, 3544, 40000);
	decode_in_ip4(&f, 17, &p);
	assert_false(packet_is_tcp(&p));
}

/* GTP-U: T-PDUs with and without the optional fields and extension headers; the rest stays UDP. */
static void test_gtpu(void **state)
{
	struct frame f;
	struct packet p;
	struct flow_key k1, k2;
	uint8_t opt[4] = {0, 9, 0, 0x85};
	uint8_t ext[4] = {1, 0, 9, 0};
	uint8_t *d;
	bool lo;
	unsigned i;

	(void)state;
	inner_tcp4(&f);
	push_gtp(&f, 0x30, 0xff, 1);
	push_udp(&f, 2152, 2152);
	decode_in_ip4(&f, 17, &p);
	assert_inner(&p);
	assert_int_equal(p.tun.layer[0].kind, TUN_GTPU);
	flow_key_of(&p, &k1, &lo);
	assert_int_equal(k1.tun_id, 1);
	d = frame_data(&f) + 14 + 20 + 8;
	put32(d + 4, 2);
	decode(&f, &p);
	flow_key_of(&p, &k2, &lo);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	/* an echo request (type 1) and GTP' (version 0) are not followed */
	d[1] = 1;
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	d[1] = 0xff;
	d[0] = 0x10;
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	/* the length field past the datagram */
	d[0] = 0x30;
	put16(d + 2, 400);
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	/* sequence number and one extension header (PDU session container) */
	inner_tcp6(&f);
	push(&f, ext, sizeof(ext));
	push(&f, opt, sizeof(opt));
	push_gtp(&f, 0x36, 0xff, 3);
	push_udp(&f, 2152, 2152);
	decode_in_ip4(&f, 17, &p);
	assert_inner6(&p);
	assert_int_equal(p.tun.layer[0].seq, 9);
	/* an extension header of length 0, one past the T-PDU */
	d = frame_data(&f) + 14 + 20 + 8;
	d[12] = 0;
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	d[12] = 60;
	decode(&f, &p);
	assert_false(packet_is_tcp(&p));
	/* a chain longer than the bound: every header says another follows */
	inner_tcp4(&f);
	for (i = 0; i < 9; i++) {
		ext[3] = 0x85;
		push(&f, ext, sizeof(ext));
	}
	push(&f, opt, sizeof(opt));
	push_gtp(&f, 0x34, 0xff, 3);
	push_udp(&f, 2152, 2152);
	decode_in_ip4(&f, 17, &p);
	assert_false(packet_is_tcp(&p));
}

/*
 * BCM-LI from port 49152 to Teredo's or GTP-U's port: neither of those takes the shim (its
 * first byte, 0x08, is no IPv6 version nor GTPv1 flags), so the datagram is tried as BCM-LI,
 * as print-udp.c (which knows neither port) does, and the inner SYN is reached.
 */
static void test_bcm_li_to_teredo_gtpu_port(void **state)
{
	static const uint16_t ports[] = {3544, 2152};
	uint8_t shim[4] = {0x08, 0, 0, 7}; /* packet type 4: the IP version decides */
	struct frame f;
	struct packet p;
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		inner_tcp4(&f);
		push(&f, shim, sizeof(shim));
		push_udp(&f, 49152, ports[i]);
		decode_in_ip4(&f, 17, &p);
		assert_inner(&p);
		assert_int_equal(p.tun.layer[0].kind, TUN_BCMLI);
		assert_int_equal(p.tun.layer[0].shim, 0x08000007u);
		/* the decoder that refused left nothing of its own in the layer */
		assert_false(p.tun.layer[0].teredo_auth);
		assert_int_equal(p.tun.layer[0].gtp_flags, 0);
		assert_int_equal(p.tun.layer[0].key, 0);
	}
}

/* Every capture length of every encapsulation: never a read past the captured bytes (ASan). */
static void test_every_truncation(void **state)
{
	struct frame f[11];
	struct packet p;
	uint8_t origin[8] = {0, 0, 0x63, 0xbd, 0x3f, 0xff, 0xfd, 0xfe};
	uint8_t auth[13] = {0, 1, 0, 0};
	uint8_t gtp_opt[4] = {0, 9, 0, 0x85};
	uint8_t gtp_ext[4] = {1, 0, 9, 0};
	unsigned k;
	size_t n;

	(void)state;
	for (k = 0; k < 11; k++)
		inner_tcp4(&f[k]);
	push_ether(&f[6], 0x0800);
	push_erspan(&f[6], 3, 3, 1);
	push_gre(&f[6], 0x1000, 0x22eb, 0, 1);
	push_ip4(&f[6], 47, 9, 8);
	push_ether(&f[6], 0x0800);
	push_ether(&f[7], 0x0800);
	push_itag(&f[7], 1000);
	push_ether(&f[7], 0x88e7);
	push_vntag(&f[8], 0x0800);
	push_ether(&f[8], 0x8926);
	inner_tcp6(&f[9]);
	push(&f[9], origin, sizeof(origin));
	push(&f[9], auth, sizeof(auth));
	push_udp(&f[9], 40000, 3544);
	push_ip4(&f[9], 17, 9, 8);
	push_ether(&f[9], 0x0800);
	push(&f[10], gtp_ext, sizeof(gtp_ext));
	push(&f[10], gtp_opt, sizeof(gtp_opt));
	push_gtp(&f[10], 0x36, 0xff, 3);
	push_udp(&f[10], 2152, 2152);
	push_ip4(&f[10], 17, 9, 8);
	push_ether(&f[10], 0x0800);
	push_pppoe(&f[5], 7, 0x0021);
	push_tag(&f[5], 200, 0x8864);
	push_ether(&f[5], 0x8100);
	push_gre(&f[0], 0x3000, 0x0800, 1, 2);
	push_ip4(&f[0], 47, 9, 8);
	push_ether(&f[1], 0x0800);
	push_vxlan(&f[1], 3);
	push_udp(&f[1], 5, 4789);
	push_ip4(&f[1], 17, 9, 8);
	push_mpls(&f[2], 5, true);
	push_ip6(&f[3], 4);
	push_ether(&f[4], 0x0800);
	push_gre(&f[4], 0x2000, 0x6558, 1, 0);
	push_ip6(&f[4], 47);
	push_ether(&f[0], 0x0800);
	push_ether(&f[1], 0x0800);
	push_ether(&f[2], 0x8847);
	push_ether(&f[3], 0x86dd);
	push_ether(&f[4], 0x86dd);
	for (k = 0; k < 11; k++) {
		for (n = 0; n <= flen(&f[k]); n++) {
			memset(&p, 0xa5, sizeof(p));
			decode_packet(LINK_EN10MB, frame_data(&f[k]), (uint32_t)n, (uint32_t)flen(&f[k]),
				      &plain, &p);
			if (n == flen(&f[k]) && k == 9)
				assert_inner6(&p);
			else if (n == flen(&f[k]))
				assert_inner(&p);
		}
	}
}

/* Two tenants, one inner 5-tuple: two flow keys; each way of one tenant: one key. */
static void test_identity(void **state)
{
	struct frame f;
	struct packet p;
	struct flow_key k1, k2, k3;
	bool lo;

	(void)state;
	inner_tcp4(&f);
	push_gre(&f, 0x2000, 0x0800, 42, 0);
	decode_in_ip4(&f, 47, &p);
	flow_key_of(&p, &k1, &lo);
	inner_tcp4(&f);
	push_gre(&f, 0x2000, 0x0800, 43, 0);
	decode_in_ip4(&f, 47, &p);
	flow_key_of(&p, &k2, &lo);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	/* the outer endpoints the other way round: the same tunnel */
	inner_tcp4(&f);
	push_gre(&f, 0x2000, 0x0800, 42, 0);
	push_ip4(&f, 47, 8, 9);
	push_ether(&f, 0x0800);
	decode(&f, &p);
	flow_key_of(&p, &k3, &lo);
	assert_memory_equal(&k1, &k3, sizeof(k1));
	assert_int_equal(k1.tun_kind, TUN_GRE);
	assert_int_equal(k1.tun_id, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipip_each_way),
		cmocka_unit_test(test_gre_key_seq),
		cmocka_unit_test(test_gre_not_followed),
		cmocka_unit_test(test_depth_bound),
		cmocka_unit_test(test_vxlan_and_quick),
		cmocka_unit_test(test_bcm_li),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_geneve_options),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_pppoe),
		cmocka_unit_test(test_juniper_ether),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_pbb),
		cmocka_unit_test(test_vntag),
		cmocka_unit_test(test_teredo),
		cmocka_unit_test(test_gtpu),
		cmocka_unit_test(test_bcm_li_to_teredo_gtpu_port),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
