/* test_relseq.c - unit tests of tcpdump's relative sequence numbers (relseq_apply). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/relseq.h"

static const uint8_t cli4[4] = {10, 0, 0, 1}, srv4[4] = {10, 0, 0, 2};

static void pkt4(struct packet *p, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		 uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	memset(p, 0, sizeof(*p));
	p->stop = STOP_NONE;
	p->ip.version = 4;
	p->ip.addrlen = 4;
	memcpy(p->ip.src, src, 4);
	memcpy(p->ip.dst, dst, 4);
	p->tcp.sport = sport;
	p->tcp.dport = dport;
	p->tcp.flags = flags;
	p->tcp.seq = seq;
	p->tcp.ack = ack;
	p->tcp.hlen = 20;
}

/* Client 10.0.0.1:40000 <-> server 10.0.0.2:80. */
static struct relseq_view from_client(struct relseq *r, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct packet p;
	struct relseq_view v = {0xdead, 0xdead, 0xdead};

	pkt4(&p, cli4, 40000, srv4, 80, flags, seq, ack);
	assert_true(relseq_apply(r, false, &p, &v));
	return v;
}

static struct relseq_view from_server(struct relseq *r, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct packet p;
	struct relseq_view v = {0xdead, 0xdead, 0xdead};

	pkt4(&p, srv4, 80, cli4, 40000, flags, seq, ack);
	assert_true(relseq_apply(r, false, &p, &v));
	return v;
}

#define ACK TCPF_ACK
#define SYN TCPF_SYN

/* The handshake as tcpdump prints it: [S] ISN_c, [S.] ISN_s ack ISN_c+1, [.] ack 1, ... */
static void test_relseq_handshake(void **state)
{
	const uint32_t c = 3564383388u, s = 1000000u;
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;

	assert_non_null(r);
	v = from_client(r, SYN, c, 0);
	assert_int_equal(v.seq, c);
	assert_int_equal(v.ack, 0);
	assert_int_equal(v.sack_base, 0);

	v = from_server(r, SYN | ACK, s, c + 1);
	assert_int_equal(v.seq, s);
	assert_int_equal(v.ack, c + 1);

	v = from_client(r, ACK, c + 1, s + 1);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 1);

	v = from_client(r, ACK | TCPF_PSH, c + 1, s + 1);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 1);

	v = from_server(r, ACK, s + 1, c + 79);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 79);

	v = from_server(r, ACK | TCPF_PSH, s + 1, c + 79);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 79);

	v = from_client(r, ACK | TCPF_FIN, c + 79, s + 301);
	assert_int_equal(v.seq, 79);
	assert_int_equal(v.ack, 301);
}

/*
 * Midstream: the first ACK-bearing packet prints absolute numbers and sets
 * both bases (its own seq, and its ack - 1 for the other direction).
 */
static void test_relseq_first_ack_packet_sets_bases(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;

	v = from_client(r, ACK, 1000, 5000);
	assert_int_equal(v.seq, 1000);
	assert_int_equal(v.ack, 5000);

	v = from_server(r, ACK, 5000, 1010);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 10);

	v = from_client(r, ACK, 1010, 5100);
	assert_int_equal(v.seq, 10);
	assert_int_equal(v.ack, 101);

	/* The same from the server's side first: the bases swap roles. */
	/* A fresh table (the fixture frees whichever is current). */
	relseq_free(r);
	r = relseq_new();
	assert_non_null(r);
	*(struct relseq **)*state = r;
	v = from_server(r, ACK, 7000, 300);
	assert_int_equal(v.seq, 7000);
	assert_int_equal(v.ack, 300);
	v = from_client(r, ACK, 300, 7050);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 50);
	v = from_server(r, ACK, 7050, 320);
	assert_int_equal(v.seq, 50);
	assert_int_equal(v.ack, 21);
}

/* Relative numbers wrap modulo 2^32 like tcpdump's unsigned subtraction. */
static void test_relseq_wraparound(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;

	v = from_server(r, SYN | ACK, 0xfffffff0u, 0xffffff00u);
	assert_int_equal(v.seq, 0xfffffff0u);
	v = from_client(r, ACK, 0xffffff00u, 0xfffffff1u);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 1);
	v = from_server(r, ACK, 0x00000010u, 0x00000020u);
	assert_int_equal(v.seq, 0x20);
	assert_int_equal(v.ack, 0x121);
	/* A number before the base prints as a huge one, as tcpdump does. */
	v = from_client(r, ACK, 0xfffffe00u, 0xfffffff1u);
	assert_int_equal(v.seq, 0xffffff01u);
}

/* Any SYN with ACK re-records the bases (a new connection on the same pair). */
static void test_relseq_synack_resets(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;

	from_client(r, SYN, 100, 0);
	from_server(r, SYN | ACK, 200, 101);
	v = from_client(r, ACK, 101, 201);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 1);

	/* New connection, new ISNs. */
	v = from_client(r, SYN, 90000, 0);
	assert_int_equal(v.seq, 90000);
	v = from_server(r, SYN | ACK, 70000, 90001);
	assert_int_equal(v.seq, 70000);
	assert_int_equal(v.ack, 90001);
	v = from_client(r, ACK, 90001, 70001);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 1);
	v = from_server(r, ACK, 70001, 90011);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 11);

	/* A SYN+ACK from the client side of the pair resets too, with its own orientation. */
	v = from_client(r, SYN | ACK, 5, 9);
	assert_int_equal(v.seq, 5);
	assert_int_equal(v.ack, 9);
	v = from_server(r, ACK, 9, 6);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 1);
}

/* Packets without ACK are printed as they are and do not touch the table. */
static void test_relseq_without_ack_unchanged(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;

	v = from_client(r, SYN, 123, 456);
	assert_int_equal(v.seq, 123);
	assert_int_equal(v.ack, 456);
	v = from_client(r, TCPF_RST, 124, 0);
	assert_int_equal(v.seq, 124);
	assert_int_equal(v.ack, 0);
	v = from_client(r, 0, 124, 9);
	assert_int_equal(v.seq, 124);
	/* No entry was made: the first ACK packet is still absolute. */
	v = from_client(r, ACK, 124, 999);
	assert_int_equal(v.seq, 124);
	assert_int_equal(v.ack, 999);
	/* Now an entry exists, and a RST without ACK still prints absolute. */
	v = from_client(r, TCPF_RST, 130, 0);
	assert_int_equal(v.seq, 130);
	assert_int_equal(v.ack, 0);
	assert_int_equal(v.sack_base, 0);
	v = from_client(r, ACK, 130, 1000);
	assert_int_equal(v.seq, 6);
	assert_int_equal(v.ack, 2);
}

/* -S: raw numbers, and the table is left alone. */
static void test_relseq_absolute(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;
	struct packet p;

	pkt4(&p, cli4, 40000, srv4, 80, ACK, 1000, 5000);
	assert_true(relseq_apply(r, true, &p, &v));
	assert_int_equal(v.seq, 1000);
	assert_int_equal(v.ack, 5000);
	assert_int_equal(v.sack_base, 0);
	pkt4(&p, srv4, 80, cli4, 40000, ACK, 5000, 1010);
	assert_true(relseq_apply(r, true, &p, &v));
	assert_int_equal(v.seq, 5000);
	assert_int_equal(v.ack, 1010);
	/* Nothing was recorded: without -S this pair starts now, absolute. */
	v = from_server(r, ACK, 5000, 1010);
	assert_int_equal(v.seq, 5000);
	assert_int_equal(v.ack, 1010);
	v = from_client(r, ACK, 1010, 5100);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 100);
	/* And -S after that still gives raw numbers. */
	pkt4(&p, cli4, 40000, srv4, 80, ACK, 1010, 5100);
	assert_true(relseq_apply(r, true, &p, &v));
	assert_int_equal(v.seq, 1010);
	assert_int_equal(v.ack, 5100);
}

/* SACK edges are relative to the base of the direction being acknowledged. */
static void test_relseq_sack_base(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;

	from_client(r, SYN, 100, 0);
	v = from_server(r, SYN | ACK, 5000, 101);
	/* The server's SACK blocks are about client bytes: base = ISN_c. */
	assert_int_equal(v.sack_base, 100);
	v = from_client(r, ACK, 101, 5001);
	/* The client's SACK blocks are about server bytes: base = ISN_s. */
	assert_int_equal(v.sack_base, 5000);
	v = from_server(r, ACK, 5001, 201);
	assert_int_equal(v.sack_base, 100);
}

/* Equal ports: the lower address decides the orientation; both directions still agree. */
static void test_relseq_equal_ports(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;
	struct packet p;

	pkt4(&p, srv4, 5000, cli4, 5000, ACK, 40, 70);
	assert_true(relseq_apply(r, false, &p, &v));
	assert_int_equal(v.seq, 40);
	pkt4(&p, cli4, 5000, srv4, 5000, ACK, 70, 45);
	assert_true(relseq_apply(r, false, &p, &v));
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 5);
	pkt4(&p, srv4, 5000, cli4, 5000, ACK, 45, 80);
	assert_true(relseq_apply(r, false, &p, &v));
	assert_int_equal(v.seq, 5);
	assert_int_equal(v.ack, 11);
}

/* IPv6 pairs are kept apart from IPv4 ones. */
static void test_relseq_ipv6(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;
	struct packet p;
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8}, b[16] = {0x20, 0x01, 0x0d, 0xb8};

	a[15] = 1;
	b[15] = 2;
	memset(&p, 0, sizeof(p));
	p.ip.version = 6;
	p.ip.addrlen = 16;
	memcpy(p.ip.src, a, 16);
	memcpy(p.ip.dst, b, 16);
	p.tcp.sport = 50000;
	p.tcp.dport = 443;
	p.tcp.flags = ACK;
	p.tcp.seq = 10;
	p.tcp.ack = 20;
	assert_true(relseq_apply(r, false, &p, &v));
	assert_int_equal(v.seq, 10);
	memcpy(p.ip.src, b, 16);
	memcpy(p.ip.dst, a, 16);
	p.tcp.sport = 443;
	p.tcp.dport = 50000;
	p.tcp.seq = 20;
	p.tcp.ack = 15;
	assert_true(relseq_apply(r, false, &p, &v));
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.ack, 5);
	/* An IPv4 pair that is not this one starts absolute. */
	v = from_client(r, ACK, 10, 20);
	assert_int_equal(v.seq, 10);
}

/* Thousands of pairs: the table grows and every pair keeps its own bases. */
static void test_relseq_many_pairs(void **state)
{
	enum { N = 20000 };
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_view v;
	struct packet p;
	uint32_t i;

	for (i = 0; i < N; i++) {
		uint8_t c[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		uint32_t cs = i * 2654435761u, ss = ~i * 40503u;

		pkt4(&p, c, (uint16_t)(20000 + i % 40000), srv4, 443, ACK, cs, ss);
		assert_true(relseq_apply(r, false, &p, &v));
		assert_int_equal(v.seq, cs);
		assert_int_equal(v.ack, ss);
	}
	for (i = 0; i < N; i++) {
		uint8_t c[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		uint32_t cs = i * 2654435761u, ss = ~i * 40503u;

		/* Server side: its seq relative to ss - 1, its ack relative to cs. */
		pkt4(&p, srv4, 443, c, (uint16_t)(20000 + i % 40000), ACK, ss + i, cs + 7);
		assert_true(relseq_apply(r, false, &p, &v));
		assert_int_equal(v.seq, i + 1);
		assert_int_equal(v.ack, 7);
		/* Client side again. */
		pkt4(&p, c, (uint16_t)(20000 + i % 40000), srv4, 443, ACK, cs + 3, ss + 2 * i);
		assert_true(relseq_apply(r, false, &p, &v));
		assert_int_equal(v.seq, 3);
		assert_int_equal(v.ack, 2 * i + 1);
	}
	relseq_free(NULL);
}

/* Each test gets its own table, freed even when the test fails. */
static int setup(void **state)
{
	static struct relseq *r;

	r = relseq_new();
	*state = &r;
	return r == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	struct relseq **r = *state;

	relseq_free(*r);
	*r = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relseq_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_first_ack_packet_sets_bases, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_relseq_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_synack_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_without_ack_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_absolute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_sack_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_equal_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relseq_many_pairs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
