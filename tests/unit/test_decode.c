/* test_decode.c - unit tests of the decoders: fields, every capture length, damaged headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/decode.h"

/*
 * Valid frames, built by hand and checked with tcpdump -vv (every TCP and
 * IPv4 header checksum below is correct). Two more, f_raw6_hbh and
 * f_raw6_frag, are in fixtures.c: test_print.c prints them.
 */
static const uint8_t f_eth_syn[] = {
	/* Ethernet: dst, src, type IPv4 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
	0x08, 0x00,
	/* IPv4: ihl 5, len 64, id 0x1234, DF, ttl 64, TCP, 192.168.1.10 > 192.168.1.20 */
	0x45, 0x00, 0x00, 0x40, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa5, 0x15,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14,
	/* TCP: 40000 > 80, seq 0x01020304, ack 0, off 10, SYN, win 64240 */
	0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0x47, 0x02, 0x00, 0x00,
	/* options: mss 1460, sackOK, TS val 0x11223344 ecr 0, nop, wscale 7 */
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
	/* payload */
	0xde, 0xad, 0xbe, 0xef,
};

static const uint8_t f_vlan_psh[] = {
	/* Ethernet: dst, src, 802.1Q tag (VID 100), type IPv4 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
	0x81, 0x00, 0x00, 0x64, 0x08, 0x00,
	/* IPv4: len 57, 192.168.1.10 > 192.168.1.20 */
	0x45, 0x00, 0x00, 0x39, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa5, 0x1c,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14,
	/* TCP: 40000 > 80, seq 0x01020305, ack 0xa0b0c0d0, off 8, PSH|ACK, win 502 */
	0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x05, 0xa0, 0xb0, 0xc0, 0xd0,
	0x80, 0x18, 0x01, 0xf6, 0xab, 0x42, 0x00, 0x00,
	/* options: nop, nop, TS val 10 ecr 20 */
	0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x14,
	/* payload "hello" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

static const uint8_t f_sll_sack[] = {
	/* Linux SLL: pkttype 0, hatype 772, halen 6, address, protocol IPv4 */
	0x00, 0x00, 0x03, 0x04, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	0x00, 0x00, 0x08, 0x00,
	/* IPv4: len 72, 192.168.1.20 > 192.168.1.10 */
	0x45, 0x00, 0x00, 0x48, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa5, 0x0d,
	0xc0, 0xa8, 0x01, 0x14, 0xc0, 0xa8, 0x01, 0x0a,
	/* TCP: 80 > 40000, seq 0xa0b0c0d1, ack 0x0102030a, off 13, ACK, win 1024 */
	0x00, 0x50, 0x9c, 0x40, 0xa0, 0xb0, 0xc0, 0xd1, 0x01, 0x02, 0x03, 0x0a,
	0xd0, 0x10, 0x04, 0x00, 0x6f, 0xd8, 0x00, 0x00,
	/* options: nop, nop, TS val 11 ecr 21, nop, nop, sack {1000:2000}{3000:4000} */
	0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x15,
	0x01, 0x01, 0x05, 0x12, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0,
	0x00, 0x00, 0x0b, 0xb8, 0x00, 0x00, 0x0f, 0xa0,
};

static const uint8_t f_sll2_fin[] = {
	/* Linux SLL2: IPv4, reserved, ifindex 3, hatype 1, pkttype 4 (outgoing), halen 6, addr */
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x04, 0x06,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x00, 0x00,
	/* IPv4: len 40, 192.168.1.10 > 192.168.1.20 */
	0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa5, 0x2d,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14,
	/* TCP: 40000 > 80, seq 0x0102030a, ack 0xa0b0c0d1, off 5, FIN|ACK, win 502 */
	0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x0a, 0xa0, 0xb0, 0xc0, 0xd1,
	0x50, 0x11, 0x01, 0xf6, 0x28, 0x50, 0x00, 0x00,
};

/* What follows both NULL headers: 127.0.0.1.7070 > 127.0.0.1.35180, RST|ACK. */
#define LO_RST_IP_TCP                                                                          \
	/* IPv4: len 40, 127.0.0.1 > 127.0.0.1 */                                               \
	0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x2a, 0x9a,                   \
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,                                         \
	/* TCP: 7070 > 35180, seq 0, ack 1, off 5, RST|ACK, win 0 */                            \
	0x1b, 0x9e, 0x89, 0x6c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,                   \
	0x50, 0x14, 0x00, 0x00, 0x0c, 0xc3, 0x00, 0x00

static const uint8_t f_null_le_rst[] = {
	/* NULL: AF_INET (2), little-endian */
	0x02, 0x00, 0x00, 0x00,
	LO_RST_IP_TCP,
};

static const uint8_t f_null_be_rst[] = {
	/* NULL: AF_INET (2), big-endian */
	0x00, 0x00, 0x00, 0x02,
	LO_RST_IP_TCP,
};

static const uint8_t f_raw4_data[] = {
	/* IPv4: len 43, 10.0.0.1 > 10.0.0.2 */
	0x45, 0x00, 0x00, 0x2b, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x97,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	/* TCP: 5000 > 443, seq 1000, ack 2000, off 5, PSH|ACK, win 8192 */
	0x13, 0x88, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0,
	0x50, 0x18, 0x20, 0x00, 0x96, 0x69, 0x00, 0x00,
	/* payload "abc" */
	0x61, 0x62, 0x63,
};

static const uint8_t f_eth_ip6_synack[] = {
	/* Ethernet: dst, src, type IPv6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
	0x86, 0xdd,
	/* IPv6: plen 40, next TCP, hlim 64, 2001:db8::2 > 2001:db8::1 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, ADDR6_DB8(2), ADDR6_DB8(1),
	/* TCP: 443 > 50000, seq 0xfffffff0, ack 0x101, off 10, SYN|ACK, win 65535 */
	0x01, 0xbb, 0xc3, 0x50, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x01, 0x01,
	0xa0, 0x12, 0xff, 0xff, 0x26, 0x2a, 0x00, 0x00,
	/* options: mss 1440, sackOK, TS val 100 ecr 1, nop, wscale 10 */
	0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x03, 0x0a,
};

static const uint8_t addr_a4[4] = {192, 168, 1, 10};
static const uint8_t addr_b4[4] = {192, 168, 1, 20};
static const uint8_t addr_lo4[4] = {127, 0, 0, 1};

/* The fixed TCP header of a valid frame. */
struct tcp_want {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
};

/* Where each layer of a valid frame starts, for the truncation sweep, and its TCP header. */
struct frame_desc {
	const char *name;
	int dlt;
	const uint8_t *bytes;
	uint32_t len;
	uint32_t l3;      /* network header offset */
	uint8_t version;  /* 4 or 6 */
	uint32_t tcp;     /* TCP header offset */
	uint8_t tcp_hlen;
	uint32_t paylen;
	bool fragment;    /* a fragment: the checksum cannot be verified */
	struct tcp_want hdr;
};

/* FRAME(name, link, l3, version, tcp, tcp_hlen, paylen, fragment,
 *       sport, dport, seq, ack, flags, win) */
#define FRAME(n, d, l3, v, tcp, hl, pl, frag, ...)                                           \
	{#n, d, f_##n, sizeof(f_##n), l3, v, tcp, hl, pl, frag, {__VA_ARGS__}}

static const struct frame_desc frames[] = {
	FRAME(eth_syn, LINK_EN10MB, 14, 4, 34, 40, 4, false,
	      40000, 80, 0x01020304u, 0, TCPF_SYN, 64240),
	FRAME(vlan_psh, LINK_EN10MB, 18, 4, 38, 32, 5, false,
	      40000, 80, 0x01020305u, 0xa0b0c0d0u, TCPF_PSH | TCPF_ACK, 502),
	FRAME(sll_sack, LINK_LINUX_SLL, 16, 4, 36, 52, 0, false,
	      80, 40000, 0xa0b0c0d1u, 0x0102030au, TCPF_ACK, 1024),
	FRAME(sll2_fin, LINK_LINUX_SLL2, 20, 4, 40, 20, 0, false,
	      40000, 80, 0x0102030au, 0xa0b0c0d1u, TCPF_FIN | TCPF_ACK, 502),
	FRAME(null_le_rst, LINK_NULL, 4, 4, 24, 20, 0, false,
	      7070, 35180, 0, 1, TCPF_RST | TCPF_ACK, 0),
	FRAME(null_be_rst, LINK_NULL, 4, 4, 24, 20, 0, false,
	      7070, 35180, 0, 1, TCPF_RST | TCPF_ACK, 0),
	FRAME(raw4_data, LINK_RAW, 0, 4, 20, 20, 3, false,
	      5000, 443, 1000, 2000, TCPF_PSH | TCPF_ACK, 8192),
	FRAME(eth_ip6_synack, LINK_EN10MB, 14, 6, 54, 40, 0, false,
	      443, 50000, 0xfffffff0u, 0x101, TCPF_SYN | TCPF_ACK, 65535),
	FRAME(raw6_hbh, LINK_RAW, 0, 6, 48, 20, 2, false,
	      50000, 443, 0x101, 0xfffffff1u, TCPF_PSH | TCPF_ACK, 512),
	FRAME(raw6_frag, LINK_RAW, 0, 6, 48, 20, 4, true,
	      50000, 443, 0x103, 0xfffffff1u, TCPF_PSH | TCPF_ACK, 512),
};

#define NFRAMES (sizeof(frames) / sizeof(frames[0]))

static const struct decode_opts opts_plain = {.verify_checksums = false};
static const struct decode_opts opts_verify = {.verify_checksums = true};

/* Decode into a packet first filled with garbage, so nothing relies on a zeroed struct. */
static void decode(int dlt, const uint8_t *b, uint32_t caplen, uint32_t wirelen, bool verify,
		   struct packet *p)
{
	memset(p, 0xa5, sizeof(*p));
	decode_packet(dlt, b, caplen, wirelen, verify ? &opts_verify : &opts_plain, p);
}

static void decode_full(const struct frame_desc *f, bool verify, struct packet *p)
{
	decode(f->dlt, f->bytes, f->len, f->len, verify, p);
}

/* The TCP checksum an IPv4 segment at ip[] should carry (its own field taken as 0). */
static uint16_t tcp4_checksum(const uint8_t *ip)
{
	uint32_t ihl = (ip[0] & 0x0fu) * 4, tot = (uint32_t)(ip[2] << 8 | ip[3]);
	uint32_t seglen = tot - ihl, sum = 0;
	uint8_t seg[128];

	assert_true(seglen <= sizeof(seg));
	memcpy(seg, ip + ihl, seglen);
	seg[16] = seg[17] = 0;
	sum = sum16(sum, ip + 12, 8);
	sum += 6 + seglen;
	sum = sum16(sum, seg, seglen);
	return fold_not(sum);
}

/* ------------------------------------------------------------------ */
/* Valid frames: every field */

static void assert_ipv4(const struct packet *p, const uint8_t *src, const uint8_t *dst,
			uint16_t totlen)
{
	assert_int_equal(p->ip.head.version, 4);
	assert_int_equal(p->ip.head.addrlen, 4);
	assert_memory_equal(p->ip.head.src, src, 4);
	assert_memory_equal(p->ip.head.dst, dst, 4);
	assert_int_equal(p->ip.head.proto, 6);
	assert_int_equal(p->ip.head.hlen, 20);
	assert_int_equal(p->ip.head.totlen, totlen);
	assert_int_equal(p->ip.head.ttl, 64);
	assert_int_equal(p->ip.head.id, 0x1234);
	assert_int_equal(p->ip.head.off, 0x4000);
	assert_int_equal(p->ip.head.missing, 0);
	assert_false(p->ip.head.fragmented);
	assert_false(p->ip.head.hdr_sum_bad);
}

/* The fixed TCP header that the frame's row gives, and its length. */
static void assert_tcp_header(const struct frame_desc *f, const struct tcp_info *t)
{
	assert_int_equal(t->sport, f->hdr.sport);
	assert_int_equal(t->dport, f->hdr.dport);
	assert_int_equal(t->seq, f->hdr.seq);
	assert_int_equal(t->ack, f->hdr.ack);
	assert_int_equal(t->flags, f->hdr.flags);
	assert_int_equal(t->win, f->hdr.win);
	assert_int_equal(t->hlen, f->tcp_hlen);
}

/* A valid frame decoded whole: nothing stops it, and its fixed TCP header is the row's. */
static void decode_valid(const struct frame_desc *f, bool verify, struct packet *p)
{
	decode_full(f, verify, p);
	assert_int_equal(p->stop, STOP_NONE);
	assert_tcp_header(f, &p->tcp);
}

static void test_decode_ethernet_ipv4_syn_options(void **state)
{
	const struct frame_desc *f = &frames[0];
	struct packet p;
	const struct tcp_info *t = &p.tcp;
	static const uint8_t kinds[] = {TCPOPT_MSS, TCPOPT_SACKOK, TCPOPT_TIMESTAMP, TCPOPT_NOP,
					TCPOPT_WSCALE};
	static const uint8_t lens[] = {4, 2, 10, 1, 3};
	static const uint8_t payload[] = {0xde, 0xad, 0xbe, 0xef};
	unsigned i;

	(void)state;
	decode_valid(f, false, &p);
	assert_true(packet_has_tcp(&p));
	assert_true(packet_is_tcp(&p));
	assert_int_equal(p.caplen, 78);
	assert_int_equal(p.wirelen, 78);
	assert_int_equal(p.link.hdr, LINK_HDR_ETHER);
	assert_ptr_equal(p.link.mac, f->bytes);
	assert_int_equal(p.link.type, 0x0800);
	assert_int_equal(p.link.ntags, 0);
	assert_ipv4(&p, addr_a4, addr_b4, 64);
	assert_int_equal(p.ip.head.nopts, 0);

	assert_int_equal(t->sum, 0x4702);
	assert_int_equal(t->urp, 0);
	assert_int_equal(t->length, 44);
	assert_int_equal(t->paylen, 4);
	assert_int_equal(t->payload.len, 4);
	assert_ptr_equal(t->payload.data, f->bytes + 74);
	assert_memory_equal(t->payload.data, payload, 4);
	assert_false(t->cksum_checked);

	assert_int_equal(t->opts_end, OPT_END_OK);
	assert_int_equal(t->nopts, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(t->opts[i].kind, kinds[i]);
		assert_int_equal(t->opts[i].len, lens[i]);
		assert_int_equal(t->opts[i].end, OPT_END_OK);
	}
	assert_int_equal(t->rest.len, 24); /* 20 option bytes, 4 payload bytes */
	assert_ptr_equal(t->rest.data, f->bytes + 54);
	assert_int_equal(t->opts[0].ndata, 2);
	assert_ptr_equal(t->opts[0].data, f->bytes + 56);
	assert_int_equal(t->opts[2].ndata, 8);
	assert_ptr_equal(t->opts[2].data, f->bytes + 62);
	assert_true(t->has_mss);
	assert_int_equal(t->mss, 1460);
	assert_true(t->has_sackok);
	assert_true(t->has_ts);
	assert_int_equal(t->ts_val, 0x11223344u);
	assert_int_equal(t->ts_ecr, 0);
	assert_true(t->has_wscale);
	assert_int_equal(t->wscale, 7);
	assert_int_equal(t->nsack, 0);
}

static void test_decode_vlan(void **state)
{
	const struct frame_desc *f = &frames[1];
	struct packet p;
	const struct tcp_info *t = &p.tcp;

	(void)state;
	decode_valid(f, false, &p);
	assert_ipv4(&p, addr_a4, addr_b4, 57);
	assert_int_equal(p.link.type, 0x8100);
	assert_int_equal(p.link.ntags, 1);
	assert_ptr_equal(p.link.tags, f->bytes + 14);
	assert_int_equal(t->paylen, 5);
	assert_int_equal(t->payload.len, 5);
	assert_memory_equal(t->payload.data, "hello", 5);
	assert_int_equal(t->nopts, 3);
	assert_int_equal(t->opts_end, OPT_END_OK);
	assert_true(t->has_ts);
	assert_int_equal(t->ts_val, 10);
	assert_int_equal(t->ts_ecr, 20);
	assert_false(t->has_mss);
	assert_false(t->has_wscale);
	assert_false(t->has_sackok);

	/* Two stacked tags (802.1ad outer, 802.1Q inner) decode the same. */
	{
		uint8_t qinq[sizeof(f_vlan_psh) + 4];

		memcpy(qinq, f_vlan_psh, 12);
		qinq[12] = 0x88;
		qinq[13] = 0xa8;
		qinq[14] = 0x00;
		qinq[15] = 0x0a;
		memcpy(qinq + 16, f_vlan_psh + 12, sizeof(f_vlan_psh) - 12);
		decode(LINK_EN10MB, qinq, sizeof(qinq), sizeof(qinq), true, &p);
		assert_int_equal(p.stop, STOP_NONE);
		assert_int_equal(p.link.type, 0x88a8);
		assert_int_equal(p.link.ntags, 2);
		assert_int_equal(t->seq, 0x01020305u);
		assert_int_equal(t->paylen, 5);
		assert_memory_equal(t->payload.data, "hello", 5);
		assert_true(t->cksum_checked);
		assert_true(t->cksum_ok);
	}
}

static void test_decode_linux_sll_sack(void **state)
{
	const struct frame_desc *f = &frames[2];
	struct packet p;
	const struct tcp_info *t = &p.tcp;

	(void)state;
	decode_valid(f, false, &p);
	assert_int_equal(p.link.hdr, LINK_HDR_SLL);
	assert_int_equal(p.link.pkttype, 0);
	assert_ptr_equal(p.link.mac, f->bytes + 6);
	assert_int_equal(p.link.type, 0x0800);
	assert_ipv4(&p, addr_b4, addr_a4, 72);
	assert_int_equal(t->paylen, 0);
	assert_int_equal(t->payload.len, 0);
	assert_int_equal(t->nopts, 6);
	assert_int_equal(t->opts[5].kind, TCPOPT_SACK);
	assert_int_equal(t->opts[5].len, 18);
	assert_int_equal(t->opts[5].ndata, 16);
	assert_int_equal(t->opts_end, OPT_END_OK);
	assert_true(t->has_ts);
	assert_int_equal(t->ts_val, 11);
	assert_int_equal(t->ts_ecr, 21);
	assert_int_equal(t->nsack, 2);
	assert_int_equal(t->sack[0][0], 1000);
	assert_int_equal(t->sack[0][1], 2000);
	assert_int_equal(t->sack[1][0], 3000);
	assert_int_equal(t->sack[1][1], 4000);
}

static void test_decode_linux_sll2(void **state)
{
	const struct frame_desc *f = &frames[3];
	struct packet p;
	const struct tcp_info *t = &p.tcp;

	(void)state;
	decode_valid(f, false, &p);
	assert_int_equal(p.link.hdr, LINK_HDR_SLL2);
	assert_int_equal(p.link.ifindex, 3);
	assert_int_equal(p.link.pkttype, 4);
	assert_ipv4(&p, addr_a4, addr_b4, 40);
	assert_int_equal(t->nopts, 0);
	assert_int_equal(t->paylen, 0);

	/* A 19-byte SLL2 header is not a header. */
	decode(f->dlt, f->bytes, 19, f->len, false, &p);
	assert_int_equal(p.stop, STOP_NOT_IP);
}

/* NULL/LOOP carry AF_INET in the writer's byte order: both must work. */
static void test_decode_null_both_byte_orders(void **state)
{
	struct packet le, be;
	unsigned i;

	(void)state;
	for (i = 4; i <= 5; i++) {
		struct packet *p = i == 4 ? &le : &be;

		case_begin("%s", frames[i].name);
		decode_valid(&frames[i], false, p);
		assert_ipv4(p, addr_lo4, addr_lo4, 40);
	}
	case_end();
	assert_int_equal(le.tcp.sum, be.tcp.sum);
	assert_int_equal(le.link.hdr, LINK_HDR_NULL);
	assert_int_equal(le.link.af, 2);
	assert_int_equal(be.link.af, 2);

	/* DLT_LOOP decodes the same header. */
	decode(LINK_LOOP, f_null_be_rst, sizeof(f_null_be_rst), sizeof(f_null_be_rst), false, &le);
	assert_int_equal(le.stop, STOP_NONE);
	assert_int_equal(le.tcp.sport, 7070);

	/* AF_INET6 as macOS writes it (30), little-endian, in front of an IPv6 packet. */
	{
		uint8_t buf[4 + sizeof(f_raw6_hbh)] = {30, 0, 0, 0};

		memcpy(buf + 4, f_raw6_hbh, sizeof(f_raw6_hbh));
		decode(LINK_NULL, buf, sizeof(buf), sizeof(buf), false, &le);
		assert_int_equal(le.stop, STOP_NONE);
		assert_int_equal(le.ip.head.version, 6);
		assert_int_equal(le.tcp.sport, 50000);
		/* An unknown family is not IP. */
		buf[0] = 7;
		decode(LINK_NULL, buf, sizeof(buf), sizeof(buf), false, &le);
		assert_int_equal(le.stop, STOP_NOT_IP);
	}
}

/* f_eth_syn's IPv4 packet behind a link header of hlen bytes; returns the frame's length. */
static size_t behind(const uint8_t *hdr, size_t hlen, uint8_t *out)
{
	memcpy(out, hdr, hlen);
	memcpy(out + hlen, f_eth_syn + 14, sizeof(f_eth_syn) - 14);
	return hlen + sizeof(f_eth_syn) - 14;
}

/* How far a frame decodes whose link header has the 16-bit value v at offset `at`. */
static enum pkt_stop stop_with(int dlt, const uint8_t *hdr, size_t hlen, size_t at, uint16_t v)
{
	uint8_t copy[24], buf[128];
	struct packet p;
	size_t n;

	memcpy(copy, hdr, hlen);
	copy[at] = (uint8_t)(v >> 8);
	copy[at + 1] = (uint8_t)v;
	n = behind(copy, hlen, buf);
	decode(dlt, buf, (uint32_t)n, (uint32_t)n, false, &p);
	return p.stop;
}

/* What -e needs of each link header: tcpdump's rules for VLAN tags, addresses, radiotap. */
static void test_decode_link_headers(void **state)
{
	/* 802.1Q-9200 outer tag (VID 5), then 802.1Q (VID 6), then IPv4 */
	static const uint8_t eth9200[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x92, 0x00,
					  0x00, 0x05, 0x81, 0x00, 0x00, 0x06, 0x08, 0x00};
	/* SLL: outgoing, ARPHRD_ETHER, a 4-byte address, an 802.1Q tag (VID 12, p 2, DEI) */
	static const uint8_t sll_tag[] = {0, 4, 0, 1, 0, 4, 10, 0, 0, 1, 0, 0, 0, 0, 0x81, 0x00,
					  0x50, 0x0c, 0x08, 0x00};
	/* SLL2: IPv4, interface 7, ARPHRD_ETHER, broadcast, no address */
	static const uint8_t sll2[] = {0x08, 0x00, 0, 0, 0, 0, 0, 7, 0, 1, 1, 0,
				       0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t buf[128];
	struct packet p;
	size_t n;
	uint16_t tci, next;

	(void)state;
	n = behind(eth9200, sizeof(eth9200), buf);
	decode(LINK_EN10MB, buf, (uint32_t)n, (uint32_t)n, false, &p);
	assert_int_equal(p.stop, STOP_NONE);
	assert_int_equal(p.link.type, 0x9200);
	assert_int_equal(p.link.ntags, 2);
	link_tag(&p.link, 0, &tci, &next);
	assert_int_equal(tci, 5);
	assert_int_equal(next, 0x8100);
	link_tag(&p.link, 1, &tci, &next);
	assert_int_equal(tci, 6);
	assert_int_equal(next, 0x0800);
	/* The inner tag cut by the capture: not decoded further. */
	decode(LINK_EN10MB, buf, 19, (uint32_t)n, false, &p);
	assert_int_equal(p.stop, STOP_NOT_IP);

	/* Linux SLL: the 802.1Q tag is followed; an address not 6 bytes long is not kept. */
	n = behind(sll_tag, sizeof(sll_tag), buf);
	decode(LINK_LINUX_SLL, buf, (uint32_t)n, (uint32_t)n, false, &p);
	assert_int_equal(p.stop, STOP_NONE);
	assert_int_equal(p.link.hdr, LINK_HDR_SLL);
	assert_int_equal(p.link.pkttype, 4);
	assert_null(p.link.mac);
	assert_int_equal(p.link.ntags, 1);
	link_tag(&p.link, 0, &tci, &next);
	assert_int_equal(tci, 0x500c);
	assert_int_equal(next, 0x0800);
	/* print-sll.c follows 802.1Q only: an 802.1ad tag is an unknown protocol there. */
	assert_int_equal(stop_with(LINK_LINUX_SLL, sll_tag, sizeof(sll_tag), 14, 0x88a8),
			 STOP_NOT_IP);
	/* ARPHRD_IEEE80211_RADIOTAP (803): tcpdump dissects radiotap, not the protocol field. */
	assert_int_equal(stop_with(LINK_LINUX_SLL, sll_tag, sizeof(sll_tag), 2, 803), STOP_NOT_IP);
	assert_int_equal(stop_with(LINK_LINUX_SLL, sll_tag, sizeof(sll_tag), 2, 772), STOP_NONE);

	n = behind(sll2, sizeof(sll2), buf);
	decode(LINK_LINUX_SLL2, buf, (uint32_t)n, (uint32_t)n, false, &p);
	assert_int_equal(p.stop, STOP_NONE);
	assert_int_equal(p.link.ifindex, 7);
	assert_int_equal(p.link.pkttype, 1);
	assert_null(p.link.mac);
	assert_int_equal(p.link.ntags, 0);
	assert_int_equal(stop_with(LINK_LINUX_SLL2, sll2, sizeof(sll2), 8, 803), STOP_NOT_IP);

	n = behind(sll2, 0, buf);
	decode(LINK_IPV4, buf, (uint32_t)n, (uint32_t)n, false, &p);
	assert_int_equal(p.link.hdr, LINK_HDR_RAW);
	assert_int_equal(p.stop, STOP_NONE);
}

static void test_decode_raw_ipv4(void **state)
{
	static const int dlts[] = {LINK_RAW, LINK_RAW_ALT, LINK_RAW_LINKTYPE, LINK_IPV4};
	const struct frame_desc *f = &frames[6];
	struct packet p;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		case_begin("link type %d", dlts[i]);
		assert_true(decode_link_supported(dlts[i]));
		decode(dlts[i], f->bytes, f->len, f->len, false, &p);
		assert_int_equal(p.stop, STOP_NONE);
		assert_ipv4(&p, addr4_1, addr4_2, 43);
		assert_tcp_header(f, &p.tcp);
		assert_int_equal(p.tcp.paylen, 3);
		assert_int_equal(p.tcp.payload.len, 3);
		assert_memory_equal(p.tcp.payload.data, "abc", 3);
		assert_int_equal(p.tcp.nopts, 0);
		assert_int_equal(p.tcp.opts_end, OPT_END_OK);
	}
	case_end();
	/* DLT_IPV6 does not take an IPv4 packet. */
	decode(LINK_IPV6, f_raw4_data, sizeof(f_raw4_data), sizeof(f_raw4_data), false, &p);
	assert_false(packet_has_tcp(&p));
	assert_true(decode_link_supported(9)); /* PPP */
	assert_false(decode_link_supported(147)); /* a user link type */
}

static void assert_ipv6(const struct packet *p, const uint8_t *src, const uint8_t *dst,
			uint16_t plen, uint8_t next)
{
	assert_int_equal(p->ip.head.version, 6);
	assert_int_equal(p->ip.head.addrlen, 16);
	assert_memory_equal(p->ip.head.src, src, 16);
	assert_memory_equal(p->ip.head.dst, dst, 16);
	assert_int_equal(p->ip.head.plen, plen);
	assert_int_equal(p->ip.head.next, next);
	assert_int_equal(p->ip.head.hlim, 64);
	assert_int_equal(p->ip.head.proto, 6);
	assert_int_equal(p->ip.head.missing, 0);
}

static void test_decode_ipv6(void **state)
{
	struct packet p;
	const struct tcp_info *t = &p.tcp;

	(void)state;
	decode_valid(&frames[7], false, &p);
	assert_ipv6(&p, addr6_2, addr6_1, 40, 6);
	assert_int_equal(p.ip.head.next_ext, 0);
	assert_false(p.ip.head.fragmented);
	assert_int_equal(t->length, 40);
	assert_int_equal(t->paylen, 0);
	assert_int_equal(t->payload.len, 0);
	assert_true(t->has_mss);
	assert_int_equal(t->mss, 1440);
	assert_true(t->has_sackok);
	assert_true(t->has_ts);
	assert_int_equal(t->ts_val, 100);
	assert_int_equal(t->ts_ecr, 1);
	assert_true(t->has_wscale);
	assert_int_equal(t->wscale, 10);

	/* DLT_IPV6 and DLT_RAW take the bare packet. */
	decode(LINK_IPV6, f_raw6_hbh, sizeof(f_raw6_hbh), sizeof(f_raw6_hbh), false, &p);
	assert_int_equal(p.stop, STOP_NONE);
	assert_int_equal(t->paylen, 2);
}

static void test_decode_ipv6_hop_by_hop(void **state)
{
	struct packet p;
	const struct tcp_info *t = &p.tcp;

	(void)state;
	decode_valid(&frames[8], true, &p);
	assert_ipv6(&p, addr6_1, addr6_2, 30, 0);
	assert_int_equal(p.ip.head.next_ext, 1);
	assert_int_equal(p.ip.ext[0].type, 0);
	assert_int_equal(p.ip.ext[0].len, 8);
	assert_false(p.ip.head.fragmented);
	assert_int_equal(t->paylen, 2);
	assert_int_equal(t->payload.len, 2);
	assert_ptr_equal(t->payload.data, f_raw6_hbh + 68);
	assert_memory_equal(t->payload.data, "hi", 2);
	assert_true(t->cksum_checked);
	assert_true(t->cksum_ok);
}

static void test_decode_ipv6_fragment(void **state)
{
	struct packet p;
	const struct tcp_info *t = &p.tcp;
	uint8_t buf[sizeof(f_raw6_frag)];

	(void)state;
	/* The first fragment: TCP is decoded, the checksum cannot be checked. */
	decode_valid(&frames[9], true, &p);
	assert_ipv6(&p, addr6_1, addr6_2, 32, 44);
	assert_int_equal(p.ip.head.next_ext, 1);
	assert_int_equal(p.ip.ext[0].type, 44);
	assert_int_equal(p.ip.ext[0].len, 8);
	assert_int_equal(p.ip.ext[0].frag_off, 0);
	assert_true(p.ip.ext[0].frag_more);
	assert_int_equal(p.ip.ext[0].frag_id, 0x12345678u);
	assert_true(p.ip.head.fragmented);
	assert_int_equal(t->paylen, 4);
	assert_memory_equal(t->payload.data, "frag", 4);
	assert_false(t->cksum_checked);

	/* A later fragment (offset 8): no TCP header in it. */
	memcpy(buf, f_raw6_frag, sizeof(buf));
	buf[42] = 0x00;
	buf[43] = 0x08;
	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_int_equal(p.stop, STOP_IP_FRAGMENT);
	assert_false(packet_has_tcp(&p));
	assert_true(packet_is_tcp(&p));
	assert_int_equal(p.ip.ext[0].frag_off, 8);
	assert_false(p.ip.ext[0].frag_more);

	/* A later fragment of UDP is not TCP at all. */
	buf[40] = 17;
	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_int_equal(p.stop, STOP_NOT_TCP);
	assert_false(packet_is_tcp(&p));
}

/* Link padding after the IP datagram is not payload. */
static void test_decode_ethernet_padding(void **state)
{
	uint8_t buf[14 + sizeof(f_raw4_data) + 17];
	struct packet p;

	(void)state;
	memcpy(buf, f_eth_syn, 14);
	memcpy(buf + 14, f_raw4_data, sizeof(f_raw4_data));
	memset(buf + 14 + sizeof(f_raw4_data), 0xff, 17);
	decode(LINK_EN10MB, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_int_equal(p.stop, STOP_NONE);
	assert_int_equal(p.tcp.length, 23);
	assert_int_equal(p.tcp.paylen, 3);
	assert_int_equal(p.tcp.payload.len, 3);
	assert_memory_equal(p.tcp.payload.data, "abc", 3);
	assert_true(p.tcp.cksum_checked);
	assert_true(p.tcp.cksum_ok);
}

/* ------------------------------------------------------------------ */
/* Every capture length of every valid frame */

/* The stop code a cut frame must give, with the frame and length named if not. */
static void expect_stop(const struct frame_desc *f, uint32_t cap, enum pkt_stop got,
			enum pkt_stop want)
{
	if (got != want)
		fail_msg("%s cut at %u: stop %d, want %d", f->name, cap, (int)got, (int)want);
}

static void check_cut(const struct frame_desc *f, uint32_t cap, const struct packet *full,
		      const struct packet *p)
{
	uint32_t l3 = f->l3, tcp = f->tcp;
	uint32_t pay_off = tcp + f->tcp_hlen;
	const struct tcp_info *t = &p->tcp;
	enum pkt_stop want;

	assert_int_equal(p->caplen, cap);
	/* Whatever happened, the payload view stays inside the captured bytes. */
	assert_true(t->payload.len <= t->paylen);
	if (t->payload.len > 0) {
		assert_true(t->payload.data >= f->bytes);
		assert_true(t->payload.data + t->payload.len <= f->bytes + cap);
	}
	/* An IPv4 checksum failure would be a decoder bug on these valid frames. */
	if (p->stop != STOP_NOT_IP && p->stop != STOP_NOT_TCP)
		assert_false(p->ip.head.hdr_sum_bad);

	if (cap <= l3) {
		expect_stop(f, cap, p->stop, STOP_NOT_IP);
		return;
	}
	if (f->version == 4) {
		assert_int_equal(p->ip.head.version, 4);
		if (cap < l3 + 10)
			want = STOP_NOT_TCP;
		else if (cap < l3 + 20)
			want = STOP_IP_TRUNC;
		else if (cap < tcp + 4)
			want = STOP_TCP_TRUNC_PORTS;
		else if (cap < tcp + 20)
			want = STOP_TCP_TRUNC_HDR;
		else
			want = STOP_NONE;
		expect_stop(f, cap, p->stop, want);
	} else {
		assert_int_equal(p->ip.head.version, 6);
		if (cap < l3 + 7) {
			expect_stop(f, cap, p->stop, STOP_NOT_TCP);
		} else if (cap < l3 + 40) {
			/* Only the fixed header's next header is known yet. */
			expect_stop(f, cap, p->stop,
				    f->bytes[l3 + 6] == 6 ? STOP_IP_TRUNC : STOP_NOT_TCP);
		} else if (cap < tcp) {
			/* Inside an extension header: certainly no TCP header. */
			if (p->stop != STOP_NOT_TCP && p->stop != STOP_IP6_EXT_TRUNC &&
			    p->stop != STOP_TCP_TRUNC_PORTS)
				fail_msg("%s cut at %u (in an extension header): stop %d", f->name,
					 cap, (int)p->stop);
		} else if (cap == tcp && f->bytes[l3 + 6] == 44) {
			/* tcpdump shows nothing past a fragment header that ends the capture. */
			expect_stop(f, cap, p->stop, STOP_IP_FRAGMENT);
		} else if (cap < tcp + 4) {
			expect_stop(f, cap, p->stop, STOP_TCP_TRUNC_PORTS);
		} else if (cap < tcp + 20) {
			expect_stop(f, cap, p->stop, STOP_TCP_TRUNC_HDR);
		} else {
			expect_stop(f, cap, p->stop, STOP_NONE);
		}
	}
	assert_int_equal(packet_has_tcp(p), p->stop == STOP_NONE);
	if (p->stop != STOP_NONE) {
		assert_int_equal(t->payload.len, 0);
		assert_false(t->cksum_checked);
		if (p->stop == STOP_TCP_TRUNC_HDR) {
			assert_int_equal(t->sport, full->tcp.sport);
			assert_int_equal(t->dport, full->tcp.dport);
		}
		return;
	}

	/* The fixed header is in: it decodes exactly as in the full frame (as its row says). */
	assert_memory_equal(p->ip.head.src, full->ip.head.src, p->ip.head.addrlen);
	assert_memory_equal(p->ip.head.dst, full->ip.head.dst, p->ip.head.addrlen);
	assert_tcp_header(f, t);
	assert_int_equal(t->paylen, f->paylen);
	assert_int_equal(t->payload.len, cap > pay_off ? cap - pay_off : 0);
	assert_true(t->payload.len <= t->paylen);
	if (t->payload.len > 0) {
		assert_ptr_equal(t->payload.data, f->bytes + pay_off);
	}
	/* The bytes after the fixed header as captured: to the segment's end or the capture's. */
	assert_int_equal(t->rest.len, (cap < pay_off + f->paylen ? cap : pay_off + f->paylen) -
					      (pay_off - t->hlen + 20u));
	if (t->rest.len > 0) {
		assert_ptr_equal(t->rest.data, f->bytes + pay_off - t->hlen + 20);
	}
	/* The option list is complete or cut by the capture, never "bad". */
	if (cap >= pay_off) {
		assert_int_equal(t->opts_end, OPT_END_OK);
		assert_int_equal(t->nopts, full->tcp.nopts);
	} else {
		assert_int_equal(t->opts_end, OPT_END_TRUNC);
		assert_true(t->nopts <= full->tcp.nopts);
	}
	/* An option value is either absent or right. */
	if (t->has_mss)
		assert_int_equal(t->mss, full->tcp.mss);
	if (t->has_wscale)
		assert_int_equal(t->wscale, full->tcp.wscale);
	if (t->has_ts) {
		assert_int_equal(t->ts_val, full->tcp.ts_val);
		assert_int_equal(t->ts_ecr, full->tcp.ts_ecr);
	}
	assert_true(t->nsack <= full->tcp.nsack);
	/* Only a completely captured, unfragmented segment has its checksum checked. */
	assert_int_equal(t->cksum_checked, cap == f->len && !f->fragment);
	if (t->cksum_checked)
		assert_true(t->cksum_ok);
}

static void test_decode_every_caplen(void **state)
{
	unsigned i;
	uint32_t cap;

	(void)state;
	for (i = 0; i < NFRAMES; i++) {
		const struct frame_desc *f = &frames[i];
		struct packet full, p;

		case_begin("%s whole", f->name);
		decode_full(f, true, &full);
		assert_int_equal(full.stop, STOP_NONE);
		assert_int_equal(full.tcp.hlen, f->tcp_hlen);
		assert_int_equal(full.tcp.paylen, f->paylen);
		assert_int_equal(f->len, f->tcp + f->tcp_hlen + f->paylen);
		for (cap = 0; cap <= f->len; cap++) {
			/* An exact-size heap copy, so ASan sees any read past caplen. */
			uint8_t *copy = malloc(cap > 0 ? cap : 1);

			case_begin("%s cut at %u", f->name, (unsigned)cap);
			assert_non_null(copy);
			memcpy(copy, f->bytes, cap);
			memset(&p, 0x5a, sizeof(p));
			decode_packet(f->dlt, copy, cap, f->len, &opts_verify, &p);
			{
				struct frame_desc g = *f;

				g.bytes = copy;
				check_cut(&g, cap, &full, &p);
			}
			free(copy);
		}
	}
	case_end();
}

/* Option presence follows exactly how much of the SYN's option list was captured. */
static void test_decode_syn_options_by_caplen(void **state)
{
	const struct frame_desc *f = &frames[0];
	struct packet p;
	uint32_t cap;

	(void)state;
	for (cap = 54; cap <= f->len; cap++) {
		decode(f->dlt, f->bytes, cap, f->len, false, &p);
		assert_int_equal(p.stop, STOP_NONE);
		assert_int_equal(p.tcp.has_mss, cap >= 58);
		assert_int_equal(p.tcp.has_sackok, cap >= 60);
		assert_int_equal(p.tcp.has_ts, cap >= 70);
		assert_int_equal(p.tcp.has_wscale, cap >= 74);
		assert_int_equal(p.tcp.opts_end, cap >= 74 ? OPT_END_OK : OPT_END_TRUNC);
	}
	/* Cut inside the MSS value: the option is listed, marked truncated. */
	decode(f->dlt, f->bytes, 57, f->len, false, &p);
	assert_int_equal(p.tcp.nopts, 1);
	assert_int_equal(p.tcp.opts[0].kind, TCPOPT_MSS);
	assert_int_equal(p.tcp.opts[0].end, OPT_END_TRUNC);
	assert_int_equal(p.tcp.opts[0].ndata, 0);
	assert_int_equal(p.tcp.opts_end, OPT_END_TRUNC);
	assert_false(p.tcp.has_mss);
	/* Cut inside the timestamp: mss and sackOK were read. */
	decode(f->dlt, f->bytes, 65, f->len, false, &p);
	assert_int_equal(p.tcp.nopts, 3);
	assert_int_equal(p.tcp.opts[2].end, OPT_END_TRUNC);
	assert_true(p.tcp.has_mss);
	assert_int_equal(p.tcp.mss, 1460);
	assert_false(p.tcp.has_ts);
}

/* ------------------------------------------------------------------ */
/* Damaged headers */

static void raw4_copy(uint8_t *buf)
{
	memcpy(buf, f_raw4_data, sizeof(f_raw4_data));
}

/* One byte of f_raw4_data changed. */
struct patch {
	uint8_t off, val;
};

/*
 * f_raw4_data with the patches applied, decoded from LINK_RAW with len
 * bytes captured and on the wire; the stop code must be want. The frame
 * stays in a static buffer, where p's payload view points.
 */
static void decode_raw4_patched(const struct patch *pt, size_t n, uint32_t len, bool verify,
				enum pkt_stop want, struct packet *p)
{
	static uint8_t buf[sizeof(f_raw4_data)];
	size_t i;

	raw4_copy(buf);
	for (i = 0; i < n; i++)
		buf[pt[i].off] = pt[i].val;
	decode(LINK_RAW, buf, len, len, verify, p);
	assert_int_equal(p->stop, want);
}

/* RAW4(p, verify, want stop, {offset, value}...): the whole frame with those bytes changed. */
#define RAW4(p, verify, want, ...)                                                             \
	decode_raw4_patched((const struct patch[]){__VA_ARGS__},                                \
			    sizeof((const struct patch[]){__VA_ARGS__}) / sizeof(struct patch),  \
			    sizeof(f_raw4_data), verify, want, p)

static void test_decode_ipv4_bad_ihl(void **state)
{
	struct packet p;

	(void)state;
	RAW4(&p, false, STOP_IP_BAD_HLEN, {0, 0x44}); /* IHL 4: 16 bytes */
	assert_int_equal(p.ip.head.hlen, 16);
	assert_false(packet_has_tcp(&p));
	assert_true(packet_is_tcp(&p));

	RAW4(&p, false, STOP_IP_BAD_HLEN, {0, 0x40}); /* IHL 0 */
	assert_int_equal(p.ip.head.hlen, 0);
}

static void test_decode_ipv4_bad_total_length(void **state)
{
	struct packet p;

	(void)state;
	RAW4(&p, false, STOP_IP_BAD_LEN, {2, 0}, {3, 19}); /* below the 20-byte header */
	assert_int_equal(p.ip.head.totlen, 19);
	assert_false(packet_has_tcp(&p));

	RAW4(&p, false, STOP_IP_BAD_LEN, {2, 0}, {3, 0});

	/* IHL 15 (60 bytes) in a 43-byte datagram. */
	RAW4(&p, false, STOP_IP_BAD_LEN, {0, 0x4f});
	assert_int_equal(p.ip.head.hlen, 60);
}

/* A total length past the captured bytes: paylen from the header, payload from the capture. */
static void test_decode_ipv4_length_past_capture(void **state)
{
	struct packet p;

	(void)state;
	RAW4(&p, true, STOP_NONE, {2, 0}, {3, 100});
	assert_int_equal(p.ip.head.missing, 57);
	assert_int_equal(p.tcp.length, 80);
	assert_int_equal(p.tcp.paylen, 60);
	assert_int_equal(p.tcp.payload.len, 3);
	assert_false(p.tcp.cksum_checked);
}

static void test_decode_ipv4_short_wire(void **state)
{
	struct packet p;

	(void)state;
	memset(&p, 0, sizeof(p));
	decode_ip(span_make(f_raw4_data, sizeof(f_raw4_data)), 19, 4, &opts_plain, &p);
	assert_int_equal(p.stop, STOP_IP_SHORT);
}

static void test_decode_ipv4_bad_version(void **state)
{
	uint8_t buf[14 + sizeof(f_raw4_data)];
	struct packet p;

	(void)state;
	memcpy(buf, f_eth_syn, 14);
	memcpy(buf + 14, f_raw4_data, sizeof(f_raw4_data));
	buf[14] = 0x55;
	decode(LINK_EN10MB, buf, sizeof(buf), sizeof(buf), false, &p);
	assert_int_equal(p.stop, STOP_IP_BAD_VERSION);
	assert_int_equal(p.ip.head.bad_version, 5);
	assert_false(packet_has_tcp(&p));
	assert_true(packet_is_tcp(&p));
}

static void test_decode_not_tcp(void **state)
{
	uint8_t buf6[sizeof(f_eth_ip6_synack)];
	struct packet p;

	(void)state;
	RAW4(&p, false, STOP_NOT_TCP, {9, 17}); /* UDP */
	assert_false(packet_is_tcp(&p));
	RAW4(&p, false, STOP_NOT_TCP, {9, 1}); /* ICMP */

	memcpy(buf6, f_eth_ip6_synack, sizeof(buf6));
	buf6[14 + 6] = 17;
	decode(LINK_EN10MB, buf6, sizeof(buf6), sizeof(buf6), false, &p);
	assert_int_equal(p.stop, STOP_NOT_TCP);

	/* An ethertype that is not IP (ARP). */
	memcpy(buf6, f_eth_ip6_synack, sizeof(buf6));
	buf6[12] = 0x08;
	buf6[13] = 0x06;
	decode(LINK_EN10MB, buf6, sizeof(buf6), sizeof(buf6), false, &p);
	assert_int_equal(p.stop, STOP_NOT_IP);
}

static void test_decode_ipv4_fragments(void **state)
{
	struct packet p;

	(void)state;
	RAW4(&p, true, STOP_IP_FRAGMENT, {6, 0x00}, {7, 0x01}); /* offset 8, last fragment */
	assert_false(packet_has_tcp(&p));
	assert_true(packet_is_tcp(&p));
	assert_memory_equal(p.ip.head.src, addr4_1, 4);

	RAW4(&p, true, STOP_IP_FRAGMENT, {6, 0x20}, {7, 0x01}); /* offset 8, more fragments */

	/* The first fragment: TCP decoded, checksum not verifiable. */
	RAW4(&p, true, STOP_NONE, {6, 0x20}, {7, 0x00});
	assert_true(p.ip.head.fragmented);
	assert_int_equal(p.tcp.seq, 1000);
	assert_false(p.tcp.cksum_checked);
}

static void test_decode_tcp_hlen_short(void **state)
{
	struct packet p;

	(void)state;
	RAW4(&p, true, STOP_TCP_HLEN_SHORT, {32, 0x40}); /* data offset 4 */
	assert_int_equal(p.tcp.hlen, 16);
	assert_int_equal(p.tcp.sport, 5000);
	assert_int_equal(p.tcp.dport, 443);
	assert_int_equal(p.tcp.length, 23);
	assert_false(packet_has_tcp(&p));
	assert_true(packet_is_tcp(&p));
	assert_int_equal(p.tcp.payload.len, 0);
	assert_false(p.tcp.cksum_checked);

	RAW4(&p, false, STOP_TCP_HLEN_SHORT, {32, 0x00});
	assert_int_equal(p.tcp.hlen, 0);
}

static void test_decode_tcp_hlen_long(void **state)
{
	struct packet p;

	(void)state;
	RAW4(&p, false, STOP_TCP_HLEN_LONG, {32, 0x60}); /* 24 bytes in a 23-byte segment */
	assert_int_equal(p.tcp.hlen, 24);
	assert_int_equal(p.tcp.length, 23);
	assert_true(packet_has_tcp(&p));
	assert_int_equal(p.tcp.seq, 1000);
	assert_int_equal(p.tcp.ack, 2000);
	assert_int_equal(p.tcp.flags, TCPF_PSH | TCPF_ACK);
	assert_int_equal(p.tcp.payload.len, 0);
	assert_int_equal(p.tcp.nopts, 0);

	RAW4(&p, false, STOP_TCP_HLEN_LONG, {32, 0xf0});
	assert_int_equal(p.tcp.hlen, 60);

	/* A 20-byte header filling the whole segment (the first 40 bytes) is fine. */
	{
		static const struct patch fill[] = {{32, 0x50}, {2, 0}, {3, 40}};

		decode_raw4_patched(fill, 3, 40, false, STOP_NONE, &p);
	}
	assert_int_equal(p.tcp.paylen, 0);
}

/* Option lengths 0 and 1 cannot be: the walk ends "bad" there. */
static void test_decode_bad_option_length(void **state)
{
	uint8_t buf[sizeof(f_eth_syn)];
	struct packet p;
	uint8_t l;

	(void)state;
	for (l = 0; l <= 1; l++) {
		memcpy(buf, f_eth_syn, sizeof(buf));
		buf[55] = l; /* the MSS option's length */
		decode(LINK_EN10MB, buf, sizeof(buf), sizeof(buf), false, &p);
		assert_int_equal(p.stop, STOP_NONE);
		assert_int_equal(p.tcp.opts_end, OPT_END_BAD);
		assert_int_equal(p.tcp.nopts, 0);
		assert_false(p.tcp.has_mss);
		assert_false(p.tcp.has_ts);
		/* The header itself is still decoded. */
		assert_int_equal(p.tcp.seq, 0x01020304u);
		assert_int_equal(p.tcp.paylen, 4);

		memcpy(buf, f_eth_syn, sizeof(buf));
		buf[61] = l; /* the timestamp's length */
		decode(LINK_EN10MB, buf, sizeof(buf), sizeof(buf), false, &p);
		assert_int_equal(p.tcp.opts_end, OPT_END_BAD);
		assert_int_equal(p.tcp.nopts, 2);
		assert_true(p.tcp.has_mss);
		assert_true(p.tcp.has_sackok);
		assert_false(p.tcp.has_ts);
		assert_false(p.tcp.has_wscale);
	}
	/* A length running past the header is bad too (wscale claiming 4 of the last 3 bytes). */
	memcpy(buf, f_eth_syn, sizeof(buf));
	buf[72] = 4;
	decode(LINK_EN10MB, buf, sizeof(buf), sizeof(buf), false, &p);
	assert_int_equal(p.tcp.opts_end, OPT_END_BAD);
	assert_int_equal(p.tcp.nopts, 4);
	assert_true(p.tcp.has_ts);
	assert_false(p.tcp.has_wscale);
}

/* ------------------------------------------------------------------ */
/* Checksums (decode_opts.verify_checksums, tcpdump -v) */

static void test_decode_checksum_ipv4(void **state)
{
	uint8_t buf[sizeof(f_raw4_data)];
	struct packet p;

	(void)state;
	raw4_copy(buf);
	assert_int_equal(tcp4_checksum(buf), 0x9669); /* the helper agrees with the frame */

	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_int_equal(p.stop, STOP_NONE);
	assert_true(p.tcp.cksum_checked);
	assert_true(p.tcp.cksum_ok);
	assert_int_equal(p.tcp.cksum_shouldbe, 0x9669);
	assert_false(p.ip.head.hdr_sum_bad);

	/* Not asked: not checked. */
	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), false, &p);
	assert_false(p.tcp.cksum_checked);

	/* One payload byte flipped: wrong, and the right value is reported. */
	buf[41] ^= 0x01;
	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_true(p.tcp.cksum_checked);
	assert_false(p.tcp.cksum_ok);
	assert_int_equal(p.tcp.sum, 0x9669);
	assert_int_equal(p.tcp.cksum_shouldbe, tcp4_checksum(buf));
	assert_int_not_equal(p.tcp.cksum_shouldbe, 0x9669);
	assert_false(p.ip.head.hdr_sum_bad);

	/* The odd last byte counts too. */
	raw4_copy(buf);
	buf[42] ^= 0x80;
	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_false(p.tcp.cksum_ok);

	/* A wrong IPv4 header checksum (TTL changed) leaves the TCP sum right. */
	raw4_copy(buf);
	buf[8] = 63;
	decode(LINK_RAW, buf, sizeof(buf), sizeof(buf), true, &p);
	assert_true(p.ip.head.hdr_sum_bad);
	assert_int_equal(p.ip.head.hdr_sum, (f_raw4_data[10] << 8) | f_raw4_data[11]);
	assert_int_equal(p.ip.head.hdr_sum_shouldbe, ((f_raw4_data[10] << 8) | f_raw4_data[11]) + 0x100);
	assert_true(p.tcp.cksum_ok);
}

static void test_decode_checksum_every_valid_frame(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < NFRAMES; i++) {
		const struct frame_desc *f = &frames[i];
		uint8_t buf[128];
		struct packet p;

		if (f->fragment)
			continue;
		case_begin("%s", f->name);
		assert_true(f->len <= sizeof(buf));
		memcpy(buf, f->bytes, f->len);
		decode(f->dlt, buf, f->len, f->len, true, &p);
		assert_true(p.tcp.cksum_checked);
		assert_true(p.tcp.cksum_ok);
		/* Flip the segment's last byte (payload, option or header). */
		buf[f->len - 1] ^= 0x10;
		decode(f->dlt, buf, f->len, f->len, true, &p);
		assert_int_equal(p.stop, STOP_NONE);
		assert_true(p.tcp.cksum_checked);
		assert_false(p.tcp.cksum_ok);
	}
	case_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ethernet_ipv4_syn_options),
		cmocka_unit_test(test_decode_vlan),
		cmocka_unit_test(test_decode_linux_sll_sack),
		cmocka_unit_test(test_decode_linux_sll2),
		cmocka_unit_test(test_decode_link_headers),
		cmocka_unit_test_teardown(test_decode_null_both_byte_orders, case_teardown),
		cmocka_unit_test_teardown(test_decode_raw_ipv4, case_teardown),
		cmocka_unit_test(test_decode_ipv6),
		cmocka_unit_test(test_decode_ipv6_hop_by_hop),
		cmocka_unit_test(test_decode_ipv6_fragment),
		cmocka_unit_test(test_decode_ethernet_padding),
		cmocka_unit_test_teardown(test_decode_every_caplen, case_teardown),
		cmocka_unit_test(test_decode_syn_options_by_caplen),
		cmocka_unit_test(test_decode_ipv4_bad_ihl),
		cmocka_unit_test(test_decode_ipv4_bad_total_length),
		cmocka_unit_test(test_decode_ipv4_length_past_capture),
		cmocka_unit_test(test_decode_ipv4_short_wire),
		cmocka_unit_test(test_decode_ipv4_bad_version),
		cmocka_unit_test(test_decode_not_tcp),
		cmocka_unit_test(test_decode_ipv4_fragments),
		cmocka_unit_test(test_decode_tcp_hlen_short),
		cmocka_unit_test(test_decode_tcp_hlen_long),
		cmocka_unit_test(test_decode_bad_option_length),
		cmocka_unit_test(test_decode_checksum_ipv4),
		cmocka_unit_test_teardown(test_decode_checksum_every_valid_frame, case_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
