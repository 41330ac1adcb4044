/* test_print.c - unit tests of print_text_format: tcpdump -n's text, labels, bounded lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/decode.h"
#include "tcpnote/labels.h"
#include "tcpnote/print_text.h"
#include "tcpnote/relseq.h"

/*
 * A segment to put on the wire: Ethernet (zero MACs), IPv4 or IPv6, TCP
 * with the given option bytes and `paylen` payload bytes. Checksums are
 * computed unless `sum` is non-zero, which is then stored as it is.
 */
struct seg_spec {
	bool v6;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t off;         /* data offset in words; 0 = from the options */
	uint16_t win, urp;
	const uint8_t *opts;
	uint8_t optlen;
	uint16_t paylen;
	uint16_t sum;        /* 0: the correct checksum */
	uint32_t caplen;     /* 0: the whole frame */
};

/* One line to check: the packet and the text tcpdump -n prints for it. */
struct line_case {
	struct seg_spec s;
	const char *want;
};

/* ISNs of the client (127.0.0.1:46136) and server (127.0.0.1:7070). */
#define CISN 3564383388u
#define SISN 1254633829u

/* Option bytes; TS val 3523724659 is 0xd207c573. mss 65495,sackOK,TS,nop,wscale 7: */
static const uint8_t opt_syn[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0xd2, 0x07, 0xc5, 0x73,
				  0, 0, 0, 0, 1, 3, 3, 7};
static const uint8_t opt_synack[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0xd2, 0x07, 0xc5, 0x73,
				     0xd2, 0x07, 0xc5, 0x73, 1, 3, 3, 7};
static const uint8_t opt_ts1[] = {1, 1, 8, 10, 0xd2, 0x07, 0xc5, 0x73, 0xd2, 0x07, 0xc5, 0x73};
static const uint8_t opt_ts2[] = {1, 1, 8, 10, 0xd2, 0x07, 0xc5, 0x74, 0xd2, 0x07, 0xc5, 0x73};
static const uint8_t opt_ts3[] = {1, 1, 8, 10, 0xd2, 0x07, 0xc5, 0x74, 0xd2, 0x07, 0xc5, 0x74};
/* nop,nop,sack 1 {CISN+100:CISN+200} */
static const uint8_t opt_sack[] = {1, 1, 5, 10, 0xd4, 0x74, 0x2d, 0x00, 0xd4, 0x74, 0x2d, 0x64};
/* mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7 */
static const uint8_t opt_syn_ts1[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1,
				      0, 0, 0, 0, 1, 3, 3, 7};

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define RST TCPF_RST
#define PSH TCPF_PSH
#define URG TCPF_URG
#define ECE TCPF_ECE
#define CWR TCPF_CWR
#define OPTS(a) a, sizeof(a)

/*
 * A connection on loopback, printed with relative numbers and -t: the order
 * matters. Every expected line below is what tcpdump 4.99.3 -n -t printed
 * for the same frames.
 */
static const struct line_case conversation[] = {
	{{false, 46136, 7070, CISN, 0, SYN, 0, 65495, 0, OPTS(opt_syn), 0, 0, 0},
	 "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [S], seq 3564383388, win 65495, "
	 "options [mss 65495,sackOK,TS val 3523724659 ecr 0,nop,wscale 7], length 0"},
	{{false, 7070, 46136, SISN, CISN + 1, SYN | ACK, 0, 65483, 0, OPTS(opt_synack), 0, 0, 0},
	 "IP 127.0.0.1.7070 > 127.0.0.1.46136: Flags [S.], seq 1254633829, ack 3564383389, "
	 "win 65483, options [mss 65495,sackOK,TS val 3523724659 ecr 3523724659,nop,wscale 7], "
	 "length 0"},
	{{false, 46136, 7070, CISN + 1, SISN + 1, ACK, 0, 512, 0, OPTS(opt_ts1), 0, 0, 0},
	 "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [.], ack 1, win 512, "
	 "options [nop,nop,TS val 3523724659 ecr 3523724659], length 0"},
	{{false, 46136, 7070, CISN + 1, SISN + 1, PSH | ACK, 0, 512, 0, OPTS(opt_ts2), 78, 0, 0},
	 "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [P.], seq 1:79, ack 1, win 512, "
	 "options [nop,nop,TS val 3523724660 ecr 3523724659], length 78"},
	{{false, 7070, 46136, SISN + 1, CISN + 79, ACK, 0, 512, 0, OPTS(opt_ts3), 0, 0, 0},
	 "IP 127.0.0.1.7070 > 127.0.0.1.46136: Flags [.], ack 79, win 512, "
	 "options [nop,nop,TS val 3523724660 ecr 3523724660], length 0"},
	{{false, 7070, 46136, SISN + 1, CISN + 79, FIN | PSH | ACK, 0, 512, 0, OPTS(opt_ts3), 5, 0,
	  0},
	 "IP 127.0.0.1.7070 > 127.0.0.1.46136: Flags [FP.], seq 1:6, ack 79, win 512, "
	 "options [nop,nop,TS val 3523724660 ecr 3523724660], length 5"},
	{{false, 46136, 7070, CISN + 79, SISN + 7, URG | ACK, 0, 512, 1, NULL, 0, 1, 0, 0},
	 "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [.U], seq 79:80, ack 7, win 512, urg 1, "
	 "length 1"},
	{{false, 7070, 46136, SISN + 7, CISN + 79, ACK, 0, 512, 0, OPTS(opt_sack), 0, 0, 0},
	 "IP 127.0.0.1.7070 > 127.0.0.1.46136: Flags [.], ack 79, win 512, "
	 "options [nop,nop,sack 1 {100:200}], length 0"},
	{{false, 46136, 7070, CISN + 80, SISN + 7, RST | ACK, 0, 0, 0, NULL, 0, 0, 0, 0},
	 "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [R.], seq 80, ack 7, win 0, length 0"},
	{{false, 46136, 7070, CISN + 80, 0, RST, 0, 0, 0, NULL, 0, 0, 0, 0},
	 "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [R], seq 3564383468, win 0, length 0"},
	{{true, 50000, 443, 7, 0, SYN, 0, 100, 0, NULL, 0, 0, 0, 0},
	 "IP6 ::1.50000 > ::1.443: Flags [S], seq 7, win 100, length 0"},
	{{false, 46137, 7070, 5, 0, SYN | ECE | CWR, 0, 100, 0, NULL, 0, 0, 0, 0},
	 "IP 127.0.0.1.46137 > 127.0.0.1.7070: Flags [SEW], seq 5, win 100, length 0"},
	{{false, 46138, 7070, 9, 0, 0, 0, 100, 0, NULL, 0, 0, 0, 0},
	 "IP 127.0.0.1.46138 > 127.0.0.1.7070: Flags [none], win 100, length 0"},
	/*
	 * Cut by the capture: in the options (after sackOK's kind byte, inside the
	 * timestamp, inside the MSS), in the fixed header, in the ports.
	 */
	{{false, 46139, 7070, 1, 0, SYN, 0, 100, 0, OPTS(opt_syn), 0, 0, 14 + 20 + 20 + 5},
	 "IP 127.0.0.1.46139 > 127.0.0.1.7070: Flags [S], seq 1, win 100, "
	 "options [mss 65495, [|tcp]"},
	{{false, 46144, 7070, 1, 0, SYN, 0, 100, 0, OPTS(opt_syn), 0, 0, 14 + 20 + 20 + 4 + 2 + 5},
	 "IP 127.0.0.1.46144 > 127.0.0.1.7070: Flags [S], seq 1, win 100, "
	 "options [mss 65495,sackOK,TS [|tcp]>"},
	{{false, 46145, 7070, 1, 0, SYN, 0, 100, 0, OPTS(opt_syn), 0, 0, 14 + 20 + 20 + 3},
	 "IP 127.0.0.1.46145 > 127.0.0.1.7070: Flags [S], seq 1, win 100, options [mss [|tcp]"},
	{{false, 46140, 7070, 1, 0, SYN, 0, 100, 0, NULL, 0, 0, 0, 14 + 20 + 10},
	 "IP 127.0.0.1.46140 > 127.0.0.1.7070:  [|tcp]"},
	{{false, 46141, 7070, 1, 0, SYN, 0, 100, 0, NULL, 0, 0, 0, 14 + 20 + 2},
	 "IP 127.0.0.1 > 127.0.0.1: [|tcp]"},
	/* Damaged data offsets. */
	{{false, 46142, 7070, 1, 0, SYN, 4, 100, 0, NULL, 0, 0, 0, 0},
	 "IP 127.0.0.1.46142 > 127.0.0.1.7070:  tcp 4 [bad hdr length 16 - too short, < 20]"},
	{{false, 46143, 7070, 1, 0, SYN, 15, 100, 0, NULL, 0, 0, 0, 0},
	 "IP 127.0.0.1.46143 > 127.0.0.1.7070: Flags [S] [bad hdr length 60 - too long, > 20]"},
};

/* With -v: the IP header line, and the TCP checksum verdict. */
static const struct line_case verbose[] = {
	{{false, 46136, 7070, CISN, 0, SYN, 0, 65495, 0, OPTS(opt_syn), 0, 0, 0},
	 "IP (tos 0x0, ttl 64, id 19239, offset 0, flags [DF], proto TCP (6), length 60)\n"
	 "    127.0.0.1.46136 > 127.0.0.1.7070: Flags [S], cksum 0xe79e (correct), "
	 "seq 3564383388, win 65495, options [mss 65495,sackOK,TS val 3523724659 ecr 0,nop,"
	 "wscale 7], length 0"},
	{{false, 46136, 7070, CISN, 0, SYN, 0, 65495, 0, OPTS(opt_syn), 0, 0xfe30, 0},
	 "IP (tos 0x0, ttl 64, id 19239, offset 0, flags [DF], proto TCP (6), length 60)\n"
	 "    127.0.0.1.46136 > 127.0.0.1.7070: Flags [S], cksum 0xfe30 (incorrect -> 0xe79e), "
	 "seq 3564383388, win 65495, options [mss 65495,sackOK,TS val 3523724659 ecr 0,nop,"
	 "wscale 7], length 0"},
	{{true, 50000, 443, 7, 0, SYN, 0, 100, 0, NULL, 0, 0, 0, 0},
	 "IP6 (hlim 64, next-header TCP (6) payload length: 20) ::1.50000 > ::1.443: Flags [S], "
	 "cksum 0xea6a (correct), seq 7, win 100, length 0"},
};

static const uint8_t lo4[4] = {127, 0, 0, 1};
static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* Build the Ethernet frame for s into out; returns its length. */
static size_t build_frame(const struct seg_spec *s, uint8_t *out, size_t cap)
{
	size_t iplen = s->v6 ? 40 : 20, hlen = 20u + s->optlen, seglen = hlen + s->paylen;
	size_t len = 14 + iplen + seglen, i;
	uint8_t *ip = out + 14, *tcp = ip + iplen;
	uint32_t sum;

	assert_true(len <= cap);
	memset(out, 0, len);
	put16(out + 12, s->v6 ? 0x86dd : 0x0800);
	if (s->v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint32_t)seglen);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, lo6, 16);
		memcpy(ip + 24, lo6, 16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint32_t)(iplen + seglen));
		put16(ip + 4, 19239);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, lo4, 4);
		memcpy(ip + 16, lo4, 4);
		put16(ip + 10, fold_not(sum16(0, ip, 20)));
	}
	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)((s->off ? s->off : hlen / 4) << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, s->win);
	put16(tcp + 18, s->urp);
	if (s->optlen)
		memcpy(tcp + 20, s->opts, s->optlen);
	for (i = 0; i < s->paylen; i++)
		tcp[hlen + i] = (uint8_t)('a' + i % 26);
	if (s->sum) {
		put16(tcp + 16, s->sum);
	} else {
		sum = s->v6 ? sum16(0, ip + 8, 32) : sum16(0, ip + 12, 8);
		sum += 6 + (uint32_t)seglen;
		sum = sum16(sum, tcp, seglen);
		put16(tcp + 16, fold_not(sum));
	}
	return len;
}

static uint8_t frame_buf[2048];

/* Decode s as captured (caplen) and make tcpdump's relative numbers for it. */
static void decode_spec(const struct seg_spec *s, bool verify, struct relseq *r, struct packet *p,
			struct relseq_view *v)
{
	struct decode_opts o = {.verify_checksums = verify};
	size_t len = build_frame(s, frame_buf, sizeof(frame_buf));
	uint32_t cap = s->caplen ? s->caplen : (uint32_t)len;

	memset(p, 0, sizeof(*p)); /* timestamps are the capture's, not the decoder's */
	decode_packet(LINK_EN10MB, frame_buf, cap, (uint32_t)len, &o, p);
	assert_true(packet_is_tcp(p));
	v->seq = p->tcp.seq;
	v->ack = p->tcp.ack;
	v->sack_base = 0;
	if (packet_has_tcp(p))
		assert_true(relseq_apply(r, false, p, v));
}

/* A printer and tcpdump's relative-number table, freed by the teardown even when a test fails. */
struct fx {
	struct printer *pr;
	struct relseq *r;
	int vflag;
};

static int fx_setup(void **state, enum ts_mode ts, int vflag)
{
	static struct fx f;
	struct print_opts po;

	memset(&po, 0, sizeof(po));
	po.ts = ts;
	po.vflag = vflag;
	f.pr = printer_new(stdout, &po);
	f.r = relseq_new();
	f.vflag = vflag;
	if (f.pr == NULL || f.r == NULL)
		return -1;
	*state = &f;
	return 0;
}

static int setup_plain(void **state)
{
	return fx_setup(state, TS_NONE, 0);
}

static int setup_verbose(void **state)
{
	return fx_setup(state, TS_NONE, 1);
}

static int setup_epoch(void **state)
{
	return fx_setup(state, TS_EPOCH, 0);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	printer_free(f->pr);
	relseq_free(f->r);
	f->pr = NULL;
	f->r = NULL;
	return 0;
}

/* Format every case in order and compare with tcpdump's line (plus the newline). */
static void check_lines(struct fx *f, const struct line_case *cases, size_t n)
{
	struct labels none = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		struct packet p;
		struct relseq_view v;
		char line[1024], want[1024];
		size_t len;

		decode_spec(&cases[i].s, f->vflag > 0, f->r, &p, &v);
		len = print_text_format(f->pr, &p, &v, &none, NULL, line, sizeof(line));
		snprintf(want, sizeof(want), "%s\n", cases[i].want);
		if (strcmp(line, want) != 0)
			fail_msg("case %zu:\n  got  %s  want %s", i, line, want);
		assert_int_equal(len, strlen(want));
	}
}

static void test_print_conversation(void **state)
{
	check_lines(*state, conversation, sizeof(conversation) / sizeof(conversation[0]));
}

static void test_print_verbose(void **state)
{
	check_lines(*state, verbose, sizeof(verbose) / sizeof(verbose[0]));
}

/* A SYN with ISN 1 and TS val 1, printed as the first packet of the run. */
static void test_print_syn_example(void **state)
{
	static const struct line_case c[] = {
		{{false, 35180, 7070, 1, 0, SYN, 0, 65495, 0, OPTS(opt_syn_ts1), 0, 0, 0},
		 "IP 127.0.0.1.35180 > 127.0.0.1.7070: Flags [S], seq 1, win 65495, "
		 "options [mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"},
	};

	check_lines(*state, c, 1);
}

/* -S: raw numbers where tcpdump would print relative ones. */
static void test_print_absolute(void **state)
{
	struct fx *f = *state;
	struct packet p;
	struct relseq_view v;
	char line[512];
	size_t i;

	/* The handshake first, so that relative numbers would differ. */
	for (i = 0; i < 3; i++)
		decode_spec(&conversation[i].s, false, f->r, &p, &v);
	decode_spec(&conversation[3].s, false, f->r, &p, &v);
	assert_int_equal(v.seq, 1);
	assert_true(relseq_apply(f->r, true, &p, &v));
	print_text_format(f->pr, &p, &v, NULL, NULL, line, sizeof(line));
	assert_string_equal(line, "IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [P.], "
				  "seq 3564383389:3564383467, ack 1254633830, win 512, options "
				  "[nop,nop,TS val 3523724660 ecr 3523724659], length 78\n");
}

/* -tt: seconds since the epoch and six digits of microseconds. */
static void test_print_epoch_timestamp(void **state)
{
	struct fx *f = *state;
	struct packet p;
	struct relseq_view v;
	char line[512];

	decode_spec(&conversation[0].s, false, f->r, &p, &v);
	p.ts_sec = 1700000000;
	p.ts_frac = 12345;
	p.ts_nano = false;
	print_text_format(f->pr, &p, &v, NULL, NULL, line, sizeof(line));
	assert_string_equal(line, "1700000000.012345 IP 127.0.0.1.46136 > 127.0.0.1.7070: "
				  "Flags [S], seq 3564383388, win 65495, options [mss 65495,"
				  "sackOK,TS val 3523724659 ecr 0,nop,wscale 7], length 0\n");
}

static const char *const syn_line =
	"IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [S], seq 3564383388, win 65495, "
	"options [mss 65495,sackOK,TS val 3523724659 ecr 0,nop,wscale 7], length 0";

/* Labels follow after two spaces and "# "; an empty set adds nothing. */
static void test_print_labels_suffix(void **state)
{
	struct fx *f = *state;
	struct packet p;
	struct relseq_view v;
	struct labels l = {0};
	char line[512], want[512];
	size_t n;

	decode_spec(&conversation[0].s, false, f->r, &p, &v);

	n = print_text_format(f->pr, &p, &v, &l, NULL, line, sizeof(line));
	snprintf(want, sizeof(want), "%s\n", syn_line);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));
	assert_null(strchr(line, '#'));

	n = print_text_format(f->pr, &p, &v, NULL, NULL, line, sizeof(line));
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));

	labels_add(&l, LABEL_HANDSHAKE_1);
	n = print_text_format(f->pr, &p, &v, &l, NULL, line, sizeof(line));
	snprintf(want, sizeof(want), "%s  # handshake 1/3\n", syn_line);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));

	labels_add(&l, LABEL_PORT_REUSE);
	n = print_text_format(f->pr, &p, &v, &l, NULL, line, sizeof(line));
	snprintf(want, sizeof(want), "%s  # handshake 1/3, port reuse\n", syn_line);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));
}

/*
 * print_text_packet with -# and a dump: the number first, the labels on the
 * packet's line, then the dump from the network header (-x), from the frame's
 * first byte (-xx), or from it too where tcpdump gave up through longjmp (an
 * option's length byte not captured) but not where its LENCHECK stopped.
 */
static void test_print_number_and_dump(void **state)
{
	static const struct {
		uint32_t caplen; /* of the 74-byte SYN; 0: all of it */
		bool link;
		const char *dump;
	} c[] = {
		{0, false, "\t0x0000:  4500 003c 4b27 4000 4006 f192 7f00 0001\n"},
		{0, true, "\t0x0000:  0000 0000 0000 0000 0000 0000 0800 4500\n"},
		{14 + 20 + 20 + 1, false, "\t0x0000:  0000 0000 0000 0000 0000 0000 0800 4500\n"},
		{14 + 20 + 20 + 3, false, "\t0x0000:  4500 003c 4b27 4000 4006 f192 7f00 0001\n"},
	};
	static const char number_line[] = "70000  IP 127.0.0.1.46136 > 127.0.0.1.7070: Flags [S]";
	static const char labels_end[] = "  # handshake 1/3\n";
	struct labels l = {0};
	size_t i;

	(void)state;
	labels_add(&l, LABEL_HANDSHAKE_1);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct print_opts po = {.ts = TS_NONE, .number = true, .dump = DUMP_HEX,
					.dump_link = c[i].link};
		struct seg_spec spec = conversation[0].s;
		char *mem = NULL;
		size_t memlen = 0;
		FILE *f = open_memstream(&mem, &memlen);
		struct printer *pr = printer_new(f, &po);
		struct relseq *r = relseq_new();
		struct packet p;
		struct relseq_view v;
		const char *nl;

		assert_non_null(pr);
		assert_non_null(r);
		spec.caplen = c[i].caplen;
		decode_spec(&spec, false, r, &p, &v);
		p.number = 70000;
		assert_true(print_text_packet(pr, &p, &v, &l, NULL));
		printer_free(pr);
		relseq_free(r);
		assert_int_equal(fclose(f), 0);
		assert_memory_equal(mem, number_line, strlen(number_line));
		nl = strchr(mem, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - mem) > strlen(labels_end));
		assert_memory_equal(nl + 1 - strlen(labels_end), labels_end, strlen(labels_end));
		if (strncmp(nl + 1, c[i].dump, strlen(c[i].dump)) != 0)
			fail_msg("case %zu: got %s", i, nl + 1);
		free(mem);
	}
}

/*
 * A small buffer: the line is cut, keeps its newline, is NUL-terminated,
 * and not one byte is written past cap.
 */
static void check_cap(struct fx *f, const struct packet *p, const struct relseq_view *v,
		      const struct labels *l, const char *full, size_t cap)
{
	char buf[600];
	size_t n, i, fl = strlen(full);

	assert_true(cap + 64 <= sizeof(buf));
	memset(buf, 'Z', sizeof(buf));
	n = print_text_format(f->pr, p, v, l, NULL, buf, cap);
	for (i = cap; i < sizeof(buf); i++)
		if (buf[i] != 'Z')
			fail_msg("cap %zu: byte %zu written past the buffer", cap, i);
	if (cap == 0) {
		assert_int_equal(n, 0);
		return;
	}
	assert_true(n < cap);
	assert_int_equal(buf[n], '\0');
	assert_int_equal(strlen(buf), n);
	if (cap >= 2) {
		/* The start of the full line, then the newline. */
		assert_true(n >= 1);
		assert_int_equal(buf[n - 1], '\n');
		assert_true(n - 1 <= fl);
		assert_memory_equal(buf, full, n - 1);
	}
	if (cap > fl)
		assert_string_equal(buf, full);
}

static void test_print_small_buffer(void **state)
{
	struct fx *f = *state;
	struct packet p;
	struct relseq_view v;
	struct labels l = {0};
	char full[600];
	size_t cap, fl;

	decode_spec(&conversation[0].s, false, f->r, &p, &v);
	labels_add(&l, LABEL_HANDSHAKE_1);
	labels_add(&l, LABEL_PORT_REUSE);
	fl = print_text_format(f->pr, &p, &v, &l, NULL, full, sizeof(full));
	assert_int_equal(fl, strlen(full));
	assert_true(fl > 150);

	/* A 16-byte buffer. */
	{
		char buf[64];
		size_t n;

		memset(buf, 'Z', sizeof(buf));
		n = print_text_format(f->pr, &p, &v, &l, NULL, buf, 16);
		assert_int_equal(n, 15);
		assert_int_equal(buf[15], '\0');
		assert_int_equal(buf[14], '\n');
		assert_memory_equal(buf, "IP 127.0.0.1.4", 14);
		assert_int_equal(buf[16], 'Z');
	}
	/* Every cap from 2 up to past the full length (labels and all). */
	for (cap = 2; cap <= fl + 2; cap++)
		check_cap(f, &p, &v, &l, full, cap);
}

/* The first line of the conversation, without labels, into a buffer of cap bytes. */
static void check_first_line_cap(struct fx *f, size_t cap)
{
	struct packet p;
	struct relseq_view v;
	char full[600];

	decode_spec(&conversation[0].s, false, f->r, &p, &v);
	print_text_format(f->pr, &p, &v, NULL, NULL, full, sizeof(full));
	check_cap(f, &p, &v, NULL, full, cap);
}

/* cap 1: room for the NUL only; nothing may be written past it. */
static void test_print_buffer_of_one(void **state)
{
	check_first_line_cap(*state, 1);
}

/* cap 0: no room at all; nothing may be written. */
static void test_print_buffer_of_zero(void **state)
{
	check_first_line_cap(*state, 0);
}

/* ------------------------------------------------------------------ */
/* IPv6 extension headers (the raw IPv6 frames of fixtures.h; checked with tcpdump -S) */

struct raw_case {
	const uint8_t *bytes;
	uint32_t len, caplen;
	int vflag;
	const char *want;
};

/* Print each raw IPv6 frame with raw (-S) numbers; report every line that differs. */
static void check_raw_lines(const struct raw_case *c, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		struct print_opts po = {.ts = TS_NONE, .vflag = c[i].vflag};
		struct decode_opts o = {.verify_checksums = c[i].vflag > 0};
		struct printer *pr;
		struct packet p;
		struct relseq_view v;
		char line[1024], want[1024];

		memset(&p, 0, sizeof(p)); /* timestamps are the capture's, not the decoder's */
		decode_packet(LINK_RAW, c[i].bytes, c[i].caplen, c[i].len, &o, &p);
		assert_true(packet_is_tcp(&p)); /* what the pipeline prints */
		pr = printer_new(stdout, &po);
		assert_non_null(pr);
		v.seq = p.tcp.seq;
		v.ack = p.tcp.ack;
		v.sack_base = 0;
		print_text_format(pr, &p, &v, NULL, NULL, line, sizeof(line));
		printer_free(pr);
		snprintf(want, sizeof(want), "%s\n", c[i].want);
		if (strcmp(line, want) != 0) {
			print_error("case %zu (caplen %u, -v %d):\n  got  %s  want %s", i,
				    (unsigned)c[i].caplen, c[i].vflag, line, want);
			bad++;
		}
	}
	if (bad)
		fail_msg("%zu of %zu lines differ from tcpdump's", bad, n);
}

static void test_print_ipv6_ext_plain(void **state)
{
	static const struct raw_case c[] = {
		{f_raw6_hbh, sizeof(f_raw6_hbh), sizeof(f_raw6_hbh), 0,
		 "IP6 2001:db8::1 > 2001:db8::2: HBH 50000 > 443: Flags [P.], seq 257:259, "
		 "ack 4294967281, win 512, length 2"},
		{f_raw6_frag, sizeof(f_raw6_frag), sizeof(f_raw6_frag), 0,
		 "IP6 2001:db8::1 > 2001:db8::2: frag (0|24) 50000 > 443: Flags [P.], seq 259:263, "
		 "ack 4294967281, win 512, length 4"},
		/* Cut inside the TCP header: the addresses again, then [|tcp]. */
		{f_raw6_frag, sizeof(f_raw6_frag), 50, 0,
		 "IP6 2001:db8::1 > 2001:db8::2: frag (0|24) 2001:db8::1 > 2001:db8::2: [|tcp]"},
	};

	(void)state;
	check_raw_lines(c, sizeof(c) / sizeof(c[0]));
}

/* -v: tcpdump names the hop-by-hop options and shows the fragment id. */
static void test_print_ipv6_ext_verbose(void **state)
{
	static const struct raw_case c[] = {
		{f_raw6_hbh, sizeof(f_raw6_hbh), sizeof(f_raw6_hbh), 1,
		 "IP6 (hlim 64, next-header Options (0) payload length: 30) 2001:db8::1 > "
		 "2001:db8::2: HBH (padn) 50000 > 443: Flags [P.], cksum 0x23ee (correct), "
		 "seq 257:259, ack 4294967281, win 512, length 2"},
		{f_raw6_frag, sizeof(f_raw6_frag), sizeof(f_raw6_frag), 1,
		 "IP6 (hlim 64, next-header Fragment (44) payload length: 32) 2001:db8::1 > "
		 "2001:db8::2: frag (0x12345678:0|24) 50000 > 443: Flags [P.], seq 259:263, "
		 "ack 4294967281, win 512, length 4"},
	};

	(void)state;
	check_raw_lines(c, sizeof(c) / sizeof(c[0]));
}

/*
 * Cut right after an extension header: after hop-by-hop tcpdump goes on to
 * TCP's " [|tcp]", after a first fragment's header it prints nothing more.
 */
static void test_print_ipv6_ext_truncated(void **state)
{
	static const struct raw_case c[] = {
		{f_raw6_hbh, sizeof(f_raw6_hbh), 48, 0,
		 "IP6 2001:db8::1 > 2001:db8::2: HBH 2001:db8::1 > 2001:db8::2: [|tcp]"},
		{f_raw6_hbh, sizeof(f_raw6_hbh), 48, 1,
		 "IP6 (hlim 64, next-header Options (0) payload length: 30) 2001:db8::1 > "
		 "2001:db8::2: HBH (padn) 2001:db8::1 > 2001:db8::2: [|tcp]"},
		{f_raw6_frag, sizeof(f_raw6_frag), 48, 0,
		 "IP6 2001:db8::1 > 2001:db8::2: frag (0|24) "},
		{f_raw6_frag, sizeof(f_raw6_frag), 48, 1,
		 "IP6 (hlim 64, next-header Fragment (44) payload length: 32) 2001:db8::1 > "
		 "2001:db8::2: frag (0x12345678:0|24) "},
	};

	(void)state;
	check_raw_lines(c, sizeof(c) / sizeof(c[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_print_conversation, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_print_verbose, setup_verbose, teardown),
		cmocka_unit_test_setup_teardown(test_print_syn_example, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_print_absolute, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_print_epoch_timestamp, setup_epoch, teardown),
		cmocka_unit_test_setup_teardown(test_print_labels_suffix, setup_plain, teardown),
		cmocka_unit_test(test_print_number_and_dump),
		cmocka_unit_test_setup_teardown(test_print_small_buffer, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_print_buffer_of_one, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_print_buffer_of_zero, setup_plain, teardown),
		cmocka_unit_test(test_print_ipv6_ext_plain),
		cmocka_unit_test(test_print_ipv6_ext_verbose),
		cmocka_unit_test(test_print_ipv6_ext_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
