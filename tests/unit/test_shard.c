/* test_shard.c - unit tests of --shard's hash: both directions, fragments with their first, pinned values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_pinned_values),
		cmocka_unit_test(test_fragments_follow_the_first),
		cmocka_unit_test(test_exactly_one_keeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
