/* test_community_id.c - Community ID v1 against the specification's published baseline vectors. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/community_id.h"
#include "tcpnote/decode.h"

/*
 * corelight/community-id-spec baseline/README.md ("Default settings", "A custom
 * seed=1 value") and baseline/baseline_deflt.json (pycommunityid on the spec's
 * pcaps): TCP, UDP, SCTP and the port-less RSVP rows, both directions each. The
 * ICMP rows are left out: their type/code treatment is not implemented (tcpnote
 * hashes TCP only). sport -1: hashed without ports.
 */
struct vector {
	uint16_t seed;
	uint8_t proto;
	const char *saddr, *daddr;
	int sport, dport;
	const char *id;
};

static const struct vector vectors[] = {
	{0, 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
	{0, 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
	{0, 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
	{0, 17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
	{0, 132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
	{0, 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
	{0, 46, "1.2.3.4", "5.6.7.8", -1, -1, "1:ikv3kmf89luf73WPz1jOs49S768="},
	{0, 46, "5.6.7.8", "1.2.3.4", -1, -1, "1:ikv3kmf89luf73WPz1jOs49S768="},
	{0, 46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D",
	 -1, -1, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
	{0, 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	 -1, -1, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
	{1, 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
	{1, 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
	{1, 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:OShq+iKDAMVouh/4bMxB9Sz4amw="},
	{1, 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:uitchpn5MMGAQKBJh7bIr/bAr7s="},
	{1, 46, "1.2.3.4", "5.6.7.8", -1, -1, "1:/buhqeOmaRCopOZFy9HnoJd5XW8="},
	{1, 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D",
	 -1, -1, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="},
	/* baseline_deflt.json: real packets of the spec's combined.pcap */
	{0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{0, 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
	{0, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
};

/* An address of the table, as inet_pton reads it; its length. */
static uint8_t parse_addr(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
	return 16;
}

/*
 * Every vector, three rounds: the first hashes, the later ones are answered
 * from the cache of recent IDs (in another order: each answer must still be
 * its own tuple's, not the last one's or a neighbour's in the cache).
 */
static void test_spec_vectors(void **state)
{
	size_t round, n = sizeof(vectors) / sizeof(vectors[0]);

	(void)state;
	for (round = 0; round < 3 * n; round++) {
		const struct vector *v = &vectors[round < n ? round : round < 2 * n ? 2 * n - 1 - round : (round * 7) % n];
		uint8_t a[16], b[16];
		struct community_tuple t;
		char id[COMMUNITY_ID_LEN + 1];

		case_begin("%s %d > %s %d proto %u seed %u", v->saddr, v->sport, v->daddr, v->dport,
			   v->proto, v->seed);
		t.addrlen = parse_addr(v->saddr, a);
		assert_int_equal(parse_addr(v->daddr, b), t.addrlen);
		t.saddr = a;
		t.daddr = b;
		t.proto = v->proto;
		t.has_ports = v->sport >= 0;
		t.sport = (uint16_t)(v->sport >= 0 ? v->sport : 0);
		t.dport = (uint16_t)(v->dport >= 0 ? v->dport : 0);
		assert_true(community_id_v1(&t, v->seed, id));
		assert_string_equal(id, v->id);
		case_end();
	}
}

/*
 * More tuples than the cache of recent IDs has slots, hashed, then asked
 * again backwards and in both directions: hits and evictions alike give
 * each tuple the ID it got first (and no two tuples here share one).
 */
static void test_cache_answers_each_tuple_its_own(void **state)
{
	enum { N = 5000 };
	static char first[N][COMMUNITY_ID_LEN + 1];
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	char id[COMMUNITY_ID_LEN + 1];
	int i;

	(void)state;
	for (i = 0; i < 2 * N; i++) {
		int k = i < N ? i : 2 * N - 1 - i;
		bool back = i >= N && k % 2 == 1;
		struct community_tuple t = {4, back ? b : a, back ? a : b, 6, true,
					    (uint16_t)(back ? 443 : 1024 + k), (uint16_t)(back ? 1024 + k : 443)};

		a[2] = (uint8_t)(k >> 8);
		assert_true(community_id_v1(&t, 0, i < N ? first[k] : id));
		if (i >= N)
			assert_string_equal(id, first[k]);
		else if (k > 0)
			assert_string_not_equal(first[k], first[k - 1]);
	}
}

/* A packet, its reply and their connection's flow key: one ID, the TCP row of the spec. */
static void test_packet_and_flow(void **state)
{
	static const uint8_t a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
	struct packet out, back;
	struct flow_key k;
	bool lo;
	char id[COMMUNITY_ID_LEN + 1];

	(void)state;
	make_packet4(&out, a, 1122, b, 3344);
	make_packet4(&back, b, 3344, a, 1122);
	assert_true(community_id_packet(&out, 1, id));
	assert_string_equal(id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	assert_true(community_id_packet(&back, 1, id));
	assert_string_equal(id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	flow_key_of(&back, &k, &lo);
	community_id_flow(&k, id);
	assert_string_equal(id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
}

/*
 * Packets of many 5-tuples whose connection numbers pick the same cache slot
 * (1 and 1 + 4096 take slot 1): each gets its own tuple's ID, asked in turn
 * and again, and a packet without a number (0) too.
 */
static void test_packets_sharing_a_slot(void **state)
{
	static const uint8_t a[4] = {10, 1, 2, 3}, b[4] = {10, 4, 5, 6};
	char id[COMMUNITY_ID_LEN + 1], want[COMMUNITY_ID_LEN + 1];
	int i;

	(void)state;
	for (i = 0; i < 300; i++) {
		struct packet p;
		struct community_tuple t = {4, a, b, 6, true, (uint16_t)(1000 + i % 100), 80};

		make_packet4(&p, a, (uint16_t)(1000 + i % 100), b, 80);
		assert_true(community_id_v1(&t, 0, want));
		assert_true(community_id_packet(&p, i % 3 == 2 ? 0 : 1 + (uint64_t)(i % 2) * 4096, id));
		assert_string_equal(id, want);
	}
}

/* fixtures' f_raw6_frag, the first fragment, has the ports; a later one is hashed without them. */
static void test_fragment_without_ports(void **state)
{
	struct packet p;
	struct decode_opts o;
	struct community_tuple t;
	uint8_t buf[sizeof(f_raw6_frag)];
	char id[COMMUNITY_ID_LEN + 1], want[COMMUNITY_ID_LEN + 1];

	(void)state;
	memset(&o, 0, sizeof(o));
	decode_packet(LINK_RAW, f_raw6_frag, sizeof(buf), sizeof(buf), &o, &p);
	assert_int_equal(p.stop, STOP_NONE);
	t = (struct community_tuple){16, addr6_1, addr6_2, 6, true, 50000, 443};
	assert_true(community_id_v1(&t, 0, want));
	assert_true(community_id_packet(&p, 0, id));
	assert_string_equal(id, want);

	memcpy(buf, f_raw6_frag, sizeof(buf));
	buf[43] = 0x08; /* offset 8, no more fragments */
	decode_packet(LINK_RAW, buf, sizeof(buf), sizeof(buf), &o, &p);
	assert_int_equal(p.stop, STOP_IP_FRAGMENT);
	t.has_ports = false;
	assert_true(community_id_v1(&t, 0, want));
	assert_true(community_id_packet(&p, 0, id));
	assert_string_equal(id, want);
}

/* Nothing to hash: no IP addresses (decoding stopped before them). */
static void test_no_addresses(void **state)
{
	struct packet p;
	char id[COMMUNITY_ID_LEN + 1];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.stop = STOP_IP_TRUNC;
	assert_false(community_id_packet(&p, 0, id));
	assert_string_equal(id, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_cache_answers_each_tuple_its_own),
		cmocka_unit_test(test_packet_and_flow),
		cmocka_unit_test(test_packets_sharing_a_slot),
		cmocka_unit_test(test_fragment_without_ports),
		cmocka_unit_test(test_no_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
