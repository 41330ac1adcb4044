/* test_linkhdr.c - unit tests of -e (the link-level header), MAC names, -t and --nano timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/decode.h"
#include "tcpnote/names.h"
#include "tcpnote/print_text.h"
#include "tcpnote/sbuf.h"

/*
 * The IPv4 and IPv6 SYNs of tests/oracle/linktypes.py, whose lines below are
 * what tcpdump 4.99.3 printed for them (tcpdump -n -t -e, and -q -e).
 */
static const uint8_t syn4[] = {
	0x45, 0x00, 0x00, 0x30, 0x10, 0x92, 0x40, 0x00, 0x40, 0x06, 0x3d, 0xfa,
	0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x9c, 0x40, 0x00, 0x50,
	0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0xfa, 0xf0,
	0xfb, 0x79, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02};
static const uint8_t syn6[] = {
	0x60, 0x01, 0x23, 0x45, 0x00, 0x1c, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x0a, 0xbc, 0x9c, 0x41, 0x01, 0xbb, 0x00, 0x00, 0x07, 0xd0,
	0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0xfa, 0xf0, 0x7c, 0x33, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02};

#define TCP4 "192.0.2.1.40000 > 198.51.100.7.80: Flags [S], seq 1000, win 64240, " \
	     "options [mss 1460,nop,nop,sackOK], length 0"
#define TCP6 "2001:db8::1.40001 > 2001:db8::abc.443: Flags [S], seq 2000, win 64240, " \
	     "options [mss 1460,nop,nop,sackOK], length 0"

/* One frame: a link header in hex-free bytes, IPv4 or IPv6 behind it, and the line wanted. */
struct link_case {
	int dlt;
	const uint8_t *hdr;
	size_t hlen;
	bool v6;
	bool eflag, quick;
	const char *want;  /* the whole line; with quick, what it starts with */
};

static const uint8_t h_eth[] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x03, 0x02, 0x42,
				0xac, 0x11, 0x00, 0x02, 0x08, 0x00};
static const uint8_t h_eth_qinq[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xa8, 0x60, 0x0a,
				     0x81, 0x00, 0xa0, 0x14, 0x08, 0x00};
static const uint8_t h_eth_dei[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0xff, 0xff,
				    0x86, 0xdd};
static const uint8_t h_eth_9100[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x91, 0x00, 0x00, 0x1e,
				     0x81, 0x00, 0x00, 0x28, 0x86, 0xdd};
static const uint8_t h_eth_9200[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x92, 0x00, 0x00, 0x32,
				     0x08, 0x00};
static const uint8_t h_eth_q[] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x03, 0x02, 0x42, 0xac, 0x11,
				  0x00, 0x02, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00};
static const uint8_t h_sll_in[] = {0, 0, 0, 1, 0, 6, 0x02, 0x42,
				   0xac, 0x11, 0, 2, 0, 0, 0x08, 0x00};
static const uint8_t h_sll_unknown[] = {0, 7, 0, 1, 0, 6, 0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0,
					0x08, 0x00};
static const uint8_t h_sll_out4[] = {0, 4, 0, 1, 0, 4, 10, 0, 0, 1, 0, 0, 0, 0, 0x86, 0xdd};
static const uint8_t h_sll_vlan[] = {0, 0, 0, 1, 0, 6, 0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0,
				     0x81, 0x00, 0x50, 0x0c, 0x08, 0x00};
static const uint8_t h_sll_vlan2[] = {0, 4, 0, 1, 0, 6, 0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0,
				      0x81, 0x00, 0x00, 0x0d, 0x81, 0x00, 0x00, 0x0e, 0x86, 0xdd};
/* SLL2 on an interface that does not exist (if_indextoname fails: "?"). */
static const uint8_t h_sll2[] = {0x08, 0x00, 0, 0, 0x00, 0x0f, 0x12, 0x06, 0, 1, 0, 6,
				 0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0};
static const uint8_t h_sll2_noaddr[] = {0x86, 0xdd, 0, 0, 0x00, 0x0f, 0x12, 0x06, 0, 1, 4, 0,
					0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t h_sll2_vlan[] = {0x81, 0x00, 0, 0, 0x00, 0x0f, 0x12, 0x06, 0, 1, 0, 6,
				      0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0, 0xc0, 0x0f, 0x08, 0x00};
static const uint8_t h_null_le[] = {2, 0, 0, 0};
static const uint8_t h_null_be30[] = {0, 0, 0, 30};
static const uint8_t h_loop28[] = {0, 0, 0, 28};

static const uint8_t h_ppp_hdlc[] = {0xff, 0x03, 0x00, 0x21};
static const uint8_t h_ppp_short[] = {0x21};
static const uint8_t h_ppp_v6[] = {0x00, 0x57};
static const uint8_t h_ipoib[44] = {[40] = 0x08, [41] = 0x00};
static const uint8_t h_arcnet[] = {0xbe, 0x50, 0xc0, 0x00, 0xd4, 0, 0, 0};
static const uint8_t h_arcnet_old[] = {0x01, 0x02, 0xd4, 0x00, 0xf0};

static const struct link_case cases[] = {
	/* PPP, IPOIB, ARCNET_LINUX: as tcpdump 4.99.3 prints them (checked with tcpdump -e, -e -q) */
	{LINK_PPP, h_ppp_hdlc, sizeof(h_ppp_hdlc), false, true, false,
	 "IP (0x0021), length 52: " TCP4},
	{LINK_PPP, h_ppp_short, sizeof(h_ppp_short), false, true, false,
	 "IP (0x0021), length 49: " TCP4},
	{LINK_PPP, h_ppp_v6, sizeof(h_ppp_v6), true, true, false, "IP6 (0x0057), length 70: " TCP6},
	{LINK_PPP, h_ppp_hdlc, sizeof(h_ppp_hdlc), false, false, false, "IP " TCP4},
	{LINK_IPOIB, h_ipoib, sizeof(h_ipoib), false, true, false,
	 "IPOIB, ethertype IPv4 (0x0800), length 92: " TCP4},
	{LINK_IPOIB, h_ipoib, sizeof(h_ipoib), false, true, true,
	 "IPOIB, ethertype IPv4, length 92: 192.0.2.1.40000 > "},
	{LINK_ARCNET_LINUX, h_arcnet, sizeof(h_arcnet), false, true, false, "be 50 c0 56: " TCP4},
	{LINK_ARCNET_LINUX, h_arcnet, sizeof(h_arcnet), false, true, true,
	 "be 50 56: 192.0.2.1.40000 > "},
	{LINK_ARCNET_LINUX, h_arcnet_old, sizeof(h_arcnet_old), false, true, false,
	 "01 02 ip 53: " TCP4},
	{LINK_EN10MB, h_eth, sizeof(h_eth), false, true, false,
	 "02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype IPv4 (0x0800), length 62: " TCP4},
	{LINK_EN10MB, h_eth_qinq, sizeof(h_eth_qinq), false, true, false,
	 "00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype 802.1Q-QinQ (0x88a8), length 70: "
	 "vlan 10, p 3, ethertype 802.1Q (0x8100), vlan 20, p 5, ethertype IPv4 (0x0800), " TCP4},
	{LINK_EN10MB, h_eth_dei, sizeof(h_eth_dei), true, true, false,
	 "00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype 802.1Q (0x8100), length 86: "
	 "vlan 4095, p 7, DEI, ethertype IPv6 (0x86dd), " TCP6},
	{LINK_EN10MB, h_eth_9100, sizeof(h_eth_9100), true, true, false,
	 "00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype 802.1Q-9100 (0x9100), length 90: "
	 "vlan 30, p 0, ethertype 802.1Q (0x8100), vlan 40, p 0, ethertype IPv6 (0x86dd), " TCP6},
	{LINK_EN10MB, h_eth_9200, sizeof(h_eth_9200), false, true, false,
	 "00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype 802.1Q-9200 (0x9200), length 66: "
	 "vlan 50, p 0, ethertype IPv4 (0x0800), " TCP4},
	/* Without -e an Ethernet header, tagged or not, shows nothing. */
	{LINK_EN10MB, h_eth_qinq, sizeof(h_eth_qinq), false, false, false, "IP " TCP4},
	{LINK_LINUX_SLL, h_sll_in, sizeof(h_sll_in), false, true, false,
	 " In 02:42:ac:11:00:02 ethertype IPv4 (0x0800), length 64: " TCP4},
	{LINK_LINUX_SLL, h_sll_unknown, sizeof(h_sll_unknown), false, true, false,
	 "  ? 02:42:ac:11:00:02 ethertype IPv4 (0x0800), length 64: " TCP4},
	{LINK_LINUX_SLL, h_sll_out4, sizeof(h_sll_out4), true, true, false,
	 "Out ethertype IPv6 (0x86dd), length 84: " TCP6},
	{LINK_LINUX_SLL, h_sll_vlan, sizeof(h_sll_vlan), false, true, false,
	 " In 02:42:ac:11:00:02 ethertype 802.1Q (0x8100), length 68: vlan 12, p 2, DEI, "
	 "ethertype IPv4, " TCP4},
	/* print-sll.c names the type after a tag with or without -e. */
	{LINK_LINUX_SLL, h_sll_vlan2, sizeof(h_sll_vlan2), true, false, false,
	 "ethertype 802.1Q, ethertype IPv6, IP6 " TCP6},
	{LINK_LINUX_SLL2, h_sll2, sizeof(h_sll2), false, true, false,
	 "?     In  ifindex 987654 02:42:ac:11:00:02 ethertype IPv4 (0x0800), length 68: " TCP4},
	{LINK_LINUX_SLL2, h_sll2_noaddr, sizeof(h_sll2_noaddr), true, true, false,
	 "?     Out ifindex 987654 ethertype IPv6 (0x86dd), length 88: " TCP6},
	{LINK_LINUX_SLL2, h_sll2_vlan, sizeof(h_sll2_vlan), false, true, false,
	 "?     In  ifindex 987654 02:42:ac:11:00:02 ethertype 802.1Q (0x8100), length 72: "
	 "vlan 15, p 6, ethertype IPv4, " TCP4},
	{LINK_LINUX_SLL2, h_sll2_vlan, sizeof(h_sll2_vlan), false, false, false,
	 "?     In  ethertype IPv4, IP " TCP4},
	{LINK_NULL, h_null_le, sizeof(h_null_le), false, true, false,
	 "AF IPv4 (2), length 52: " TCP4},
	{LINK_NULL, h_null_be30, sizeof(h_null_be30), true, true, false,
	 "AF IPv6 (30), length 72: " TCP6},
	{LINK_LOOP, h_loop28, sizeof(h_loop28), true, true, false,
	 "AF IPv6 (28), length 72: " TCP6},
	{LINK_RAW_LINKTYPE, NULL, 0, false, true, false, "ip: " TCP4},
	{LINK_IPV6, NULL, 0, true, true, false, "ip: " TCP6},
	{LINK_IPV6, NULL, 0, true, false, false, "IP6 " TCP6},
	/* tcpdump -q -e: the short forms (the rest of tcpdump's -q line is not tcpnote's yet). */
	{LINK_EN10MB, h_eth_q, sizeof(h_eth_q), false, true, true,
	 "02:42:ac:11:00:02 > 02:42:ac:11:00:03, 802.1Q, length 66: vlan 100, p 0, IPv4, "
	 "192.0.2.1.40000 > "},
	{LINK_LINUX_SLL, h_sll_vlan2, sizeof(h_sll_vlan2), true, true, true,
	 "Out 02:42:ac:11:00:02 vlan 13, p 0, vlan 14, p 0, 2001:db8::1.40001 > "},
	{LINK_LINUX_SLL2, h_sll2, sizeof(h_sll2), false, true, true,
	 "?     In  ifindex 987654 02:42:ac:11:00:02 192.0.2.1.40000 > "},
	{LINK_NULL, h_null_le, sizeof(h_null_le), false, true, true,
	 "IPv4, length 52: 192.0.2.1.40000 > "},
	{LINK_IPV4, NULL, 0, false, true, true, "ip: 192.0.2.1.40000 > "},
};

static void format_case(const struct link_case *c, char *line, size_t cap)
{
	struct print_opts po = {.ts = TS_NONE, .eflag = c->eflag, .quick = c->quick};
	struct printer *pr = printer_new(stdout, &po);
	static const struct decode_opts dopts = {.verify_checksums = false};
	uint8_t frame[128];
	size_t n = c->hlen + (c->v6 ? sizeof(syn6) : sizeof(syn4));
	struct packet p;
	struct relseq_view v;

	assert_non_null(pr);
	if (c->hlen > 0)
		memcpy(frame, c->hdr, c->hlen);
	memcpy(frame + c->hlen, c->v6 ? syn6 : syn4, c->v6 ? sizeof(syn6) : sizeof(syn4));
	memset(&p, 0, sizeof(p));
	decode_packet(c->dlt, frame, (uint32_t)n, (uint32_t)n, &dopts, &p);
	assert_int_equal(p.stop, STOP_NONE);
	v.seq = p.tcp.seq;
	v.ack = p.tcp.ack;
	v.sack_base = 0;
	print_text_format(pr, &p, &v, NULL, NULL, line, cap);
	printer_free(pr);
}

static void test_link_headers(void **state)
{
	char line[512], want[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		case_begin("case %zu", i);
		format_case(&cases[i], line, sizeof(line));
		if (cases[i].quick) {
			assert_memory_equal(line, cases[i].want, strlen(cases[i].want));
		} else {
			snprintf(want, sizeof(want), "%s\n", cases[i].want);
			assert_string_equal(line, want);
		}
	}
	case_end();
}

/* A line is cut to its buffer with -e as without: a newline always ends it. */
static void test_link_header_small_buffer(void **state)
{
	char line[512];
	size_t full, cap;

	(void)state;
	format_case(&cases[1], line, sizeof(line));
	full = strlen(line);
	for (cap = 2; cap <= full + 1; cap++) {
		char small[512];

		format_case(&cases[1], small, cap);
		assert_int_equal(strlen(small), cap - 1);
		assert_int_equal(small[cap - 2], '\n');
		assert_memory_equal(small, line, cap - 2);
	}
}

static void mac_text(struct names *n, const uint8_t mac[6], char *out, size_t cap)
{
	struct sbuf s;

	sbuf_init(&s, out, cap);
	names_put_mac(n, &s, mac);
	out[s.len] = '\0';
}

/* etheraddr_string() without -n: the OUI's name from tcpdump's table, or "Broadcast". */
static void test_mac_names(void **state)
{
	static const uint8_t cisco[6] = {0x00, 0x00, 0x0c, 0x01, 0x02, 0x03};
	static const uint8_t ieee8021[6] = {0x00, 0x80, 0xc2, 0x00, 0x00, 0x0e};
	static const uint8_t unknown[6] = {0xab, 0xcd, 0xef, 0x01, 0x02, 0x03};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct names *n = names_new(false);
	char text[64];
	unsigned long before;

	(void)state;
	assert_non_null(n);
	mac_text(NULL, unknown, text, sizeof(text));
	assert_string_equal(text, "ab:cd:ef:01:02:03");
	before = names_lookups(n);
	mac_text(n, cisco, text, sizeof(text));
	assert_string_equal(text, "00:00:0c:01:02:03 (oui Cisco)");
	/* 00:80:c2 is in the table twice: the first entry's name wins. */
	mac_text(n, ieee8021, text, sizeof(text));
	assert_string_equal(text, "00:80:c2:00:00:0e (oui Ethernet bridged)");
	mac_text(n, unknown, text, sizeof(text));
	assert_string_equal(text, "ab:cd:ef:01:02:03 (oui Unknown)");
	mac_text(n, bcast, text, sizeof(text));
	assert_string_equal(text, "Broadcast");
	/* Remembered: a second time costs no lookup. */
	mac_text(n, cisco, text, sizeof(text));
	assert_string_equal(text, "00:00:0c:01:02:03 (oui Cisco)");
	assert_int_equal(names_lookups(n) - before, 4);
	names_free(n);
}

/* One timestamp: seconds and the fraction as libpcap hands it (tv_usec's low 32 bits). */
struct ts_case {
	int64_t sec;
	uint32_t frac;
	const char *want; /* the line's start */
};

static void check_times(enum ts_mode ts, bool nano, const struct ts_case *c, size_t n)
{
	struct print_opts po = {.ts = ts};
	struct printer *pr = printer_new(stdout, &po);
	struct relseq_view v = {1, 0, 0};
	struct packet p;
	char line[256];
	size_t i;

	assert_non_null(pr);
	for (i = 0; i < n; i++) {
		case_begin("mode %d, %s, packet %zu", (int)ts, nano ? "nano" : "micro", i);
		make_segment4(&p, addr4_1, 40000, addr4_2, 80, TCPF_SYN, 1, 0, 0, 100);
		p.ts_sec = c[i].sec;
		p.ts_frac = c[i].frac;
		p.ts_nano = nano;
		print_text_format(pr, &p, &v, NULL, NULL, line, sizeof(line));
		assert_memory_equal(line, c[i].want, strlen(c[i].want));
		assert_string_equal(line + strlen(c[i].want),
				    "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1, win 100, length 0\n");
	}
	case_end();
	printer_free(pr);
}

/*
 * print.c's rules, each line as tcpdump 4.99.3 printed it (tests/oracle/linktypes.py's
 * times.pcap and the corpus's timestamp_invalid_nano.pcap).
 */
static void test_timestamps(void **state)
{
	static const struct ts_case epoch_nano[] = {
		{1700000002, 123458791, "1700000002.123458791 "},
		{1418145370, 1000000000, "1418145370.1000000000 "},
		{1418145370, 2147483648u, "1418145370.2147483648 "},
		/* a 32-bit time with bit 31 set; a 64-bit one past 2^32 keeps 32 bits */
		{-1879048192, 1, "[Error converting time] "},
		{4294967296LL, 0, "0.000000000 "}};
	/* -ttt: a fraction is signed; one borrow; hours of the day; an empty reference. */
	static const struct ts_case prev_nano[] = {
		{0, 0, " 00:00:00.000000000 "},
		{5, 0, " 00:00:00.000000000 "},
		{7, 0, " 00:00:02.000000000 "},
		{1000, 5, " 00:16:33.000000005 "},
		{1000 + 49 * 3600 + 61, 7, " 01:01:01.000000002 "},
		{1418145369, 999999999, " 15:58:28.999999992 "},
		{1418145370, 1000000000, " 00:00:01.000000001 "},
		{1418145370, 2147483648u, "-00:00:00.3147483648 "},
		{-1879048192, 1, "-[Error converting time] "},
		{0x10, 2, " 05:50:08.000000001 "}};
	/* -ttttt from the first packet, micro: libpcap's 2147483648 ns / 1000 is -2147483. */
	static const struct ts_case first_micro[] = {
		{1418145369, 999999, " 00:00:00.000000 "},
		{1418145370, 1000000, " 00:00:01.000001 "},
		{1418145370, (uint32_t)-2147483, " 00:00:00.4292819814 "},
		{1418145368, 0, "-00:00:01.999999 "}};
	static const struct ts_case date_nano[] = {
		{1700000002, 5, "2023-11-14 22:13:22.000000005 "},
		{-1879048192, 1, "[Error converting time] "}};
	static const struct ts_case local_micro[] = {{1700000002, 5, "22:13:22.000005 "}};

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	check_times(TS_EPOCH, true, epoch_nano, sizeof(epoch_nano) / sizeof(epoch_nano[0]));
	check_times(TS_DELTA_PREV, true, prev_nano, sizeof(prev_nano) / sizeof(prev_nano[0]));
	check_times(TS_DELTA_FIRST, false, first_micro,
		    sizeof(first_micro) / sizeof(first_micro[0]));
	check_times(TS_DATE, true, date_nano, sizeof(date_nano) / sizeof(date_nano[0]));
	check_times(TS_LOCAL, false, local_micro, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_headers),
		cmocka_unit_test(test_link_header_small_buffer),
		cmocka_unit_test(test_mac_names),
		cmocka_unit_test(test_timestamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
