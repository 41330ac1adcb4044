/* test_svg.c - unit tests of svg_write: labels as text, escaping, no scripts, bounded size, write
 * errors. */
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
#include "tcpnote/diagram.h"
#include "tcpnote/print_svg.h"

#define CLI_ISN 1000u
#define SRV_ISN 5000u

/* Connection 7: 10.0.0.1:40000 (client, role 0) to 10.0.0.2:80 (server, role 1). */
static void conn_start(struct diag_conn *d)
{
	struct conn_endpoints ep;

	memset(&ep, 0, sizeof(ep));
	ep.version = 4;
	memcpy(ep.addr[0], addr4_1, 4);
	memcpy(ep.addr[1], addr4_2, 4);
	ep.port[0] = 40000;
	ep.port[1] = 80;
	diag_conn_init(d, 7, &ep);
}

/* One packet from role at t_us, with raw numbers relative to the ISNs, its labels and hints. */
static void add(struct diag_conn *d, int role, int64_t t_us, uint8_t flags, uint32_t rseq,
                uint32_t rack, uint32_t len, uint16_t win, uint32_t label_bits, uint32_t dup,
                const struct app_hints *h)
{
	static const bool isn_valid[2] = {true, true};
	static const uint32_t isn[2] = {CLI_ISN, SRV_ISN};
	struct labels l = {label_bits, dup};
	struct packet p;

	if (role == 0)
		make_segment4(&p, addr4_1, 40000, addr4_2, 80, flags, CLI_ISN + rseq,
		              SRV_ISN + rack, len, win);
	else
		make_segment4(&p, addr4_2, 80, addr4_1, 40000, flags, SRV_ISN + rseq,
		              CLI_ISN + rack, len, win);
	p.ts_sec = t_us / 1000000;
	p.ts_frac = (uint32_t)(t_us % 1000000);
	assert_true(diag_conn_add(d, &p, role, isn_valid, isn, 7, &l, h));
}

#define L(x) (1u << (LABEL_##x))

/* The SVG of n connections into *svg, a NUL-terminated string (free it), and its length. The
 * caller owns the pointer open_memstream() updates: gcc 12 -O3 takes a local one, returned, for a
 * pointer to that local (-Wdangling-pointer). */
static void render(const struct diag_conn *const *conns, size_t n, char **svg, size_t *len)
{
	FILE *f = open_memstream(svg, len);

	assert_non_null(f);
	assert_int_equal(svg_write(f, conns, n), 0);
	assert_int_equal(fclose(f), 0);
}

/* What every document must be: one SVG, nothing active, nothing fetched, only printable ASCII. */
static void check_document(const char *svg, size_t len)
{
	size_t i;

	assert_true(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
	assert_true(len >= 7 && strcmp(svg + len - 7, "</svg>\n") == 0);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "@import"));
	assert_null(strstr(svg, "url("));
	assert_null(strstr(svg, "<image"));
	assert_null(strstr(svg, "<foreignObject"));
	for (i = 0; i < len; i++)
		assert_true(svg[i] == '\n' || (svg[i] >= 0x20 && svg[i] < 0x7f));
}

/* The number of times needle occurs in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* A short connection: handshake, a request, a lost and retransmitted reply, dup acks, a keepalive,
 * the close. */
static void short_conn(struct diag_conn *d)
{
	conn_start(d);
	add(d, 0, 0, TCPF_SYN, 0, 0, 0, 64240, L(HANDSHAKE_1), 0, NULL);
	add(d, 1, 100, TCPF_SYN | TCPF_ACK, 0, 1, 0, 65160, L(HANDSHAKE_2), 0, NULL);
	add(d, 0, 200, TCPF_ACK, 1, 1, 0, 502, L(HANDSHAKE_3), 0, NULL);
	add(d, 0, 300, TCPF_PSH | TCPF_ACK, 1, 1, 78, 502, L(DATA), 0, NULL);
	add(d, 1, 400, TCPF_ACK, 1, 79, 1448, 509, L(DATA), 0, NULL);
	add(d, 1, 410, TCPF_ACK, 2897, 79, 1448, 509, L(DATA) | L(PREVIOUS_NOT_CAPTURED), 0, NULL);
	add(d, 0, 500, TCPF_ACK, 79, 1449, 0, 502, L(ACK), 0, NULL);
	add(d, 0, 510, TCPF_ACK, 79, 1449, 0, 502, L(DUP_ACK), 1, NULL);
	add(d, 0, 520, TCPF_ACK, 79, 1449, 0, 502, L(DUP_ACK), 2, NULL);
	add(d, 1, 600, TCPF_ACK, 1449, 79, 1448, 509, L(DATA) | L(FAST_RETRANSMISSION), 0, NULL);
	add(d, 1, 700, TCPF_ACK, 1400, 79, 100, 509, L(OUT_OF_ORDER), 0, NULL);
	add(d, 0, 800, TCPF_ACK, 79, 4345, 0, 0, L(ZERO_WINDOW), 0, NULL);
	add(d, 1, 900, TCPF_ACK, 4344, 79, 0, 509, L(KEEPALIVE), 0, NULL);
	add(d, 0, 2000000, TCPF_FIN | TCPF_ACK, 79, 4345, 0, 502, L(CLOSE_1), 0, NULL);
	add(d, 1, 2000100, TCPF_FIN | TCPF_ACK, 4345, 80, 0, 509, L(FIN_MERGED), 0, NULL);
	add(d, 0, 2000200, TCPF_ACK, 80, 4346, 0, 502, L(CLOSE_4), 0, NULL);
}

static void test_labels_are_text(void **state)
{
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	size_t len;
	char *svg;

	(void)state;
	short_conn(&d);
	render(conns, 1, &svg, &len);
	check_document(svg, len);
	assert_non_null(strstr(
	    svg, ">connection 7: client 10.0.0.1:40000 -&gt; server 10.0.0.2:80, 16 packets<"));
	/* The ladder: each packet's labels as the text of its row. */
	assert_non_null(strstr(svg, ">handshake 1/3</text>"));
	assert_non_null(strstr(svg, ">handshake 2/3</text>"));
	assert_non_null(strstr(svg, ">dup ack #2</text>"));
	assert_non_null(strstr(svg, ">data, fast retransmission</text>"));
	assert_non_null(strstr(svg, ">FIN merged</text>"));
	assert_non_null(strstr(svg, ">[S] seq 0 win 64240</text>"));
	assert_non_null(strstr(svg, ">[P.] seq 1:79 ack 1 win 64256 len 78</text>"));
	assert_non_null(strstr(svg, ">client 10.0.0.1:40000</text>"));
	assert_non_null(strstr(svg, ">2.000200</text>"));
	/* The graph: the server sent more, so its data is drawn (SYN, 2 segments, FIN); the legend
	 * counts each mark. */
	assert_non_null(strstr(svg, "server -&gt; client data"));
	assert_non_null(strstr(svg, ">data segment (4)</text>"));
	assert_non_null(strstr(svg, ">retransmission (1)</text>"));
	assert_non_null(strstr(svg, ">out-of-order (1)</text>"));
	assert_non_null(strstr(svg, ">dup ack (2)</text>"));
	assert_non_null(strstr(svg, ">zero window (1)</text>"));
	assert_non_null(strstr(svg, ">keepalive (1)</text>"));
	assert_non_null(strstr(svg, ">zero window probe (0)</text>"));
	/* Each kind of mark is one path in its own colour, and its swatch in the legend. */
	assert_int_equal(count(svg, "<path class=\"rtx\" d=\"M"), 2);
	assert_int_equal(count(svg, "<path class=\"dup\" d=\"M"), 2);
	assert_int_equal(count(svg, "<path class=\"zwp\" d=\"M"), 1);
	assert_int_equal(count(svg, "<text"), count(svg, "</text>"));
	free(svg);
	diag_conn_free(&d);
}

/* Hint text comes from the network: control bytes, 0xff and markup must not reach the document raw.
 */
static void test_hostile_hint_escaped(void **state)
{
	static const char path[] = "/\x1b[31m<script>alert(1)</script>&\"'\xff\x07";
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	struct app_hints h;
	size_t len;
	char *svg;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.bits = 1u << APP_HINT_HTTP_REQUEST;
	strcpy(h.method, "GET");
	memcpy(h.path, path, sizeof(path));
	conn_start(&d);
	add(&d, 0, 0, TCPF_PSH | TCPF_ACK, 1, 1, 40, 502, L(DATA) | L(MIDSTREAM), 0, &h);
	render(conns, 1, &svg, &len);
	check_document(svg, len);
	assert_null(strstr(svg, "<script"));
	assert_non_null(strstr(svg, "&lt;script&gt;"));
	assert_non_null(strstr(svg, "&amp;"));
	assert_non_null(strstr(svg, "&quot;"));
	assert_non_null(strstr(svg, "\\x1b[31m"));
	assert_non_null(strstr(svg, "\\xff\\x07"));
	assert_int_equal(count(svg, "<text"), count(svg, "</text>"));
	free(svg);
	diag_conn_free(&d);
}

/*
 * A bulk transfer of 1,000,000 packets: the server sends 1448-byte segments,
 * the client acks every second one, every 1000th segment is retransmitted
 * after two dup acks. The document stays under 5 MB and its element count
 * does not grow with the connection.
 */
static void test_million_packets_bounded(void **state)
{
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	uint32_t seq = 1, i;
	int64_t t = 0;
	size_t len;
	char *svg, want[64];
	unsigned long rtx = 0, dups = 0;

	(void)state;
	conn_start(&d);
	add(&d, 0, t, TCPF_SYN, 0, 0, 0, 64240, L(HANDSHAKE_1), 0, NULL);
	add(&d, 1, t += 50, TCPF_SYN | TCPF_ACK, 0, 1, 0, 65160, L(HANDSHAKE_2), 0, NULL);
	add(&d, 0, t += 50, TCPF_ACK, 1, 1, 0, 502, L(HANDSHAKE_3), 0, NULL);
	for (i = 3; i < 1000000; i++) {
		t += 20;
		if (i % 3 != 2) {
			add(&d, 1, t, TCPF_ACK, seq, 1, 1448, 509, L(DATA), 0, NULL);
			seq += 1448;
		} else if (i % 3000 == 2) {
			add(&d, 0, t, TCPF_ACK, 1, seq - 1448, 0, 502, L(DUP_ACK), 1, NULL);
			dups++;
		} else if (i % 3000 == 5) {
			add(&d, 1, t, TCPF_ACK, seq - 1448, 1, 1448, 509,
			    L(DATA) | L(RETRANSMISSION), 0, NULL);
			rtx++;
		} else {
			add(&d, 0, t, TCPF_ACK, 1, seq, 0, 502, L(ACK), 0, NULL);
		}
	}
	assert_int_equal(d.n, 1000000);
	render(conns, 1, &svg, &len);
	check_document(svg, len);
	assert_true(len < 5000000);
	assert_true(count(svg, "<") < 4000);
	assert_non_null(strstr(svg, "packets not drawn here"));
	snprintf(want, sizeof(want), ">retransmission (%lu)</text>", rtx);
	assert_non_null(strstr(svg, want));
	snprintf(want, sizeof(want), ">dup ack (%lu)</text>", dups);
	assert_non_null(strstr(svg, want));
	/* The middle of the ladder keeps notable packets: a retransmission well past the first 100.
	 */
	assert_non_null(strstr(svg, ">data, retransmission</text>"));
	print_message("1,000,000 packets: %zu bytes of SVG\n", len);
	free(svg);
	diag_conn_free(&d);
}

/* Long connections: at most about 400 ladder rows, whatever the length. */
static void test_ladder_folds(void **state)
{
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	uint32_t i;
	size_t len;
	char *svg;

	(void)state;
	conn_start(&d);
	for (i = 0; i < 5000; i++)
		add(&d, (int)(i & 1), i * 10, TCPF_ACK, 1 + (i & 1 ? 0 : i * 10), 1, i & 1 ? 0 : 10,
		    502, i & 1 ? L(ACK) : L(DATA), 0, NULL);
	render(conns, 1, &svg, &len);
	check_document(svg, len);
	assert_int_equal(count(svg, "packets not drawn here"), 1);
	assert_non_null(
	    strstr(svg, ">... 4800 packets not drawn here (the graph shows them) ...<"));
	assert_int_equal(count(svg, "<path class=\"life\""), 200);
	free(svg);
	diag_conn_free(&d);
}

/* Nothing to draw still gives a valid document; a connection without packets just its title. */
static void test_empty(void **state)
{
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	size_t len;
	char *svg;

	(void)state;
	render(NULL, 0, &svg, &len);
	check_document(svg, len);
	assert_non_null(strstr(svg, ">no connections</text>"));
	free(svg);
	conn_start(&d);
	render(conns, 1, &svg, &len);
	check_document(svg, len);
	assert_non_null(strstr(svg, ", 0 packets</text>"));
	free(svg);
	diag_conn_free(&d);
}

/* IPv6 endpoints in brackets; a lone SYN draws an axis from 0. */
static void test_ipv6_and_single_packet(void **state)
{
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	struct conn_endpoints ep;
	size_t len;
	char *svg;

	(void)state;
	memset(&ep, 0, sizeof(ep));
	ep.version = 6;
	memcpy(ep.addr[0], addr6_1, 16);
	memcpy(ep.addr[1], addr6_2, 16);
	ep.port[0] = 50000;
	ep.port[1] = 443;
	diag_conn_init(&d, 1, &ep);
	add(&d, 0, 5, TCPF_SYN, 0, 0, 0, 64240, L(HANDSHAKE_1), 0, NULL);
	render(conns, 1, &svg, &len);
	check_document(svg, len);
	assert_non_null(strstr(svg, "client [2001:db8::1]:50000 -&gt; server [2001:db8::2]:443"));
	assert_non_null(strstr(svg, ">0.000000</text>"));
	free(svg);
	diag_conn_free(&d);
}

/* A write that fails is reported. */
static void test_write_error(void **state)
{
	struct diag_conn d;
	const struct diag_conn *conns[1] = {&d};
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL)
		skip();
	short_conn(&d);
	assert_int_equal(svg_write(f, conns, 1), -1);
	fclose(f);
	diag_conn_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_labels_are_text),
	    cmocka_unit_test(test_hostile_hint_escaped),
	    cmocka_unit_test(test_million_packets_bounded),
	    cmocka_unit_test(test_ladder_folds),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_ipv6_and_single_packet),
	    cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
