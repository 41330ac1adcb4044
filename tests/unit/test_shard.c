/* test_shard.c - unit tests of --shard's hash: both directions, fragments with their first, pinned values, the look before decoding. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "fixtures.h"
#include "tcpnote/decode.h"
#include "tcpnote/shard.h"

/*
 * shard_of with N = 65536 for 10.0.0.1.40000 > 10.0.0.2.80 and 2001:db8::1.50000 >
 * 2001:db8::2.443, worked out apart from this code (in Python, from shard.c's description:
 * h = version; mix in the lower and the higher address (IPv4: one word, lower << 32 | higher;
 * IPv6: four big-endian words), (port_lo << 16 | port_hi), the tunnel word 0, with mix(h, w) = ((h ^ w) * 0x9e3779b97f4a7c15
 * mod 2^64) ^ its high half; splitmix64's finalizer; modulo N).
 */
#define PINNED4 0xc4ffu
#define PINNED6 0x5201u

/* Both directions of a connection land in one shard, whatever N. */
static void test_both_directions(void **state)
{
	struct packet ab, ba;
	uint32_t n;

	(void)state;
	make_packet4(&ab, addr4_1, 40000, addr4_2, 80);
	make_packet4(&ba, addr4_2, 80, addr4_1, 40000);
	for (n = 1; n <= 64; n++) {
		struct shard *s = shard_new(0, n);

		assert_non_null(s);
		assert_int_equal(shard_of(s, &ab), shard_of(s, &ba));
		assert_true(shard_of(s, &ab) < n);
		shard_free(s);
	}
}

/*
 * The same on every machine: no seed, numbers hashed in network byte order. A
 * change of the hash splits differently from older tcpnotes on other hosts, so it
 * must be deliberate.
 */
static void test_pinned_values(void **state)
{
	struct packet p4, p6;
	struct shard *s = shard_new(0, SHARD_MAX);

	(void)state;
	assert_non_null(s);
	make_packet4(&p4, addr4_1, 40000, addr4_2, 80);
	make_packet6(&p6, addr6_1, 50000, addr6_2, 443);
	assert_int_equal(shard_of(s, &p4), PINNED4);
	assert_int_equal(shard_of(s, &p6), PINNED6);
	shard_free(s);
}

/* A later fragment (no ports) follows its first fragment; without it, it goes by its addresses. */
static void test_fragments_follow_the_first(void **state)
{
	struct packet first, later, whole;
	struct decode_opts o;
	uint8_t buf[sizeof(f_raw6_frag)];
	uint32_t n;

	(void)state;
	memset(&o, 0, sizeof(o));
	memcpy(buf, f_raw6_frag, sizeof(buf));
	buf[43] = 0x08; /* offset 8, the last fragment */
	decode_packet(LINK_RAW, buf, sizeof(buf), sizeof(buf), &o, &later);
	assert_int_equal(later.stop, STOP_IP_FRAGMENT);
	decode_packet(LINK_RAW, f_raw6_frag, sizeof(buf), sizeof(buf), &o, &first);
	assert_int_equal(first.stop, STOP_NONE);
	decode_packet(LINK_RAW, f_raw6_hbh, sizeof(f_raw6_hbh), sizeof(f_raw6_hbh), &o, &whole);
	assert_int_equal(whole.stop, STOP_NONE);
	for (n = 2; n <= 16; n++) {
		struct shard *s = shard_new(1, n);
		struct shard *fresh = shard_new(1, n);
		uint32_t alone;

		assert_non_null(s);
		assert_non_null(fresh);
		/* The first fragment is in its connection's shard; the later one follows it. */
		assert_int_equal(shard_of(s, &first), shard_of(s, &whole));
		assert_int_equal(shard_of(s, &later), shard_of(s, &whole));
		/* Not seen first: by the addresses, the same in every shard process. */
		alone = shard_of(fresh, &later);
		assert_true(alone < n);
		assert_int_equal(shard_of(fresh, &later), alone);
		/* Another datagram's later fragment (other identification) does not take the slot's shard by mistake. */
		buf[44] ^= 0xff;
		decode_packet(LINK_RAW, buf, sizeof(buf), sizeof(buf), &o, &later);
		assert_int_equal(shard_of(s, &later), shard_of(fresh, &later));
		buf[44] ^= 0xff;
		decode_packet(LINK_RAW, buf, sizeof(buf), sizeof(buf), &o, &later);
		shard_free(s);
		shard_free(fresh);
	}
}

/* Each of N shards keeps what hashes to it: every packet kept by exactly one. */
static void test_exactly_one_keeps(void **state)
{
	struct shard *s[5];
	struct packet p;
	unsigned i, k, kept[5] = {0, 0, 0, 0, 0};

	(void)state;
	for (k = 0; k < 5; k++) {
		s[k] = shard_new(k, 5);
		assert_non_null(s[k]);
	}
	for (i = 0; i < 1000; i++) {
		unsigned keepers = 0;

		make_packet4(&p, addr4_1, (uint16_t)(10000 + i), addr4_2, 80);
		for (k = 0; k < 5; k++)
			if (shard_keep(s[k], &p)) {
				keepers++;
				kept[k]++;
			}
		assert_int_equal(keepers, 1);
	}
	/* 1000 ports spread over 5 shards: none far from 200; the undecoded record is shard 0's alone. */
	for (k = 0; k < 5; k++) {
		assert_true(kept[k] > 140 && kept[k] < 260);
		assert_int_equal(shard_keep_undecoded(s[k]), k == 0);
		shard_free(s[k]);
	}
}

/*
 * shard_peek against the full decode, on every frame of every capture of
 * pcaps/ (and its subdirectories), as recorded and under other link layers,
 * cut short at every length through the headers, and with each header byte
 * changed: whenever the look decides, it decides as shard_of does on the
 * decoded packet; and it decides every plain TCP frame (no tunnel, tag,
 * fragment, IP options or extension headers) of the recordings.
 */
#define PEEK_N SHARD_MAX   /* the most shards: any difference in the key shows */
#define PEEK_HEADERS 68    /* bytes through the link, IP and TCP headers, cut and changed */
#define PEEK_FRAME 2048    /* the part of a frame looked at (the headers and more) */

struct peek_count {
	unsigned long looked, decided, plain, plain_decided;
};

/* A packet the look is meant to decide: TCP with its ports right after a plain IP header. */
static bool plain_tcp(const struct packet *p)
{
	bool ports = packet_has_tcp(p) || p->stop == STOP_TCP_TRUNC_HDR || p->stop == STOP_TCP_HLEN_SHORT;

	return ports && p->tun.depth == 0 && p->link.ntags == 0 && !p->ip.head.fragmented &&
	       (p->ip.head.version == 4 ? p->ip.head.hlen == 20 : p->ip.head.next_ext == 0);
}

/*
 * One frame both ways, as the pipeline did (the decode, then shard_of: in
 * full) and does (the look, else the decode and shard_of: in looked, whose
 * fragment table sees only the frames the look left): the same shard.
 */
static void peek_one(struct shard *const s[2], int dlt, const uint8_t *b, uint32_t caplen, uint32_t wirelen,
		     struct peek_count *c, bool count_plain)
{
	static struct packet p;
	struct decode_opts o;
	uint32_t peeked, was;
	bool decided;

	memset(&o, 0, sizeof(o));
	decode_packet(dlt, b, caplen, wirelen, &o, &p);
	decided = shard_peek(s[1], dlt, b, caplen, wirelen, &peeked);
	c->looked++;
	if (decided) {
		c->decided++;
		assert_true(caplen <= wirelen && packet_is_tcp(&p));
	}
	if (packet_is_tcp(&p)) {
		was = shard_of(s[0], &p);
		if (!decided)
			peeked = shard_of(s[1], &p);
		if (peeked != was)
			fail_msg("link type %d, %u of %u bytes: shard %u %s, %u before", dlt, caplen, wirelen,
				 peeked, decided ? "by the look" : "decoded", was);
	}
	if (count_plain && plain_tcp(&p)) {
		c->plain++;
		c->plain_decided += decided;
	}
}

/* The frame as recorded, cut short at every length through its headers, each header byte changed. */
static void peek_variants(struct shard *const s[2], int dlt, uint8_t *b, uint32_t caplen, uint32_t wirelen,
			  struct peek_count *c)
{
	static const uint8_t changes[] = {0x00, 0xff, 0x01, 0x40};
	uint32_t cut, at;
	unsigned i;

	peek_one(s, dlt, b, caplen, wirelen, c, true);
	for (cut = 0; cut < caplen && cut <= PEEK_HEADERS; cut++) {
		peek_one(s, dlt, b, cut, wirelen, c, false);
		peek_one(s, dlt, b, cut, cut, c, false);
	}
	for (at = 0; at < caplen && at < PEEK_HEADERS; at++) {
		uint8_t keep = b[at];

		for (i = 0; i < sizeof(changes); i++) {
			b[at] = i < 2 ? changes[i] : (uint8_t)(keep ^ changes[i]);
			peek_one(s, dlt, b, caplen, wirelen, c, false);
		}
		b[at] = keep;
	}
}

/*
 * An Ethernet frame's packet under the other link layers the look reads:
 * raw IP, BSD loopback (either byte order), Linux cooked v1 and v2.
 */
static void peek_relinked(struct shard *const s[2], const uint8_t *eth, uint32_t caplen, uint32_t wirelen,
			  struct peek_count *c)
{
	static uint8_t b[PEEK_FRAME + 20];
	uint32_t n = caplen - 14, af;
	uint8_t t0 = eth[12], t1 = eth[13];

	memcpy(b, eth + 14, n);
	peek_variants(s, LINK_RAW, b, n, wirelen - 14, c);
	peek_variants(s, t0 == 0x08 ? LINK_IPV4 : LINK_IPV6, b, n, wirelen - 14, c);
	af = t0 == 0x08 && t1 == 0x00 ? 2 : 30;
	memcpy(b + 4, eth + 14, n);
	b[0] = (uint8_t)af; /* written little-endian */
	b[1] = b[2] = b[3] = 0;
	peek_variants(s, LINK_NULL, b, n + 4, wirelen - 10, c);
	b[0] = b[1] = b[2] = 0;
	b[3] = (uint8_t)af;
	peek_variants(s, LINK_LOOP, b, n + 4, wirelen - 10, c);
	memset(b, 0, 16);
	memcpy(b + 16, eth + 14, n);
	b[3] = 1; /* ARPHRD_ETHER */
	b[5] = 6;
	b[14] = t0;
	b[15] = t1;
	peek_variants(s, LINK_LINUX_SLL, b, n + 16, wirelen + 2, c);
	memset(b, 0, 20);
	memcpy(b + 20, eth + 14, n);
	b[0] = t0;
	b[1] = t1;
	b[9] = 1;
	b[11] = 6;
	peek_variants(s, LINK_LINUX_SLL2, b, n + 20, wirelen + 6, c);
}

static void peek_file(struct shard *const s[2], const char *path, struct peek_count *c)
{
	static uint8_t b[PEEK_FRAME];
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc = pcap_open_offline(path, ebuf);
	int dlt;

	if (pc == NULL)
		fail_msg("%s: %s", path, ebuf);
	dlt = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		uint32_t n = h->caplen < PEEK_FRAME ? h->caplen : PEEK_FRAME;
		uint32_t wire = h->len;

		memcpy(b, bytes, n);
		peek_variants(s, dlt, b, n, wire, c);
		if (dlt == LINK_EN10MB && n >= 14 && b[12] == 0x08 && b[13] == 0x00)
			peek_relinked(s, b, n, wire, c);
		else if (dlt == LINK_EN10MB && n >= 14 && b[12] == 0x86 && b[13] == 0xdd)
			peek_relinked(s, b, n, wire, c);
	}
	pcap_close(pc);
}

/* Every capture in dir and in its subdirectories; the number of files read. */
static unsigned peek_dir(struct shard *const s[2], const char *dir, struct peek_count *c)
{
	char path[1024];
	struct dirent *e;
	DIR *d = opendir(dir);
	unsigned files = 0;
	size_t len;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".pcap") == 0) {
			peek_file(s, path, c);
			files++;
		} else if (e->d_type == DT_DIR) {
			files += peek_dir(s, path, c);
		}
	}
	closedir(d);
	return files;
}

static void test_peek_agrees_with_decode(void **state)
{
	struct shard *s[2] = {shard_new(0, PEEK_N), shard_new(0, PEEK_N)}; /* before, with the look */
	struct peek_count c = {0, 0, 0, 0};
	unsigned files;

	(void)state;
	assert_non_null(s[0]);
	assert_non_null(s[1]);
	files = peek_dir(s, TCPNOTE_PCAPS, &c);
	printf("# %u captures: %lu frames looked at, %lu decided by the look; %lu plain TCP recorded, %lu decided\n",
	       files, c.looked, c.decided, c.plain, c.plain_decided);
	assert_true(files >= 50);
	assert_true(c.plain > 10000);
	assert_int_equal(c.plain_decided, c.plain);
	assert_true(c.decided > c.plain);
	shard_free(s[0]);
	shard_free(s[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_pinned_values),
		cmocka_unit_test(test_fragments_follow_the_first),
		cmocka_unit_test(test_exactly_one_keeps),
		cmocka_unit_test(test_peek_agrees_with_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
