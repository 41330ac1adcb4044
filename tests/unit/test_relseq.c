/* test_relseq.c - unit tests of tcpdump's relative sequence numbers (relseq_apply, relseq_step and the kept pairs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/relseq.h"

#define ACK TCPF_ACK
#define SYN TCPF_SYN
#define FIN TCPF_FIN
#define PSH TCPF_PSH
#define RST TCPF_RST

/* The two ends of a connection: who sends a step picks the direction. */
enum side { CLI = 0, SRV = 1 };

struct ends {
	bool v6;
	const uint8_t *addr[2];
	uint16_t port[2];
};

/* Client 10.0.0.1:40000 <-> server 10.0.0.2:80. */
static const struct ends web4 = {false, {addr4_1, addr4_2}, {40000, 80}};

/* What a step checks in the view it gets back, and how it asks. */
enum {
	SEQ = 1 << 0,      /* view.seq == want_seq */
	ACKN = 1 << 1,     /* view.ack == want_ack */
	SACK = 1 << 2,     /* view.sack_base == want_sack */
	ABSOLUTE = 1 << 3, /* relseq_apply with absolute (-S) */
};

/* One packet through relseq_apply, and the numbers tcpdump prints for it. */
struct step {
	enum side from;
	uint8_t flags;
	uint32_t seq, ack;
	unsigned what;
	uint32_t want_seq, want_ack, want_sack;
};

/* Each step in order through the same table, named in a failure by test and step number. */
static void run_steps(struct relseq *r, const struct ends *e, const char *what,
		      const struct step *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct packet p;
		struct relseq_view v = {0xdead, 0xdead, 0xdead};
		enum side from = s[i].from;

		case_begin("%s, step %zu", what, i);
		if (e->v6)
			make_packet6(&p, e->addr[from], e->port[from], e->addr[!from],
				     e->port[!from]);
		else
			make_packet4(&p, e->addr[from], e->port[from], e->addr[!from],
				     e->port[!from]);
		set_tcp(&p, s[i].flags, s[i].seq, s[i].ack, 0, 0);
		assert_true(relseq_apply(r, (s[i].what & ABSOLUTE) != 0, &p, &v));
		if (s[i].what & SEQ)
			assert_int_equal(v.seq, s[i].want_seq);
		if (s[i].what & ACKN)
			assert_int_equal(v.ack, s[i].want_ack);
		if (s[i].what & SACK)
			assert_int_equal(v.sack_base, s[i].want_sack);
	}
	case_end();
}

#define RUN(r, e, steps) run_steps((r), (e), __func__, (steps), N_OF(steps))

/* The handshake as tcpdump prints it: [S] ISN_c, [S.] ISN_s ack ISN_c+1, [.] ack 1, ... */
static void test_relseq_handshake(void **state)
{
	const uint32_t c = 3564383388u, s = 1000000u;
	struct relseq *r = *(struct relseq **)*state;
	const struct step steps[] = {
		{CLI, SYN, c, 0, SEQ | ACKN | SACK, c, 0, 0},
		{SRV, SYN | ACK, s, c + 1, SEQ | ACKN, s, c + 1, 0},
		{CLI, ACK, c + 1, s + 1, SEQ | ACKN, 1, 1, 0},
		{CLI, ACK | PSH, c + 1, s + 1, SEQ | ACKN, 1, 1, 0},
		{SRV, ACK, s + 1, c + 79, SEQ | ACKN, 1, 79, 0},
		{SRV, ACK | PSH, s + 1, c + 79, SEQ | ACKN, 1, 79, 0},
		{CLI, ACK | FIN, c + 79, s + 301, SEQ | ACKN, 79, 301, 0},
	};

	assert_non_null(r);
	RUN(r, &web4, steps);
}

/*
 * Midstream: the first ACK-bearing packet prints absolute numbers and sets
 * both bases (its own seq, and its ack - 1 for the other direction).
 */
static void test_relseq_first_ack_packet_sets_bases(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	static const struct step client_first[] = {
		{CLI, ACK, 1000, 5000, SEQ | ACKN, 1000, 5000, 0},
		{SRV, ACK, 5000, 1010, SEQ | ACKN, 1, 10, 0},
		{CLI, ACK, 1010, 5100, SEQ | ACKN, 10, 101, 0},
	};
	/* The same from the server's side first: the bases swap roles. */
	static const struct step server_first[] = {
		{SRV, ACK, 7000, 300, SEQ | ACKN, 7000, 300, 0},
		{CLI, ACK, 300, 7050, SEQ | ACKN, 1, 50, 0},
		{SRV, ACK, 7050, 320, SEQ | ACKN, 50, 21, 0},
	};

	RUN(r, &web4, client_first);
	/* A fresh table (the fixture frees whichever is current). */
	relseq_free(r);
	r = relseq_new();
	assert_non_null(r);
	*(struct relseq **)*state = r;
	RUN(r, &web4, server_first);
}

/* Relative numbers wrap modulo 2^32 like tcpdump's unsigned subtraction. */
static void test_relseq_wraparound(void **state)
{
	static const struct step steps[] = {
		{SRV, SYN | ACK, 0xfffffff0u, 0xffffff00u, SEQ, 0xfffffff0u, 0, 0},
		{CLI, ACK, 0xffffff00u, 0xfffffff1u, SEQ | ACKN, 1, 1, 0},
		{SRV, ACK, 0x00000010u, 0x00000020u, SEQ | ACKN, 0x20, 0x121, 0},
		/* A number before the base prints as a huge one, as tcpdump does. */
		{CLI, ACK, 0xfffffe00u, 0xfffffff1u, SEQ, 0xffffff01u, 0, 0},
	};

	RUN(*(struct relseq **)*state, &web4, steps);
}

/* Any SYN with ACK re-records the bases (a new connection on the same pair). */
static void test_relseq_synack_resets(void **state)
{
	static const struct step steps[] = {
		{CLI, SYN, 100, 0, 0, 0, 0, 0},
		{SRV, SYN | ACK, 200, 101, 0, 0, 0, 0},
		{CLI, ACK, 101, 201, SEQ | ACKN, 1, 1, 0},
		/* New connection, new ISNs. */
		{CLI, SYN, 90000, 0, SEQ, 90000, 0, 0},
		{SRV, SYN | ACK, 70000, 90001, SEQ | ACKN, 70000, 90001, 0},
		{CLI, ACK, 90001, 70001, SEQ | ACKN, 1, 1, 0},
		{SRV, ACK, 70001, 90011, SEQ | ACKN, 1, 11, 0},
		/* A SYN+ACK from the client side of the pair resets too, with its own orientation. */
		{CLI, SYN | ACK, 5, 9, SEQ | ACKN, 5, 9, 0},
		{SRV, ACK, 9, 6, SEQ | ACKN, 1, 1, 0},
	};

	RUN(*(struct relseq **)*state, &web4, steps);
}

/* Packets without ACK are printed as they are and do not touch the table. */
static void test_relseq_without_ack_unchanged(void **state)
{
	static const struct step steps[] = {
		{CLI, SYN, 123, 456, SEQ | ACKN, 123, 456, 0},
		{CLI, RST, 124, 0, SEQ | ACKN, 124, 0, 0},
		{CLI, 0, 124, 9, SEQ, 124, 0, 0},
		/* No entry was made: the first ACK packet is still absolute. */
		{CLI, ACK, 124, 999, SEQ | ACKN, 124, 999, 0},
		/* Now an entry exists, and a RST without ACK still prints absolute. */
		{CLI, RST, 130, 0, SEQ | ACKN | SACK, 130, 0, 0},
		{CLI, ACK, 130, 1000, SEQ | ACKN, 6, 2, 0},
	};

	RUN(*(struct relseq **)*state, &web4, steps);
}

/* -S: raw numbers, and the table is left alone. */
static void test_relseq_absolute(void **state)
{
	static const struct step steps[] = {
		{CLI, ACK, 1000, 5000, ABSOLUTE | SEQ | ACKN | SACK, 1000, 5000, 0},
		{SRV, ACK, 5000, 1010, ABSOLUTE | SEQ | ACKN, 5000, 1010, 0},
		/* Nothing was recorded: without -S this pair starts now, absolute. */
		{SRV, ACK, 5000, 1010, SEQ | ACKN, 5000, 1010, 0},
		{CLI, ACK, 1010, 5100, SEQ | ACKN, 1, 100, 0},
		/* And -S after that still gives raw numbers. */
		{CLI, ACK, 1010, 5100, ABSOLUTE | SEQ | ACKN, 1010, 5100, 0},
	};

	RUN(*(struct relseq **)*state, &web4, steps);
}

/* SACK edges are relative to the base of the direction being acknowledged. */
static void test_relseq_sack_base(void **state)
{
	static const struct step steps[] = {
		{CLI, SYN, 100, 0, 0, 0, 0, 0},
		/* The server's SACK blocks are about client bytes: base = ISN_c. */
		{SRV, SYN | ACK, 5000, 101, SACK, 0, 0, 100},
		/* The client's SACK blocks are about server bytes: base = ISN_s. */
		{CLI, ACK, 101, 5001, SACK, 0, 0, 5000},
		{SRV, ACK, 5001, 201, SACK, 0, 0, 100},
	};

	RUN(*(struct relseq **)*state, &web4, steps);
}

/* Equal ports: the lower address decides the orientation; both directions still agree. */
static void test_relseq_equal_ports(void **state)
{
	static const struct ends e = {false, {addr4_1, addr4_2}, {5000, 5000}};
	static const struct step steps[] = {
		{SRV, ACK, 40, 70, SEQ, 40, 0, 0},
		{CLI, ACK, 70, 45, SEQ | ACKN, 1, 5, 0},
		{SRV, ACK, 45, 80, SEQ | ACKN, 5, 11, 0},
	};

	RUN(*(struct relseq **)*state, &e, steps);
}

/* IPv6 pairs are kept apart from IPv4 ones. */
static void test_relseq_ipv6(void **state)
{
	static const struct ends e6 = {true, {addr6_1, addr6_2}, {50000, 443}};
	static const struct step steps6[] = {
		{CLI, ACK, 10, 20, SEQ, 10, 0, 0},
		{SRV, ACK, 20, 15, SEQ | ACKN, 1, 5, 0},
	};
	/* An IPv4 pair that is not this one starts absolute. */
	static const struct step steps4[] = {
		{CLI, ACK, 10, 20, SEQ, 10, 0, 0},
	};
	struct relseq *r = *(struct relseq **)*state;

	RUN(r, &e6, steps6);
	RUN(r, &web4, steps4);
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

		make_segment4(&p, c, (uint16_t)(20000 + i % 40000), addr4_2, 443, ACK, cs, ss, 0, 0);
		assert_true(relseq_apply(r, false, &p, &v));
		assert_int_equal(v.seq, cs);
		assert_int_equal(v.ack, ss);
	}
	for (i = 0; i < N; i++) {
		uint8_t c[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		uint32_t cs = i * 2654435761u, ss = ~i * 40503u;

		/* Server side: its seq relative to ss - 1, its ack relative to cs. */
		make_segment4(&p, addr4_2, 443, c, (uint16_t)(20000 + i % 40000), ACK, ss + i, cs + 7,
			      0, 0);
		assert_true(relseq_apply(r, false, &p, &v));
		assert_int_equal(v.seq, i + 1);
		assert_int_equal(v.ack, 7);
		/* Client side again. */
		make_segment4(&p, c, (uint16_t)(20000 + i % 40000), addr4_2, 443, ACK, cs + 3,
			      ss + 2 * i, 0, 0);
		assert_true(relseq_apply(r, false, &p, &v));
		assert_int_equal(v.seq, 3);
		assert_int_equal(v.ack, 2 * i + 1);
	}
	relseq_free(NULL);
}

/*
 * Bases carried in a connection record (relseq_step) number exactly as the
 * table does; kept in the table when the record goes (relseq_keep), they come
 * back for the next record of the pair (relseq_take), which removes them.
 */
static void test_relseq_bases_outlive_record(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_bases b = {0, 0, 0, 0}, back = {1, 2, 3, 4};
	struct relseq_view v;
	struct packet p;
	struct flow_key k;
	bool from_lo;

	/* The first ACK packet sets the bases and prints absolute numbers. */
	make_segment4(&p, addr4_1, 40000, addr4_2, 80, ACK, 1000, 5000, 0, 0);
	relseq_step(&b, false, &p, &v);
	assert_int_equal(v.seq, 1000);
	assert_int_equal(v.ack, 5000);
	assert_true(b.known);
	make_segment4(&p, addr4_2, 80, addr4_1, 40000, ACK, 5010, 1007, 0, 0);
	relseq_step(&b, false, &p, &v);
	assert_int_equal(v.seq, 11);
	assert_int_equal(v.ack, 7);
	/* -S prints raw numbers and leaves the bases alone. */
	relseq_step(&b, true, &p, &v);
	assert_int_equal(v.seq, 5010);
	flow_key_of(&p, &k, &from_lo);
	assert_false(relseq_take(r, &k, &back));
	assert_int_equal(back.seq, 1); /* untouched when absent */
	assert_true(relseq_keep(r, &k, &b));
	assert_int_equal(relseq_count(r), 1);
	assert_true(relseq_take(r, &k, &back));
	assert_int_equal(relseq_count(r), 0);
	assert_memory_equal(&back, &b, sizeof(b));
	relseq_step(&back, false, &p, &v);
	assert_int_equal(v.seq, 11);
	assert_int_equal(v.ack, 7);
	/* The table path (packets without a connection) agrees with the record path. */
	assert_true(relseq_keep(r, &k, &b));
	assert_true(relseq_apply(r, false, &p, &v));
	assert_int_equal(v.seq, 11);
	assert_int_equal(v.ack, 7);
}

/* The table keeps at most its limit of pairs, forgetting the least recently seen. */
static void test_relseq_keep_bounded(void **state)
{
	struct relseq *r = *(struct relseq **)*state;
	struct relseq_bases b = {7, 9, 1, 1}, back;
	struct packet p;
	struct flow_key k[3];
	bool from_lo;
	unsigned i;

	relseq_set_limit(r, 2);
	for (i = 0; i < 3; i++) {
		make_segment4(&p, addr4_1, (uint16_t)(40000 + i), addr4_2, 80, ACK, 1, 1, 0, 0);
		flow_key_of(&p, &k[i], &from_lo);
		assert_true(relseq_keep(r, &k[i], &b));
	}
	assert_int_equal(relseq_count(r), 2);
	assert_false(relseq_take(r, &k[0], &back));
	assert_true(relseq_take(r, &k[1], &back));
	assert_true(relseq_take(r, &k[2], &back));
}

/* Each test gets its own table, freed even when the test fails. */
static int setup(void **state)
{
	static struct relseq *r;

	r = relseq_new();
	*state = &r;
	return r == NULL ? -1 : 0;
}

/* Frees the table, and names the step that was being checked if the test failed. */
static int teardown(void **state)
{
	struct relseq **r = *state;

	relseq_free(*r);
	*r = NULL;
	return case_teardown(state);
}

#define TABLE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TABLE_TEST(test_relseq_handshake),
		TABLE_TEST(test_relseq_first_ack_packet_sets_bases),
		TABLE_TEST(test_relseq_wraparound),
		TABLE_TEST(test_relseq_synack_resets),
		TABLE_TEST(test_relseq_without_ack_unchanged),
		TABLE_TEST(test_relseq_absolute),
		TABLE_TEST(test_relseq_sack_base),
		TABLE_TEST(test_relseq_equal_ports),
		TABLE_TEST(test_relseq_ipv6),
		TABLE_TEST(test_relseq_many_pairs),
		TABLE_TEST(test_relseq_bases_outlive_record),
		TABLE_TEST(test_relseq_keep_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
