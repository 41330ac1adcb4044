/* test_track.c - unit tests of the TCP tracker's lifecycle labels (labels.md) and labels_format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/conn_summary.h"
#include "tcpnote/labels.h"
#include "tcpnote/track.h"

#define FIN TCPF_FIN
#define SYN TCPF_SYN
#define RST TCPF_RST
#define PSH TCPF_PSH
#define ACK TCPF_ACK

#define CLI CONV_CLI
#define SRV CONV_SRV

/* Client ISN 1000, server ISN 5000, windows 1000 (client) and 2000 (server). */
#define CISN 1000u
#define SISN 5000u
#define CWIN 1000
#define SWIN 2000

static void handshake(struct conv *v)
{
	assert_string_equal(seg(v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
}

/* ------------------------------------------------------------------ */
/* The ack rule's two edges: midstream first ACKs, reordered old ACKs */

static void test_track_midstream_first_ack(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	/* Joined midstream: the server sends data, the client's first ACK covers it. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, 7000, 3000, 100, SWIN), "midstream, data");
	assert_string_equal(seg(&v, CLI, ACK, 3000, 7100, 0, CWIN), "ack");
	/* The same ACK again acknowledges nothing new: a duplicate ACK, not "ack". */
	assert_string_equal(seg(&v, CLI, ACK, 3000, 7100, 0, CWIN), "dup ack #1");
}

static void test_track_reordered_old_ack(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 1, 100, SWIN), "data");
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 101, CISN + 1, 100, SWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 201, 0, CWIN), "ack");
	/* An older ACK captured late, then the newest again: neither acknowledges new bytes. */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 101, 0, CWIN), "");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 201, 0, CWIN), "");
}

/* ------------------------------------------------------------------ */
/* Opening */

static void test_track_handshake(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	assert_int_equal(v.c.state, CONN_SYN_SENT);
	assert_true(v.c.client_is_lo);
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");
	assert_int_equal(v.c.state, CONN_SYN_RCVD);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	assert_int_equal(v.c.state, CONN_ESTABLISHED);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 101, 50, SWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 101, SISN + 51, 0, CWIN), "ack");
	assert_int_equal(summary_packets(&v.c.sum, 0) + summary_packets(&v.c.sum, 1), 7);
}

/* The client whose address sorts higher: roles do not depend on the key order. */
static void test_track_handshake_client_is_hi(void **state)
{
	struct conv v;

	(void)state;
	conv_init(&v, addr4_2, 40000, addr4_1, 80);
	handshake(&v);
	assert_false(v.c.client_is_lo);
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 1, 10, SWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 11, 0, CWIN), "ack");
}

static void test_track_handshake_3_with_data(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 64, CWIN),
			    "handshake 3/3, data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 65, 0, SWIN), "ack");
}

/* A SYN+ACK that does not acknowledge the client's ISN is not step 2. */
static void test_track_handshake_wrong_ack(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 7, 0, SWIN);
	assert_false(labels_has(&v.last, LABEL_HANDSHAKE_2));
	/* Nor is an ACK that does not acknowledge the server's ISN step 3. */
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	seg(&v, CLI, ACK, CISN + 1, SISN + 9, 0, CWIN);
	assert_false(labels_has(&v.last, LABEL_HANDSHAKE_3));
}

static void test_track_simultaneous_open(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, SYN, SISN, 0, 0, SWIN), "simultaneous open");
	/* The first SYN's sender stays the client. */
	assert_true(v.c.client_is_lo);
}

/* No SYN seen: midstream; the lower port is the server. */
static void test_track_midstream(void **state)
{
	struct conv v;

	(void)state;
	/* Server 10.0.0.2:80 speaks first; the client 10.0.0.1:40000 is the lo end. */
	conv_default(&v);
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN, CISN, 10, SWIN), "midstream, data");
	assert_true(v.c.client_is_lo);
	assert_int_equal(v.c.state, CONN_ESTABLISHED);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN, SISN + 10, 5, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 10, CISN + 5, 0, SWIN), "ack");

	/* Client speaks first, and the server holds the lower address. */
	conv_init(&v, addr4_2, 50000, addr4_1, 443);
	assert_string_equal(seg(&v, CLI, ACK, CISN, SISN, 0, CWIN), "midstream");
	assert_false(v.c.client_is_lo);
	/* The server's first segment is not midstream again. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN, CISN, 3, SWIN), "data");

	/* A SYN+ACK first: its sender is the server whatever the ports say. */
	conv_init(&v, addr4_2, 80, addr4_1, 5555);
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "midstream");
	assert_false(v.c.client_is_lo);
}

/* ------------------------------------------------------------------ */
/* Data and ack */

static void test_track_data_in_order_only(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	/* The same bytes again: a retransmission, not new data. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "retransmission");
	/* An earlier part of them: not new either. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 51, SISN + 1, 50, CWIN), "retransmission");
	/* After a gap (relative bytes 101..200 never seen): not in order. */
	seg(&v, CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN);
	assert_false(labels_has(&v.last, LABEL_DATA));
	/* What follows the highest byte sent is in order again. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 301, SISN + 1, 10, CWIN), "data");
}

static void test_track_ack_only_for_new_peer_data(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	/* Half of it, then the rest, then the same ack again. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 51, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #1");
	/* An ack going backwards acknowledges nothing new. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 51, 0, SWIN), "");
	/* A segment with payload is data, not ack, even if it acknowledges new bytes. */
	seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 10, CWIN);
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 111, 20, SWIN), "data");
	/* The client acknowledges the server's 20 bytes... */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 111, SISN + 21, 0, CWIN), "ack");
	/* ...and a segment without the ACK flag is no ack. */
	assert_string_equal(seg(&v, CLI, 0, CISN + 111, SISN + 21, 0, CWIN), "");
}

/* ------------------------------------------------------------------ */
/* Keepalive */

static void established_with_data(struct conv *v)
{
	conv_default(v);
	handshake(v);
	assert_string_equal(seg(v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
}

static void test_track_keepalive_and_ack(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	/* Linux: len 0, seq = nextseq - 1. */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "keepalive ack");
	/* Again, a while later. */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "keepalive ack");
	/* The server probing the client works the same way. */
	assert_string_equal(seg(&v, SRV, ACK, SISN, CISN + 101, 0, SWIN), "keepalive");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 101, SISN + 1, 0, CWIN), "keepalive ack");
}

/* Other stacks send one garbage byte: len 1, seq = nextseq - 1. It is not data. */
static void test_track_keepalive_one_byte(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 1, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "keepalive ack");
	/* Two bytes at nextseq - 1 are not a keepalive. */
	seg(&v, CLI, ACK, CISN + 100, SISN + 1, 2, CWIN);
	assert_false(labels_has(&v.last, LABEL_KEEPALIVE));
}

static void test_track_keepalive_ack_conditions(void **state)
{
	struct conv v;

	(void)state;
	/* Window changed: not a keepalive ack, a window update. */
	established_with_data(&v);
	seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN + 1), "window update");

	/* Window zero (and unchanged): not a keepalive ack. */
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "zero window");

	/* The same ACK without a keepalive before it is no keepalive ack (a dup ack). */
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #1");

	/* Only right after the peer's keepalive: data from the peer in between ends it. */
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 10, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 111, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 111, 0, SWIN), "dup ack #1");

	/* An ack number other than the last one sent is no keepalive ack. */
	established_with_data(&v);
	seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN);
	seg(&v, SRV, ACK, SISN + 1, CISN + 100, 0, SWIN);
	assert_false(labels_has(&v.last, LABEL_KEEPALIVE_ACK));

	/* A keepalive with FIN set is a FIN, not a keepalive. */
	established_with_data(&v);
	seg(&v, CLI, FIN | ACK, CISN + 100, SISN + 1, 0, CWIN);
	assert_false(labels_has(&v.last, LABEL_KEEPALIVE));
}

/* ------------------------------------------------------------------ */
/* Closing */

static void test_track_four_way_close_with_half_close(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN), "close 1/4");
	assert_int_equal(v.c.state, CONN_FIN_WAIT);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 102, 0, SWIN), "close 2/4");
	/* Half-closed: the server still sends, the client still acknowledges. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 102, 20, SWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 102, SISN + 21, 0, CWIN), "ack");
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 21, CISN + 102, 0, SWIN), "close 3/4");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 102, SISN + 22, 0, CWIN), "close 4/4");
	assert_int_equal(v.c.state, CONN_CLOSED);
	assert_true(v.c.ended);
}

static void test_track_close_without_half_close(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 1, CISN + 101, 0, SWIN), "close 1/4");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 101, SISN + 2, 0, CWIN), "close 2/4");
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 2, 0, CWIN), "close 3/4");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 2, CISN + 102, 0, SWIN), "close 4/4");
	assert_int_equal(v.c.state, CONN_CLOSED);
}

/* A FIN that carries the last data: data and close 1/4 together. */
static void test_track_fin_with_data(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, FIN | PSH | ACK, CISN + 101, SISN + 1, 10, CWIN),
			    "data, close 1/4");
	/* The server's ACK of the data and the FIN. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 112, 0, SWIN), "ack, close 2/4");
}

static void test_track_fin_merged(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN), "close 1/4");
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 1, CISN + 102, 0, SWIN), "FIN merged");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 102, SISN + 2, 0, CWIN), "close 4/4");
	assert_int_equal(v.c.state, CONN_CLOSED);
}

static void test_track_simultaneous_close(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN), "close 1/4");
	/* The server's FIN, sent before it saw the client's (ack does not cover it). */
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 1, CISN + 101, 0, SWIN),
			    "simultaneous close");
	assert_int_equal(v.c.state, CONN_CLOSING);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 102, SISN + 2, 0, CWIN), "close 4/4");
}

/* A retransmitted FIN is not a new close step. */
static void test_track_fin_retransmitted(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN), "close 1/4");
	seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN);
	assert_false(labels_has(&v.last, LABEL_CLOSE_1));
	assert_false(labels_has(&v.last, LABEL_SIMULTANEOUS_CLOSE));
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 102, 0, SWIN), "close 2/4");
	/* The same ACK again is not another close 2/4. */
	seg(&v, SRV, ACK, SISN + 1, CISN + 102, 0, SWIN);
	assert_false(labels_has(&v.last, LABEL_CLOSE_2));
}

/* ------------------------------------------------------------------ */
/* Reset, refused, port reuse */

static void test_track_reset(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, RST | ACK, CISN + 101, SISN + 1, 0, 0), "reset");
	assert_int_equal(v.c.state, CONN_RESET);
	assert_true(v.c.ended);
	/* A RST without ACK from the other side: reset too, never refused. */
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, RST, SISN + 1, 0, 0, 0), "reset");
}

static void test_track_refused(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, RST | ACK, 0, CISN + 1, 0, 0), "reset, refused");
	assert_int_equal(v.c.state, CONN_RESET);

	/* The client resetting its own SYN refuses nothing. */
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	assert_string_equal(seg(&v, CLI, RST, CISN + 1, 0, 0, 0), "reset");

	/* A RST after the SYN+ACK is a reset of a half-open connection, not a refusal. */
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	assert_string_equal(seg(&v, SRV, RST | ACK, SISN + 1, CISN + 1, 0, 0), "reset");
}

static void test_track_port_reuse_after_close(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN);
	seg(&v, SRV, FIN | ACK, SISN + 1, CISN + 102, 0, SWIN);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 102, SISN + 2, 0, CWIN), "close 4/4");
	/* A new connection on the same 5-tuple. */
	assert_string_equal(seg(&v, CLI, SYN, 777000, 0, 0, CWIN), "handshake 1/3, port reuse");
	assert_int_equal(v.c.state, CONN_SYN_SENT);
	assert_false(v.c.ended);
	assert_string_equal(seg(&v, SRV, SYN | ACK, 888000, 777001, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, 777001, 888001, 0, CWIN), "handshake 3/3");
	assert_string_equal(seg(&v, CLI, PSH | ACK, 777001, 888001, 5, CWIN), "data");
}

static void test_track_port_reuse_after_reset(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	assert_string_equal(seg(&v, SRV, RST | ACK, 0, CISN + 1, 0, 0), "reset, refused");
	/*
	 * The same SYN again (Windows retries a refused connect so): Wireshark's
	 * retransmission, not a new connection; refused again.
	 */
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "retransmission");
	assert_int_equal(v.c.state, CONN_SYN_SENT);
	assert_string_equal(seg(&v, SRV, RST | ACK, 0, CISN + 1, 0, 0), "reset, refused");
	/* A new ISN opens a new connection. */
	assert_string_equal(seg(&v, CLI, SYN, CISN + 5000, 0, 0, CWIN), "handshake 1/3, port reuse");
	/* A reused port may come from the other end too: that end becomes the client. */
	seg(&v, CLI, RST, CISN + 1, 0, 0, 0);
	assert_string_equal(seg(&v, SRV, SYN, 4242, 0, 0, SWIN), "handshake 1/3, port reuse");
	assert_false(v.c.client_is_lo);
}

/* ------------------------------------------------------------------ */
/* Zeek's conn_state, history and records (src/conn_summary.c) */

static const char *zeek_history(const struct conv *v)
{
	static char h[HISTORY_MAX + 1];

	summary_history(&v->c.sum, h);
	return h;
}

/* TCPSessionAdapter::UpdateClosedState(): a RST after both FINs leaves both closed. */
static void test_zeek_rst_after_both_fins(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, FIN | ACK, CISN + 1, SISN + 1, 0, CWIN);
	seg(&v, SRV, FIN | ACK, SISN + 1, CISN + 2, 0, SWIN);
	seg(&v, CLI, ACK, CISN + 2, SISN + 2, 0, CWIN);
	assert_string_equal(summary_conn_state(&v.c.sum), "SF");
	seg(&v, CLI, RST, CISN + 2, 0, 0, 0);
	assert_string_equal(summary_conn_state(&v.c.sum), "SF");
	assert_string_equal(zeek_history(&v), "ShAFfR");
}

/* A RST after a half-close: RSTR when the peer of the closer sends it, RSTO when the closer does. */
static void test_zeek_rst_after_half_close(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, FIN | ACK, CISN + 1, SISN + 1, 0, CWIN);
	seg(&v, SRV, RST | ACK, SISN + 1, CISN + 2, 0, 0);
	assert_string_equal(summary_conn_state(&v.c.sum), "RSTR");
	assert_string_equal(zeek_history(&v), "ShAFr");
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, FIN | ACK, CISN + 1, SISN + 1, 0, CWIN);
	seg(&v, CLI, RST | ACK, CISN + 2, SISN + 1, 0, 0);
	assert_string_equal(summary_conn_state(&v.c.sum), "RSTO");
}

/* TCPAnalyzer::WantConnection(): data first from port 80 flips the roles, '^' first. */
static void test_zeek_flip_midstream(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	seg(&v, SRV, PSH | ACK, 7000, 3000, 100, SWIN);
	seg(&v, CLI, ACK, 3000, 7100, 0, CWIN);
	assert_string_equal(zeek_history(&v), "^dA");
	assert_string_equal(summary_conn_state(&v.c.sum), "OTH");
	/* A SYN+ACK first is not flipped when the other port is no likely server port either. */
	conv_init(&v, addr4_1, 40000, addr4_2, 7000);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	assert_string_equal(zeek_history(&v), "H");
}

/* T and W at the 1st, 10th, 100th time (Connection::ScaledHistoryEntry()). */
static void test_zeek_scaled_letters(void **state)
{
	struct conv v;
	int i;

	(void)state;
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	for (i = 0; i < 10; i++)
		seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	for (i = 0; i < 10; i++)
		seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0);
	/*
	 * The fixture's segments carry no captured payload (a capture cut at
	 * the TCP header): Zeek delivers none of it, so the ACK of the client's
	 * bytes finds them missing: a gap, G (TCP_Reassembler::Undelivered()).
	 */
	assert_string_equal(zeek_history(&v), "ShADTTawGw");
}

/*
 * Zeek's T, W and G counts are kept in 8 bits until they pass 255, then in
 * the side allocation: the 1000th and 10000th retransmission and the 1000th
 * zero window still write their letters.
 */
static void test_zeek_scaled_letters_past_255(void **state)
{
	struct conv v;
	int i;

	(void)state;
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	for (i = 0; i < 10000; i++)
		seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	assert_string_equal(zeek_history(&v), "ShADTTTTT");
	for (i = 0; i < 1000; i++)
		seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0);
	assert_string_equal(zeek_history(&v), "ShADTTTTTawGwww");
	conv_free(&v);
}

/* A segment whose payload bytes were captured, as Zeek's reassembler gets them. */
static const char *seg_whole(struct conv *v, enum conv_who from, uint32_t seq, uint32_t ack,
			     uint32_t len)
{
	static const uint8_t bytes[1000];
	struct packet p;

	conv_build(v, &p, from, PSH | ACK, seq, ack, len, from == CLI ? CWIN : SWIN);
	p.tcp.payload.data = bytes;
	p.tcp.payload.len = len;
	return conv_send(v, &p);
}

/*
 * Content gaps (TCP_Reassembler::AckReceived() -> Undelivered() -> Gap(),
 * TCP_Endpoint::Gap()): an ACK past a hole the capture never filled is one
 * gap, said once; a hole a retransmission filled before the ACK is none.
 */
static void test_zeek_gaps(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	seg_whole(&v, CLI, CISN + 1, SISN + 1, 100);
	seg_whole(&v, CLI, CISN + 201, SISN + 1, 100);
	seg(&v, SRV, ACK, SISN + 1, CISN + 301, 0, SWIN);
	seg(&v, SRV, ACK, SISN + 1, CISN + 301, 0, SWIN);
	seg_whole(&v, CLI, CISN + 301, SISN + 1, 100);
	seg(&v, SRV, ACK, SISN + 1, CISN + 401, 0, SWIN);
	assert_string_equal(zeek_history(&v), "ShADaG");
	/* an ACK past everything seen: the hole runs up to the ACK; its FIN's octet is no gap */
	seg_whole(&v, SRV, SISN + 1, CISN + 401, 100);
	seg(&v, CLI, ACK, CISN + 401, SISN + 201, 0, CWIN);
	seg(&v, SRV, FIN | ACK, SISN + 201, CISN + 401, 0, SWIN);
	seg(&v, CLI, ACK, CISN + 401, SISN + 202, 0, CWIN);
	assert_string_equal(zeek_history(&v), "ShADaGdgf");

	conv_default(&v);
	handshake(&v);
	seg_whole(&v, CLI, CISN + 1, SISN + 1, 100);
	seg_whole(&v, CLI, CISN + 201, SISN + 1, 100);
	seg_whole(&v, CLI, CISN + 101, SISN + 1, 100);
	seg(&v, SRV, ACK, SISN + 1, CISN + 301, 0, SWIN);
	assert_string_equal(zeek_history(&v), "ShADTa");
}

/*
 * The SYN/SYN-ACK reversal (TCPSessionAdapter::UpdateInactiveState()): the
 * SYN+ACK captured first (from 7700, not a likely server port: no flip at
 * the start), then its SYN: Connection::FlipRoles() writes '^' after the
 * letters so far and the SYN's sender is the originator from then on; the
 * record goes on (IsReuse() is false).
 */
static void test_zeek_syn_synack_reversal(void **state)
{
	struct conv v;

	(void)state;
	conv_init(&v, addr4_1, 40000, addr4_2, 7700);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	seg_whole(&v, CLI, CISN + 1, SISN + 1, 100);
	seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN);
	assert_string_equal(zeek_history(&v), "Hs^ADa");
	assert_string_equal(summary_conn_state(&v.c.sum), "S1");
	assert_int_equal(summary_packets(&v.c.sum, 0) + summary_packets(&v.c.sum, 1), 5);
}

/* Count labels l (a set) on s n times, with the packet p from the client, and in want[]. */
static void note_labels(struct conn_summary *s, const struct packet *p, uint32_t bits, unsigned n,
			uint32_t want[LABEL_COUNT])
{
	struct labels l = {bits, 0};
	unsigned i;
	uint32_t b;
	enum label x;

	for (i = 0; i < n; i++) {
		summary_note(s, 0, p, &l, 0);
		for (b = bits; (x = labels_next(&b)) != LABEL_COUNT;)
			want[x]++;
	}
}

static void assert_counts(const struct conn_summary *s, const uint32_t want[LABEL_COUNT])
{
	unsigned i;

	for (i = 0; i < LABEL_COUNT; i++) {
		case_begin("label %s", label_name((enum label)i));
		assert_int_equal(summary_label_count(s, (enum label)i), want[i]);
	}
	case_end();
}

/*
 * The counts are kept sparse (data and ack, a bit for a label seen once, two
 * labels counted more) until a third label is counted twice: then all move
 * to a side allocation, the counts unchanged; copies carry it, the rules of
 * 65535 and 2^32 stay.
 */
static void test_summary_counts_sparse(void **state)
{
	struct conv v;
	struct packet p;
	struct conn_summary s, copy;
	uint32_t want[LABEL_COUNT] = {0};

	(void)state;
	conv_default(&v);
	conv_build(&v, &p, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	summary_start(&s, 7, 0);
	note_labels(&s, &p, 1u << LABEL_HANDSHAKE_1 | 1u << LABEL_CLOSE_1, 1, want);
	note_labels(&s, &p, 1u << LABEL_DATA | 1u << LABEL_ACK, 5, want);
	note_labels(&s, &p, 1u << LABEL_KEEPALIVE, 3, want);
	note_labels(&s, &p, 1u << LABEL_DUP_ACK | 1u << LABEL_RESET, 2, want);
	assert_counts(&s, want);
	/* A small label stops at 65535 in the summary's own counts too. */
	note_labels(&s, &p, 1u << LABEL_RESET, 70000, want);
	want[LABEL_RESET] = 65535;
	assert_counts(&s, want);
	/* A third label counted twice: everything moves, nothing changes. */
	note_labels(&s, &p, 1u << LABEL_RETRANSMISSION, 2, want);
	assert_counts(&s, want);
	note_labels(&s, &p, 1u << LABEL_ZERO_WINDOW | 1u << LABEL_KEEPALIVE, 70000, want);
	want[LABEL_ZERO_WINDOW] = 65535;
	assert_counts(&s, want);
	assert_true(summary_copy(&copy, &s));
	note_labels(&s, &p, 1u << LABEL_DATA, 1, want);
	assert_int_equal(summary_label_count(&copy, LABEL_DATA), want[LABEL_DATA] - 1);
	want[LABEL_DATA]--;
	assert_counts(&copy, want);
	summary_release(&s);
	summary_release(&copy);
}

/*
 * Packet and data/ack counts are kept in 16 bits until they pass 65535, then
 * with their high bits in the side allocation: no count is lost.
 */
static void test_summary_counts_past_16_bits(void **state)
{
	struct conv v;
	struct packet p;
	struct conn_summary s, copy;
	uint32_t want[LABEL_COUNT] = {0};

	(void)state;
	conv_default(&v);
	conv_build(&v, &p, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	summary_start(&s, 1, 0);
	note_labels(&s, &p, 1u << LABEL_DATA, 65535, want);
	assert_null(s.more);
	note_labels(&s, &p, 1u << LABEL_DATA | 1u << LABEL_ACK, 70000, want);
	assert_non_null(s.more);
	assert_int_equal(summary_packets(&s, 0), 135535);
	assert_int_equal(summary_packets(&s, 1), 0);
	assert_counts(&s, want);
	assert_true(summary_copy(&copy, &s));
	summary_release(&s);
	assert_int_equal(summary_packets(&copy, 0), 135535);
	assert_counts(&copy, want);
	summary_release(&copy);
}

/* Offsets on the clock that fit 32 bits in the unit, and the first ones past them, each side. */
static void check_clock(struct conn_summary *s, const int64_t *off, size_t n)
{
	uint32_t at[SUMMARY_CLOCKS];
	size_t i;
	unsigned k;

	for (i = 0; i < n; i++) {
		int64_t t = (int64_t)((uint64_t)s->first_ns + (uint64_t)off[i]);

		case_begin("offset %lld ns, %s", (long long)off[i], s->clock_ns ? "ns" : "us");
		/* each slot its own time: whole units apart */
		for (k = 0; k < SUMMARY_CLOCKS; k++)
			summary_clock_set(s, k, &at[k], t + k * (s->clock_ns ? 1 : 1000));
		for (k = 0; k < SUMMARY_CLOCKS; k++)
			assert_true(summary_clock(s, k, at[k]) == t + k * (s->clock_ns ? 1 : 1000));
		/* and back at the first packet's time: a time kept whole is forgotten */
		summary_clock_set(s, 0, &at[0], s->first_ns);
		assert_true(summary_clock(s, 0, at[0]) == s->first_ns);
	}
	case_end();
}

/*
 * The times of a connection are 32-bit offsets from its summary's first
 * packet: microseconds (+-35 min) for a capture in microseconds, else
 * nanoseconds (+-2.1 s). Out of range, or not a whole microsecond, a time is
 * kept whole in the side allocation: every digit comes back.
 */
static void test_summary_clock_past_32_bits(void **state)
{
	static const int64_t us_off[] = {
		0, 1000, -1000, INT64_C(2147483647000), INT64_C(2147483648000),
		-INT64_C(2147483648000), -INT64_C(2147483649000), 1, 999, -1,
		INT64_C(4) * 3600 * 1000000000, INT64_MAX / 2, INT64_MIN / 2,
	};
	static const int64_t ns_off[] = {
		0, 1, -1, INT64_C(2147483647) - 7, INT64_C(2147483648), -INT64_C(2147483648),
		-INT64_C(2147483649), INT64_C(5000000000), INT64_C(86400000000001),
	};
	struct conv v;
	struct packet p;
	struct conn_summary s;
	struct labels l = {1u << LABEL_DATA, 0};
	int64_t first_us = INT64_C(1700000000) * 1000000000;

	(void)state;
	conv_default(&v);
	conv_build(&v, &p, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	summary_start(&s, 1, first_us);
	assert_false(s.clock_ns);
	check_clock(&s, us_off, sizeof(us_off) / sizeof(us_off[0]));
	/* The record's last packet 3 hours on, and 3 hours and 1 ns on. */
	summary_note(&s, 0, &p, &l, first_us);
	summary_note(&s, 0, &p, &l, first_us + INT64_C(10800) * 1000000000);
	assert_true(summary_last_ns(&s) == first_us + INT64_C(10800) * 1000000000);
	summary_note(&s, 0, &p, &l, first_us + INT64_C(10800) * 1000000000 + 1);
	assert_true(summary_last_ns(&s) == first_us + INT64_C(10800) * 1000000000 + 1);
	summary_release(&s);

	summary_start(&s, 2, first_us + 1);
	assert_true(s.clock_ns);
	check_clock(&s, ns_off, sizeof(ns_off) / sizeof(ns_off[0]));
	summary_release(&s);
	/* Kept whole before the side allocation holds the counts too: they move in beside them. */
	summary_start(&s, 3, first_us + 1);
	summary_note(&s, 0, &p, &l, first_us + 1);
	summary_note(&s, 0, &p, &l, first_us + INT64_C(5000000001));
	assert_non_null(s.more);
	l.bits = 1u << LABEL_RESET | 1u << LABEL_KEEPALIVE | 1u << LABEL_DUP_ACK;
	summary_note(&s, 0, &p, &l, first_us + 2);
	summary_note(&s, 0, &p, &l, first_us + 3);
	assert_true(summary_last_ns(&s) == first_us + 3);
	assert_int_equal(summary_label_count(&s, LABEL_DATA), 2);
	assert_int_equal(summary_label_count(&s, LABEL_RESET), 2);
	summary_release(&s);
}

/* Byte counts go past 4 GiB (their high bits in the side allocation). */
static void test_summary_bytes_past_4gib(void **state)
{
	struct conv v;
	struct packet p;
	struct conn_summary s, copy;
	struct labels l = {1u << LABEL_DATA, 0};

	(void)state;
	conv_default(&v);
	conv_build(&v, &p, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	p.tcp.paylen = 3000000000u;
	summary_start(&s, 1, 0);
	summary_note(&s, 0, &p, &l, 0);
	assert_int_equal(summary_bytes(&s, 0), 3000000000u);
	summary_note(&s, 0, &p, &l, 0);
	summary_note(&s, 1, &p, &l, 0);
	assert_true(summary_copy(&copy, &s));
	summary_release(&s);
	assert_true(summary_bytes(&copy, 0) == UINT64_C(6000000000));
	assert_int_equal(summary_bytes(&copy, 1), 3000000000u);
	assert_int_equal(summary_label_count(&copy, LABEL_DATA), 3);
	summary_release(&copy);
}

/*
 * A long history (update_history(): a RST at another sequence number is
 * written again): past 24 letters, packed 5 bits a letter, up to HISTORY_MAX.
 */
static void test_zeek_long_history(void **state)
{
	struct conv v;
	int i;

	(void)state;
	conv_default(&v);
	handshake(&v);
	for (i = 0; i < 27; i++)
		seg(&v, SRV, RST, SISN + 1 + (uint32_t)i, 0, 0, 0);
	assert_string_equal(zeek_history(&v), "ShArrrrrrrrrrrrrrrrrrrrrrrrrrr"); /* 30 letters */
	for (; i < 60; i++)
		seg(&v, SRV, RST, SISN + 1 + (uint32_t)i, 0, 0, 0);
	assert_int_equal(strlen(zeek_history(&v)), HISTORY_MAX);
	assert_int_equal(HISTORY_MAX, 41);
	assert_string_equal(zeek_history(&v) + HISTORY_MAX - 2, "rr");
	conv_free(&v);
}

/* TCPSessionAdapter::IsReuse(): the same SYN once a side has closed starts a new record. */
static void test_zeek_record_after_reset(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, SRV, RST | ACK, 0, CISN + 1, 0, 0);
	assert_string_equal(summary_conn_state(&v.c.sum), "REJ");
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "retransmission");
	assert_string_equal(zeek_history(&v), "S");
	assert_int_equal(summary_packets(&v.c.sum, 0) + summary_packets(&v.c.sum, 1), 1);
	assert_string_equal(summary_conn_state(&v.c.sum), "S0");
}

/*
 * Zeek's timers: ConnDeleteTimer tcp_close_delay (5 s) after the close completed,
 * AttemptTimer tcp_attempt_delay (5 s) after an unanswered SYN, Session::
 * InactivityTimer() after 300 s; each fires before a packet at or past its time.
 */
static void test_zeek_timers(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	v.now_us = 1000000;
	handshake(&v);
	seg(&v, CLI, FIN | ACK, CISN + 1, SISN + 1, 0, CWIN);
	v.now_us += 2000000; /* the close completes at 3 s: its timer at 8 s */
	seg(&v, SRV, FIN | ACK, SISN + 1, CISN + 2, 0, SWIN);
	v.now_us += 4999999;
	seg(&v, CLI, ACK, CISN + 2, SISN + 2, 0, CWIN);
	assert_string_equal(zeek_history(&v), "ShAFf");
	v.now_us += 1; /* 8 s: a new record, for the tracker the same connection */
	seg(&v, CLI, ACK, CISN + 2, SISN + 2, 0, CWIN);
	assert_string_equal(zeek_history(&v), "A");
	assert_string_equal(summary_conn_state(&v.c.sum), "OTH");

	/* AttemptTimer removes only a SYN still unanswered */
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	v.now_us += 5000000;
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	assert_int_equal(summary_packets(&v.c.sum, 0), 1);
	assert_string_equal(summary_conn_state(&v.c.sum), "S0");
	conv_default(&v);
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	v.now_us += 6000000;
	seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	assert_string_equal(zeek_history(&v), "ShA");

	/* inactivity: 300 s after the last packet, not before; a half-close does not end it */
	conv_default(&v);
	handshake(&v);
	seg(&v, CLI, FIN | ACK, CISN + 1, SISN + 1, 0, CWIN);
	v.now_us += 299999999;
	seg(&v, SRV, ACK, SISN + 1, CISN + 2, 0, SWIN);
	assert_string_equal(zeek_history(&v), "ShAFa");
	v.now_us += 300000000;
	seg(&v, SRV, ACK, SISN + 1, CISN + 2, 0, SWIN);
	/* a new record, first a packet from port 80: flipped (TCPAnalyzer::WantConnection()) */
	assert_string_equal(zeek_history(&v), "^a");
}

static void test_track_port_reuse_new_isn(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	/* Not ended, but a SYN with another ISN. */
	assert_string_equal(seg(&v, CLI, SYN, CISN + 50000, 0, 0, CWIN),
			    "handshake 1/3, port reuse");
}

/* The same SYN again (a retransmission) is not port reuse. */
static void test_track_syn_retransmitted_not_reuse(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	assert_false(labels_has(&v.last, LABEL_PORT_REUSE));
	seg(&v, CLI, SYN, CISN, 0, 0, CWIN);
	assert_false(labels_has(&v.last, LABEL_PORT_REUSE));
	/* The handshake still completes normally. */
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	/* The SYN+ACK retransmitted is not port reuse either. */
	seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	assert_false(labels_has(&v.last, LABEL_PORT_REUSE));
}

/* ------------------------------------------------------------------ */
/* Sequence numbers wrapping past 2^32 */

static void test_track_sequence_wrap(void **state)
{
	const uint32_t c = 0xffffff00u, s = 0xfffffff0u;
	const uint32_t cend = c + 1 + 0x200; /* 0x101: the client's data crosses the wrap */
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, c, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, SYN | ACK, s, c + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, c + 1, s + 1, 0, CWIN), "handshake 3/3");
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, s + 1, 0x200, CWIN), "data");
	assert_int_equal(cend, 0x101);
	assert_string_equal(seg(&v, SRV, ACK, s + 1, 0x81, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, s + 1, cend, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, s + 1, cend, 0, SWIN), "dup ack #1");
	/* A retransmission from before the wrap is not data: every byte was acked. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, s + 1, 0x100, CWIN),
			    "spurious retransmission");

	/* The server's 15 bytes end exactly at 2^32: nextseq(server) = 0. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, s + 1, cend, 15, SWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, cend, 0, 0, CWIN), "ack");
	/* Keepalive at seq 0xffffffff = nextseq - 1, and its ack. */
	assert_string_equal(seg(&v, SRV, ACK, 0xffffffffu, cend, 0, SWIN), "keepalive");
	assert_string_equal(seg(&v, CLI, ACK, cend, 0, 0, CWIN), "keepalive ack");
	/* The client's keepalive just after the wrap. */
	assert_string_equal(seg(&v, CLI, ACK, cend - 1, 0, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, 0, cend, 0, SWIN), "keepalive ack");
	/* Data after the wrap, in order. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, 0, cend, 16, SWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, cend, 16, 0, CWIN), "ack");

	/* And the close. */
	assert_string_equal(seg(&v, CLI, FIN | ACK, cend, 16, 0, CWIN), "close 1/4");
	assert_string_equal(seg(&v, SRV, ACK, 16, cend + 1, 0, SWIN), "close 2/4");
	assert_string_equal(seg(&v, SRV, FIN | ACK, 16, cend + 1, 0, SWIN), "close 3/4");
	assert_string_equal(seg(&v, CLI, ACK, cend + 1, 17, 0, CWIN), "close 4/4");
}

/* A FIN exactly at the wrap: fin_seq 0xffffffff is acknowledged by ack 0. */
static void test_track_fin_at_wrap(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	seg(&v, CLI, SYN, 0xfffffffeu, 0, 0, CWIN);
	seg(&v, SRV, SYN | ACK, SISN, 0xffffffffu, 0, SWIN);
	seg(&v, CLI, ACK, 0xffffffffu, SISN + 1, 0, CWIN);
	assert_string_equal(seg(&v, CLI, FIN | ACK, 0xffffffffu, SISN + 1, 0, CWIN), "close 1/4");
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 1, 0, 0, SWIN), "FIN merged");
	assert_string_equal(seg(&v, CLI, ACK, 0, SISN + 2, 0, CWIN), "close 4/4");
}

/* ------------------------------------------------------------------ */
/* Through the tracker (flow table + track_segment) */

static void test_track_through_tracker(void **state)
{
	struct tracker *t = tracker_new();
	struct packet p;
	struct labels l;
	char buf[128];

	(void)state;
	assert_non_null(t);
	assert_int_equal(tracker_connections(t), 0);
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, SYN, CISN, 0, 0, CWIN);
	assert_true(track_segment(t, &p, &l, NULL));
	labels_format(&l, buf, sizeof(buf));
	assert_string_equal(buf, "handshake 1/3");
	make_segment4(&p, addr4_1, 80, addr4_2, 40000, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	assert_true(track_segment(t, &p, &l, NULL));
	labels_format(&l, buf, sizeof(buf));
	assert_string_equal(buf, "handshake 2/3");
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, ACK, CISN + 1, SISN + 1, 0, CWIN);
	l.bits = 0xffffffffu; /* track_segment starts from an empty set */
	assert_true(track_segment(t, &p, &l, NULL));
	labels_format(&l, buf, sizeof(buf));
	assert_string_equal(buf, "handshake 3/3");
	assert_int_equal(tracker_connections(t), 1);

	/* Another connection of the same hosts. */
	make_segment4(&p, addr4_2, 40001, addr4_1, 80, PSH | ACK, 1, 1, 10, CWIN);
	assert_true(track_segment(t, &p, &l, NULL));
	labels_format(&l, buf, sizeof(buf));
	assert_string_equal(buf, "midstream, data");
	assert_int_equal(tracker_connections(t), 2);

	/* A packet without a decoded TCP header has no labels and no connection. */
	make_segment4(&p, addr4_2, 40002, addr4_1, 80, SYN, 1, 0, 0, CWIN);
	p.stop = STOP_TCP_TRUNC_HDR;
	l.bits = 0xffffu;
	assert_true(track_segment(t, &p, &l, NULL));
	assert_true(labels_empty(&l));
	assert_int_equal(tracker_connections(t), 2);
	tracker_free(t);
	tracker_free(NULL);
}

/* The labels of p through the tracker, as text. */
static const char *tracked(struct tracker *t, const struct packet *p)
{
	static char buf[128];
	struct labels l;

	assert_true(track_segment(t, p, &l, NULL));
	labels_format(&l, buf, sizeof(buf));
	return buf;
}

/* One packet at `at` seconds of capture time. */
static struct packet *at_s(struct packet *p, int64_t at)
{
	p->ts_sec = at;
	p->ts_frac = 0;
	return p;
}

/* One packet at `ms` milliseconds of capture time. */
static struct packet *at_ms(struct packet *p, int64_t ms)
{
	p->ts_sec = ms / 1000;
	p->ts_frac = (uint32_t)(ms % 1000) * 1000;
	return p;
}

/* The records handed to the end handler, and why, in order. */
struct ends {
	uint64_t id[8];
	enum conn_end_why why[8];
	size_t n;
};

static void note_end(const struct conn *c, const struct flow_key *k, enum conn_end_why why,
		     void *ctx)
{
	struct ends *e = ctx;

	(void)k;
	if (e->n < 8) {
		e->id[e->n] = c->sum.id;
		e->why[e->n] = why;
	}
	e->n++;
}

/* addr4_2:40000 to addr4_1:80: a handshake, then a FIN-merged close at close_s. */
static void open_and_close(struct tracker *t, int64_t open_s, int64_t close_s)
{
	struct packet p;

	make_segment4(&p, addr4_2, 40000, addr4_1, 80, SYN, CISN, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, open_s)), "handshake 1/3");
	make_segment4(&p, addr4_1, 80, addr4_2, 40000, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	tracked(t, at_s(&p, open_s));
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, FIN | ACK, CISN + 1, SISN + 1, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, open_s)), "handshake 3/3, close 1/4");
	make_segment4(&p, addr4_1, 80, addr4_2, 40000, FIN | ACK, SISN + 1, CISN + 2, 0, SWIN);
	assert_string_equal(tracked(t, at_s(&p, close_s)), "FIN merged");
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, ACK, CISN + 2, SISN + 2, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, close_s)), "close 4/4");
}

/*
 * Zeek's tcp_close_delay: a connection whose close completed goes 5 s later
 * (at the first packet at or past that time, whichever connection it is of),
 * handed to the end handler then; a new SYN on its 5-tuple is still `port
 * reuse`. Before the 5 s it stays.
 */
static void test_track_removed_after_close(void **state)
{
	struct tracker *t = tracker_new();
	struct ends e = {{0}, {0}, 0};
	struct packet p;
	struct flow_key k;
	bool lo;

	(void)state;
	assert_non_null(t);
	tracker_set_end_handler(t, note_end, &e);
	open_and_close(t, 100, 101); /* the close completes at 101 */
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, ACK, CISN + 2, SISN + 2, 0, CWIN);
	flow_key_of(&p, &k, &lo);
	/* Another connection, 4.999 s after the close: the closed one stays. */
	make_segment4(&p, addr4_2, 40001, addr4_1, 80, SYN, 5, 0, 0, CWIN);
	tracked(t, at_ms(&p, 105999));
	assert_int_equal(tracker_connections(t), 2);
	assert_non_null(tracker_find(t, &k));
	assert_int_equal(e.n, 0);
	/* 5 s after: it goes, its record handed over before this packet is tracked. */
	make_segment4(&p, addr4_2, 40001, addr4_1, 80, SYN, 5, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 106)), "retransmission");
	assert_int_equal(tracker_connections(t), 1);
	assert_null(tracker_find(t, &k));
	assert_int_equal(e.n, 1);
	assert_int_equal(e.id[0], 1);
	assert_int_equal(e.why[0], CONN_END_EVICTED);
	/* A new SYN on its 5-tuple is a new connection on an old 5-tuple, once. */
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, SYN, CISN + 9000, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 200)), "handshake 1/3, port reuse");
	assert_int_equal(tracker_connections(t), 2);
	assert_true(tracker_finish(t));
	assert_int_equal(e.n, 3);
	tracker_free(t);
}

/*
 * A packet other than a SYN on the 5-tuple of a record that went (a RST
 * 6 s after the close) starts a record of its own, as in Zeek, with the
 * roles the connection had: it is no `midstream` (whose handshake was not
 * seen). A SYN with the ISN of the connection that went is that SYN again,
 * not `port reuse`.
 */
static void test_track_late_packet_after_removal(void **state)
{
	struct tracker *t = tracker_new();
	struct packet p;
	struct labels l;
	struct conn *c;

	(void)state;
	assert_non_null(t);
	/* The client has the lower port: a midstream guess would make it the server. */
	make_segment4(&p, addr4_2, 1000, addr4_1, 8080, SYN, CISN, 0, 0, CWIN);
	tracked(t, at_s(&p, 100));
	make_segment4(&p, addr4_1, 8080, addr4_2, 1000, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	tracked(t, at_s(&p, 100));
	make_segment4(&p, addr4_2, 1000, addr4_1, 8080, RST, CISN + 1, 0, 0, 0);
	assert_string_equal(tracked(t, at_s(&p, 100)), "reset");
	make_segment4(&p, addr4_2, 1000, addr4_1, 8080, RST, CISN + 1, 0, 0, 0);
	assert_true(track_segment(t, at_s(&p, 106), &l, &c));
	assert_int_equal(l.bits, 1u << LABEL_RESET);
	assert_non_null(c);
	assert_int_equal(c->sum.id, 2);
	assert_int_equal(tracker_role_of(c, &p), ROLE_CLIENT);
	assert_int_equal(tracker_connections(t), 1);
	/* That record goes 5 s after its RST; then the first SYN again, same ISN. */
	make_segment4(&p, addr4_2, 1000, addr4_1, 8080, SYN, CISN, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 112)), "handshake 1/3");
	assert_true(tracker_finish(t));
	tracker_free(t);
}

/* A SYN from port `port` to port 80 at ms, refused at once: removed 5 s later. */
static void refused_at(struct tracker *t, uint16_t port, int64_t ms)
{
	struct packet p;

	make_segment4(&p, addr4_2, port, addr4_1, 80, SYN, CISN, 0, 0, CWIN);
	tracked(t, at_ms(&p, ms));
	make_segment4(&p, addr4_1, 80, addr4_2, port, RST | ACK, 0, CISN + 1, 0, 0);
	assert_string_equal(tracked(t, at_ms(&p, ms)), "reset, refused");
}

/*
 * The 5-tuples of removed records are bounded: max(--max-flows, 4096) of
 * them, the least recently removed forgotten first. 5,001 refused connects
 * 10 ms apart (at most ~500 in the table at once, under --max-flows 5000):
 * a new SYN on the first one's 5-tuple is a plain new connection, on the
 * second's still `port reuse`.
 */
static void test_track_gone_bounded(void **state)
{
	struct tracker *t = tracker_new();
	struct packet p;
	uint16_t i;

	(void)state;
	assert_non_null(t);
	tracker_set_limits(t, 5000, 0);
	for (i = 0; i <= 5000; i++)
		refused_at(t, (uint16_t)(10000 + i), 100000 + 10 * (int64_t)i);
	assert_true(tracker_connections(t) < 600);
	make_segment4(&p, addr4_2, 20001, addr4_1, 80, SYN, 7, 0, 0, CWIN);
	tracked(t, at_s(&p, 200)); /* past every RST's 5 s: all are removed */
	assert_int_equal(tracker_connections(t), 1);
	make_segment4(&p, addr4_2, 10000, addr4_1, 80, SYN, CISN + 1000, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 200)), "handshake 1/3");
	make_segment4(&p, addr4_2, 10001, addr4_1, 80, SYN, CISN + 1000, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 200)), "handshake 1/3, port reuse");
	tracker_free(t);
}

/*
 * A record is not removed before its own timer: a RST from the other side
 * 3 s after the first RST moves Zeek's ResetTimer (removed 5 s after the
 * second RST, not the first); a new connection on the 5-tuple 2 s after a
 * close is not removed when the old close's 5 s pass.
 */
static void test_track_not_removed_early(void **state)
{
	struct tracker *t = tracker_new();
	struct packet p;
	struct flow_key k;
	bool lo;

	(void)state;
	assert_non_null(t);
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, SYN, CISN, 0, 0, CWIN);
	flow_key_of(&p, &k, &lo);
	tracked(t, at_s(&p, 100));
	make_segment4(&p, addr4_1, 80, addr4_2, 40000, SYN | ACK, SISN, CISN + 1, 0, SWIN);
	tracked(t, at_s(&p, 100));
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, ACK, CISN + 1, SISN + 1, 0, CWIN);
	tracked(t, at_s(&p, 100));
	make_segment4(&p, addr4_1, 80, addr4_2, 40000, RST | ACK, SISN + 1, CISN + 1, 0, 0);
	assert_string_equal(tracked(t, at_s(&p, 101)), "reset");
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, RST, CISN + 1, 0, 0, 0);
	assert_string_equal(tracked(t, at_s(&p, 104)), "reset");
	make_segment4(&p, addr4_2, 40001, addr4_1, 80, SYN, 5, 0, 0, CWIN);
	tracked(t, at_s(&p, 107));
	assert_non_null(tracker_find(t, &k));
	tracked(t, at_s(&p, 109));
	assert_null(tracker_find(t, &k));
	tracker_free(t);

	t = tracker_new();
	assert_non_null(t);
	open_and_close(t, 100, 101);
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, SYN, CISN + 9000, 0, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 103)), "handshake 1/3, port reuse");
	make_segment4(&p, addr4_1, 80, addr4_2, 40000, SYN | ACK, SISN + 9000, CISN + 9001, 0,
		      SWIN);
	tracked(t, at_s(&p, 103));
	make_segment4(&p, addr4_2, 40001, addr4_1, 80, SYN, 5, 0, 0, CWIN);
	tracked(t, at_s(&p, 107));
	assert_non_null(tracker_find(t, &k));
	make_segment4(&p, addr4_2, 40000, addr4_1, 80, ACK, CISN + 9001, SISN + 9001, 0, CWIN);
	assert_string_equal(tracked(t, at_s(&p, 107)), "handshake 3/3");
	tracker_free(t);
}

/* ------------------------------------------------------------------ */
/* Label text */

static const char *const all_text =
	"handshake 1/3, port reuse, handshake 2/3, handshake 3/3, simultaneous open, midstream, "
	"data, ack, keepalive, keepalive ack, close 1/4, close 2/4, close 3/4, FIN merged, "
	"close 4/4, simultaneous close, reset, refused, zero window probe, zero window, "
	"previous segment not captured, window update, window full, zero window probe ack, "
	"dup ack #0, acked unseen segment, spurious retransmission, fast retransmission, "
	"out-of-order, retransmission, duplicate";

static void test_labels_names(void **state)
{
	(void)state;
	assert_string_equal(label_name(LABEL_HANDSHAKE_1), "handshake 1/3");
	assert_string_equal(label_name(LABEL_HANDSHAKE_2), "handshake 2/3");
	assert_string_equal(label_name(LABEL_HANDSHAKE_3), "handshake 3/3");
	assert_string_equal(label_name(LABEL_PORT_REUSE), "port reuse");
	assert_string_equal(label_name(LABEL_SIMULTANEOUS_OPEN), "simultaneous open");
	assert_string_equal(label_name(LABEL_MIDSTREAM), "midstream");
	assert_string_equal(label_name(LABEL_DATA), "data");
	assert_string_equal(label_name(LABEL_ACK), "ack");
	assert_string_equal(label_name(LABEL_KEEPALIVE), "keepalive");
	assert_string_equal(label_name(LABEL_KEEPALIVE_ACK), "keepalive ack");
	assert_string_equal(label_name(LABEL_CLOSE_1), "close 1/4");
	assert_string_equal(label_name(LABEL_CLOSE_2), "close 2/4");
	assert_string_equal(label_name(LABEL_CLOSE_3), "close 3/4");
	assert_string_equal(label_name(LABEL_FIN_MERGED), "FIN merged");
	assert_string_equal(label_name(LABEL_CLOSE_4), "close 4/4");
	assert_string_equal(label_name(LABEL_SIMULTANEOUS_CLOSE), "simultaneous close");
	assert_string_equal(label_name(LABEL_RESET), "reset");
	assert_string_equal(label_name(LABEL_REFUSED), "refused");
	assert_string_equal(label_name(LABEL_COUNT), "?");
}

static void test_labels_format(void **state)
{
	struct labels l = {0};
	char buf[512];
	unsigned i;

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(labels_format(&l, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	labels_add(&l, LABEL_HANDSHAKE_1);
	assert_int_equal(labels_format(&l, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "handshake 1/3");

	/* Printed in enum order, whatever order they were added in. */
	l.bits = 0;
	labels_add(&l, LABEL_REFUSED);
	labels_add(&l, LABEL_RESET);
	assert_int_equal(labels_format(&l, buf, sizeof(buf)), 14);
	assert_string_equal(buf, "reset, refused");
	assert_true(labels_has(&l, LABEL_RESET));
	assert_false(labels_has(&l, LABEL_DATA));
	assert_false(labels_empty(&l));

	l.bits = 0;
	for (i = 0; i < LABEL_COUNT; i++)
		labels_add(&l, (enum label)i);
	assert_int_equal(labels_format(&l, buf, sizeof(buf)), strlen(all_text));
	assert_string_equal(buf, all_text);
}

/* A short buffer: never written past, always terminated, returns the full length. */
static void test_labels_format_short_buffer(void **state)
{
	struct labels l = {0};
	const size_t full = strlen(all_text);
	char buf[512];
	size_t n, i;

	(void)state;
	for (i = 0; i < LABEL_COUNT; i++)
		labels_add(&l, (enum label)i);
	/* n = 0: nothing written at all. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(labels_format(&l, buf, 0), full);
	assert_int_equal(buf[0], 'Z');

	for (n = 1; n <= full + 1; n++) {
		size_t len;

		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(labels_format(&l, buf, n), full);
		/* Terminated inside the buffer, nothing beyond it touched. */
		assert_non_null(memchr(buf, '\0', n));
		for (i = n; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'Z');
		/* What was written is the start of the full text (as snprintf would leave it). */
		len = strlen(buf);
		assert_true(len < n);
		if (strncmp(buf, all_text, len) != 0)
			fail_msg("labels_format(n=%zu) wrote \"%s\": not a prefix of the text", n,
				 buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_handshake),
		cmocka_unit_test(test_track_midstream_first_ack),
		cmocka_unit_test(test_track_reordered_old_ack),
		cmocka_unit_test(test_track_handshake_client_is_hi),
		cmocka_unit_test(test_track_handshake_3_with_data),
		cmocka_unit_test(test_track_handshake_wrong_ack),
		cmocka_unit_test(test_track_simultaneous_open),
		cmocka_unit_test(test_track_midstream),
		cmocka_unit_test(test_track_data_in_order_only),
		cmocka_unit_test(test_track_ack_only_for_new_peer_data),
		cmocka_unit_test(test_track_keepalive_and_ack),
		cmocka_unit_test(test_track_keepalive_one_byte),
		cmocka_unit_test(test_track_keepalive_ack_conditions),
		cmocka_unit_test(test_track_four_way_close_with_half_close),
		cmocka_unit_test(test_track_close_without_half_close),
		cmocka_unit_test(test_track_fin_with_data),
		cmocka_unit_test(test_track_fin_merged),
		cmocka_unit_test(test_track_simultaneous_close),
		cmocka_unit_test(test_track_fin_retransmitted),
		cmocka_unit_test(test_track_reset),
		cmocka_unit_test(test_track_refused),
		cmocka_unit_test(test_track_port_reuse_after_close),
		cmocka_unit_test(test_track_port_reuse_after_reset),
		cmocka_unit_test(test_zeek_rst_after_both_fins),
		cmocka_unit_test(test_zeek_rst_after_half_close),
		cmocka_unit_test(test_zeek_flip_midstream),
		cmocka_unit_test(test_zeek_scaled_letters),
		cmocka_unit_test(test_zeek_scaled_letters_past_255),
		cmocka_unit_test(test_zeek_gaps),
		cmocka_unit_test(test_zeek_syn_synack_reversal),
		cmocka_unit_test(test_zeek_long_history),
		cmocka_unit_test(test_summary_counts_sparse),
		cmocka_unit_test(test_summary_bytes_past_4gib),
		cmocka_unit_test(test_summary_counts_past_16_bits),
		cmocka_unit_test(test_summary_clock_past_32_bits),
		cmocka_unit_test(test_zeek_record_after_reset),
		cmocka_unit_test(test_zeek_timers),
		cmocka_unit_test(test_track_port_reuse_new_isn),
		cmocka_unit_test(test_track_syn_retransmitted_not_reuse),
		cmocka_unit_test(test_track_sequence_wrap),
		cmocka_unit_test(test_track_fin_at_wrap),
		cmocka_unit_test(test_track_through_tracker),
		cmocka_unit_test(test_track_removed_after_close),
		cmocka_unit_test(test_track_late_packet_after_removal),
		cmocka_unit_test(test_track_gone_bounded),
		cmocka_unit_test(test_track_not_removed_early),
		cmocka_unit_test(test_labels_names),
		cmocka_unit_test(test_labels_format),
		cmocka_unit_test(test_labels_format_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
