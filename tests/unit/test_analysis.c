/* test_analysis.c - unit tests of the loss, order and flow-control labels (labels.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
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

/* Milliseconds on the conversation's clock (microseconds). */
#define MS(x) ((int64_t)(x) * 1000)

/* A SYN or SYN+ACK, with the window scale option when ws >= 0. */
static const char *syn_ws(struct conv *v, enum conv_who from, uint8_t flags, uint32_t seq,
			  uint32_t ack, uint16_t win, int ws)
{
	struct packet p;

	conv_build(v, &p, from, flags, seq, ack, 0, win);
	if (ws >= 0) {
		p.tcp.has_wscale = true;
		p.tcp.wscale = (uint8_t)ws;
	}
	return conv_send(v, &p);
}

/* The three steps at one instant: no handshake RTT, so out-of-order uses its 3 ms default. */
static void handshake(struct conv *v)
{
	assert_string_equal(seg(v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
}

/* The three steps spread over rtt_us from the clock's time: the handshake RTT is rtt_us. */
static void handshake_rtt(struct conv *v, int64_t rtt_us)
{
	int64_t t0 = v->now_us;

	assert_string_equal(seg(v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	v->now_us = t0 + rtt_us / 2;
	assert_string_equal(seg(v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");
	v->now_us = t0 + rtt_us;
	assert_string_equal(seg(v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
}

/* Handshake, 100 bytes from the client, and the server's ACK of all of them. */
static void established_with_data(struct conv *v)
{
	conv_default(v);
	handshake(v);
	assert_string_equal(seg(v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
}

/* The client sends n segments of 100 bytes from CISN + 1, all at the clock's time. */
static void client_sends(struct conv *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		assert_string_equal(seg(v, CLI, PSH | ACK, CISN + 1 + 100 * i, SISN + 1, 100, CWIN),
				    "data");
}

/* ------------------------------------------------------------------ */
/* Zero window probe and its ack */

static void test_analysis_zero_window_probe(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "zero window");
	/* One byte at nextseq while the peer's window is zero. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 1, CWIN),
			    "zero window probe");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0),
			    "zero window, zero window probe ack");
	/*
	 * The same probe again: the probe's byte is not taken as sent, so it
	 * is a probe again and not a retransmission.
	 */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 1, CWIN),
			    "zero window probe");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0),
			    "zero window, zero window probe ack");
	/* A probe advertising a zero window itself is only a probe: the other rules are skipped. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 1, 0),
			    "zero window probe");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0),
			    "zero window, zero window probe ack");
	/*
	 * Linux probes with an empty segment at nextseq - 1: a keepalive. The
	 * answer follows no zero window probe: only a zero window (and no
	 * keepalive ack, the window being zero).
	 */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "zero window");
	/* The window opens; the byte that was probed is sent as data. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "window update");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN), "data");

	/* One byte at nextseq while the peer's window is open is data, not a probe. */
	conv_free(&v);
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 1, CWIN), "data");
	conv_free(&v);
}

/*
 * A probe ack may take the probe's byte (ack = lastack + 1). The byte of a
 * probe does not count as sent (Wireshark's rule), so acknowledging it is
 * also `ack` of new data and `acked unseen segment`, as tshark 4.0 says.
 */
static void test_analysis_zero_window_probe_ack_takes_byte(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "zero window");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 1, CWIN),
			    "zero window probe");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 102, 0, 0),
			    "ack, zero window, zero window probe ack, acked unseen segment");
	/* Not when the window changed: a probe ack repeats the zero window. */
	established_with_data(&v);
	seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0);
	seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 1, CWIN);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 10), "window update");
}

/* ------------------------------------------------------------------ */
/* Zero window */

static void test_analysis_zero_window(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "ack, zero window");
	/* The same ACK again: a zero window, never a dup ack or a window update. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "zero window");
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 101, 10, 0),
			    "data, zero window");
}

/* SYN, FIN and RST with a zero window field are not `zero window`. */
static void test_analysis_zero_window_not_syn_fin_rst(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, 0), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, 0), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 1, SISN + 1, 0, 0), "close 1/4");
	assert_string_equal(seg(&v, SRV, RST | ACK, SISN + 1, CISN + 2, 0, 0), "reset");
	/* A RST without ACK, as a stack answers a segment for no connection. */
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, RST, CISN + 101, 0, 0, 0), "reset");
}

/* ------------------------------------------------------------------ */
/* Previous segment not captured */

static void test_analysis_previous_segment_not_captured(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	/* Bytes 101..200 never seen. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN),
			    "previous segment not captured");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 301, SISN + 1, 100, CWIN), "data");
	/* An empty segment past nextseq shows a gap too, and so does a FIN. */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 501, SISN + 1, 0, CWIN),
			    "previous segment not captured");
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 601, SISN + 1, 0, CWIN),
			    "close 1/4, previous segment not captured");

	/* A RST past nextseq is never `previous segment not captured`. */
	established_with_data(&v);
	assert_string_equal(seg(&v, CLI, RST | ACK, CISN + 1001, SISN + 1, 0, 0), "reset");
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, RST, SISN + 5000, 0, 0, 0), "reset");
}

/* nextseq and the gap on either side of 2^32. */
static void test_analysis_previous_segment_not_captured_wrap(void **state)
{
	const uint32_t c = 0xffffff00u;
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, c, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, c + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, c + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	/* 0x100 bytes from 0xffffff01: nextseq is 0x1. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, SISN + 1, 0x100, CWIN), "data");
	/* 0x1..0x100 missing: 0x101 is after 0x1 although it is smaller than 0xffffff01. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x101u, SISN + 1, 0x10, CWIN),
			    "previous segment not captured");
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x111u, SISN + 1, 0x10, CWIN), "data");
	/* 0xfffffff1 is before nextseq 0x121 although it is larger: sent before, not a gap. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0xfffffff1u, SISN + 1, 0x10, CWIN),
			    "out-of-order");
}

/* ------------------------------------------------------------------ */
/* Window update */

static void test_analysis_window_update(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN + 500),
			    "window update");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN + 500), "dup ack #1");
	/* A window closing to zero is a zero window, not a window update. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, 0), "zero window");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "window update");
	/* An ACK of new bytes with a new window is an ack: its ack number moved. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 10, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 111, 0, SWIN + 1), "ack");
	/* Not with payload, not away from nextseq, not with FIN. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 111, 10, SWIN + 2), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 10, CISN + 111, 0, SWIN + 3), "keepalive");
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 11, CISN + 111, 0, SWIN + 4),
			    "close 1/4");
}

/* ------------------------------------------------------------------ */
/* Window full */

/* The edge is lastack(peer) + (win(peer) << the scale the SYNs agreed), each way. */
static void test_analysis_window_full_scaled(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(syn_ws(&v, CLI, SYN, CISN, 0, CWIN, 2), "handshake 1/3");
	assert_string_equal(syn_ws(&v, SRV, SYN | ACK, SISN, CISN + 1, SWIN, 3), "handshake 2/3");
	/* The client offers 50 << 2 = 200 bytes... */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, 50), "handshake 3/3");
	/* ...and the server 100 << 3 = 800. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 100), "window update");
	/* 100 bytes reach the raw window, not the scaled one. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, 50), "data");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 700, 50),
			    "data, window full");
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 801, 200, 100),
			    "data, window full");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 801, SISN + 201, 0, 50), "ack");
	/* The server's data acknowledged CISN + 801: the edge moved to CISN + 1601. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 801, SISN + 201, 400, 50), "data");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1201, SISN + 201, 400, 50),
			    "data, window full");
}

/* Without the handshake the scale is unknown: never `window full`. */
static void test_analysis_window_full_needs_handshake(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN, CISN, 0, 100), "midstream");
	/* Exactly 100 bytes past the server's ack, the server's raw window. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN, SISN, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN, CISN + 100, 0, 100), "ack");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 100, SISN, 100, CWIN), "data");

	/* The same exchange after a handshake without window scaling is window full. */
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 100), "window update");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "data, window full");
}

/* RFC 7323 section 2.2: scaling only when both SYNs carry the option. */
static void test_analysis_window_full_scale_needs_both_syns(void **state)
{
	struct conv v;

	(void)state;
	/* A SYN without the option: the SYN+ACK's scale is not used. */
	conv_default(&v);
	assert_string_equal(syn_ws(&v, CLI, SYN, CISN, 0, CWIN, -1), "handshake 1/3");
	assert_string_equal(syn_ws(&v, SRV, SYN | ACK, SISN, CISN + 1, SWIN, 3), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, 50), "handshake 3/3");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 100), "window update");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, 50),
			    "data, window full");
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 101, 50, 100),
			    "data, window full");

	/* A SYN+ACK without it turns off the scale the SYN offered, on both sides. */
	conv_default(&v);
	assert_string_equal(syn_ws(&v, CLI, SYN, CISN, 0, CWIN, 2), "handshake 1/3");
	assert_string_equal(syn_ws(&v, SRV, SYN | ACK, SISN, CISN + 1, SWIN, -1), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, 50), "handshake 3/3");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 100), "window update");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, 50),
			    "data, window full");
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 101, 50, 100),
			    "data, window full");
}

/*
 * RFC 7323 section 2.2: the window field of a SYN or SYN+ACK is never
 * scaled. Right after the handshake the server's window is the 2000 bytes
 * of its SYN+ACK, whatever scale it announced (tshark 4.0 agrees).
 */
static void test_analysis_window_full_syn_window_unscaled(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(syn_ws(&v, CLI, SYN, CISN, 0, CWIN, 3), "handshake 1/3");
	assert_string_equal(syn_ws(&v, SRV, SYN | ACK, SISN, CISN + 1, SWIN, 3), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, SWIN, CWIN),
			    "data, window full");
}

/* FIN and RST segments that reach the edge are not `window full`. */
static void test_analysis_window_full_not_fin_rst(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 100), "window update");
	assert_string_equal(seg(&v, CLI, FIN | PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "data, close 1/4");

	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 100), "window update");
	assert_string_equal(seg(&v, CLI, RST | ACK, CISN + 1, SISN + 1, 100, 0), "data, reset");
}

/* ------------------------------------------------------------------ */
/* Dup ack */

static void test_analysis_dup_ack_count(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #1");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #2");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #3");
	/* The ack number moves: the count starts again. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 10, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 111, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 111, 0, SWIN), "dup ack #1");
	/* Data from the same side with the same ack number does not restart it. */
	assert_string_equal(seg(&v, SRV, PSH | ACK, SISN + 1, CISN + 111, 10, SWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 11, CISN + 111, 0, SWIN), "dup ack #2");
	/* A FIN is never a dup ack. */
	assert_string_equal(seg(&v, SRV, FIN | ACK, SISN + 11, CISN + 111, 0, SWIN), "close 1/4");
}

/* tshark 4.0: an ACK whose window changed is a window update only, and is not counted. */
static void test_analysis_dup_ack_not_window_update(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #1");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN + 100),
			    "window update");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN + 100), "dup ack #2");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN + 100), "dup ack #3");
}

static void test_analysis_dup_ack_not_keepalive_ack(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #1");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "keepalive ack");
	/* The client's next segment ends the keepalive exchange. */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 101, SISN + 1, 0, CWIN + 1), "window update");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #2");
}

/* Ack numbers across 2^32: the count, the fast retransmission it asks for, the restart. */
static void test_analysis_dup_ack_wrap(void **state)
{
	const uint32_t c = 0xffffffc0u;
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, c, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, c + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, c + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	/* 0xffffffc1..0x1, 0x1..0x41, 0x41..0x81. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, SISN + 1, 0x40, CWIN), "data");
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x1u, SISN + 1, 0x40, CWIN), "data");
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x41u, SISN + 1, 0x40, CWIN), "data");
	v.now_us = MS(10);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x1u, 0, SWIN), "ack");
	v.now_us = MS(11);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x1u, 0, SWIN), "dup ack #1");
	v.now_us = MS(12);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x1u, 0, SWIN), "dup ack #2");
	v.now_us = MS(13);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x1u, 0, SWIN), "dup ack #3");
	v.now_us = MS(15);
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x1u, SISN + 1, 0x40, CWIN),
			    "fast retransmission");
	v.now_us = MS(16);
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x81u, 0, SWIN), "ack");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x81u, 0, SWIN), "dup ack #1");
	/* The bytes before the wrap, all acknowledged now. */
	v.now_us = MS(200);
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, SISN + 1, 0x40, CWIN),
			    "spurious retransmission");
}

/* ------------------------------------------------------------------ */
/* Acked unseen segment */

static void test_analysis_acked_unseen(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN),
			    "previous segment not captured");
	/* The server acknowledges the bytes the capture missed. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 301, 0, SWIN),
			    "ack, acked unseen segment");
	/* Said once for that hole. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 301, 0, SWIN), "dup ack #1");
	/* An ACK beyond everything the client was seen to send. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 301, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 501, 0, SWIN),
			    "ack, acked unseen segment");
}

/* ------------------------------------------------------------------ */
/* Spurious retransmission */

static void test_analysis_spurious_retransmission(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "spurious retransmission");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 151, 0, SWIN), "ack");
	/* Half of it unacknowledged: a retransmission. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN),
			    "retransmission");
	/* Its acknowledged half alone: spurious. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 50, CWIN),
			    "spurious retransmission");
}

/* Sequence numbers across 2^32: "every byte acknowledged" compares modulo 2^32. */
static void test_analysis_spurious_retransmission_wrap(void **state)
{
	const uint32_t c = 0xffffff80u;
	struct conv v;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, c, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, c + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, c + 1, SISN + 1, 0, CWIN), "handshake 3/3");
	/* 0xffffff81..0x1 and 0x1..0x81. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, SISN + 1, 0x80, CWIN), "data");
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x1u, SISN + 1, 0x80, CWIN), "data");
	/* Acknowledged up to 0x1, exactly at the wrap. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x1u, 0, SWIN), "ack");
	v.now_us = MS(300);
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, SISN + 1, 0x80, CWIN),
			    "spurious retransmission");
	/* The second segment is not acknowledged yet. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, 0x1u, SISN + 1, 0x80, CWIN), "retransmission");
	/* Acknowledged past the wrap: now both are spurious. */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, 0x81u, 0, SWIN), "ack");
	assert_string_equal(seg(&v, CLI, PSH | ACK, c + 1, SISN + 1, 0x100, CWIN),
			    "spurious retransmission");
}

/*
 * Bytes the capture missed, acknowledged by the peer, then sent again:
 * every byte was already acknowledged, so the resend is a spurious
 * retransmission although it starts at nextseq (labels.md; tshark 4.0
 * says so too). It carries no new bytes, so it is not `data` either.
 */
static void test_analysis_spurious_retransmission_at_nextseq(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 201, 0, SWIN),
			    "ack, acked unseen segment");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN),
			    "spurious retransmission");
}

/* ------------------------------------------------------------------ */
/* Fast retransmission */

struct fast_case {
	const char *name;
	unsigned dupacks;  /* dup acks from the server, 1 ms apart after its ack at 10 ms */
	uint32_t seq;      /* what the client sends again */
	int64_t at_us;
	const char *want;
};

static const struct fast_case fast_cases[] = {
	{"2 dup acks, resent 18 ms after the last", 2, CISN + 101, MS(30), "fast retransmission"},
	{"3 dup acks, resent 1 ms after the last", 3, CISN + 101, MS(14), "fast retransmission"},
	{"2 dup acks, resent 25 ms after the last", 2, CISN + 101, MS(37), "retransmission"},
	{"2 dup acks, resent 20 ms after the last", 2, CISN + 101, MS(32), "retransmission"},
	{"2 dup acks, resent 19.999 ms after", 2, CISN + 101, MS(32) - 1, "fast retransmission"},
	{"1 dup ack only", 1, CISN + 101, MS(15), "retransmission"},
	{"no dup ack", 0, CISN + 101, MS(15), "retransmission"},
	{"not the segment the dup acks ask for", 3, CISN + 201, MS(15), "retransmission"},
};

static void test_analysis_fast_retransmission(void **state)
{
	static const char *const dup_text[] = {"", "dup ack #1", "dup ack #2", "dup ack #3"};
	struct conv v;
	size_t i;
	unsigned k;

	(void)state;
	for (i = 0; i < N_OF(fast_cases); i++) {
		const struct fast_case *fc = &fast_cases[i];

		case_begin("%s", fc->name);
		conv_default(&v);
		handshake(&v);
		client_sends(&v, 3); /* CISN + 1..301 at 0 ms */
		v.now_us = MS(10);
		assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
		for (k = 1; k <= fc->dupacks; k++) {
			v.now_us = MS(10 + k);
			assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN),
					    dup_text[k]);
		}
		v.now_us = fc->at_us;
		assert_string_equal(seg(&v, CLI, PSH | ACK, fc->seq, SISN + 1, 100, CWIN),
				    fc->want);
	}
	case_end();
}

/* A resend that also fits out-of-order (soon after nextseq moved, not ending there) is fast. */
static void test_analysis_fast_beats_out_of_order(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake_rtt(&v, MS(5)); /* out-of-order within 5 ms */
	v.now_us = MS(10);
	client_sends(&v, 4); /* CISN + 1..401 */
	v.now_us = MS(10) + 500;
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
	v.now_us = MS(10) + 600;
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #1");
	v.now_us = MS(10) + 700;
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #2");
	v.now_us = MS(11);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN),
			    "fast retransmission");
	/* The next one is not what the dup acks asked for: out-of-order. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN),
			    "out-of-order");
}

/*
 * Acknowledged bytes resent soon after dup acks, and soon after nextseq
 * moved: spurious first. (Spurious and fast cannot both match one segment:
 * fast needs seq = lastack(peer), spurious seq + len <= lastack(peer).)
 */
static void test_analysis_spurious_beats_fast_and_out_of_order(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake_rtt(&v, MS(5)); /* out-of-order within 5 ms */
	v.now_us = MS(10);
	client_sends(&v, 3); /* CISN + 1..301 */
	v.now_us = MS(10) + 500;
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 201, 0, SWIN), "ack");
	v.now_us = MS(10) + 600;
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 201, 0, SWIN), "dup ack #1");
	v.now_us = MS(10) + 700;
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 201, 0, SWIN), "dup ack #2");
	v.now_us = MS(11);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "spurious retransmission");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN),
			    "fast retransmission");
}

/* ------------------------------------------------------------------ */
/* Out-of-order */

struct ooo_case {
	const char *name;
	int64_t at_us;
	const char *want;
};

/* Handshake RTT 10 ms; the segment after the gap at 20 ms. */
static const struct ooo_case ooo_rtt_cases[] = {
	{"5 ms after: within the RTT (past the 3 ms default)", MS(25), "out-of-order"},
	{"9.999 ms after", MS(30) - 1, "out-of-order"},
	{"10 ms after: one RTT", MS(30), "retransmission"},
	{"12 ms after", MS(32), "retransmission"},
};

static void test_analysis_out_of_order_rtt(void **state)
{
	struct conv v;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(ooo_rtt_cases); i++) {
		const struct ooo_case *oc = &ooo_rtt_cases[i];

		case_begin("%s", oc->name);
		conv_default(&v);
		handshake_rtt(&v, MS(10));
		v.now_us = MS(20);
		assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN),
				    "previous segment not captured");
		/* The receiver's dup ack for the hole, at the same time. */
		assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 1, 0, SWIN), "dup ack #1");
		v.now_us = oc->at_us;
		assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
				    oc->want);
	}
	case_end();
}

/* Midstream: the RTT is unknown, 3 ms. The segment after the gap at 10 ms. */
static const struct ooo_case ooo_default_cases[] = {
	{"2 ms after", MS(12), "out-of-order"},
	{"2.999 ms after", MS(13) - 1, "out-of-order"},
	{"3 ms after", MS(13), "retransmission"},
	{"4 ms after", MS(14), "retransmission"},
};

static void test_analysis_out_of_order_default(void **state)
{
	struct conv v;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(ooo_default_cases); i++) {
		const struct ooo_case *oc = &ooo_default_cases[i];

		case_begin("%s", oc->name);
		conv_default(&v);
		assert_string_equal(seg(&v, CLI, PSH | ACK, CISN, SISN, 100, CWIN),
				    "midstream, data");
		assert_string_equal(seg(&v, SRV, ACK, SISN, CISN + 100, 0, SWIN), "ack");
		v.now_us = MS(10);
		assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 200, SISN, 100, CWIN),
				    "previous segment not captured");
		assert_string_equal(seg(&v, SRV, ACK, SISN, CISN + 100, 0, SWIN), "dup ack #1");
		v.now_us = oc->at_us;
		assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 100, SISN, 100, CWIN), oc->want);
	}
	case_end();
}

/* A quick resend that ends exactly at nextseq (SYN and FIN counted) is the last one again. */
static void test_analysis_out_of_order_not_last_segment(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake_rtt(&v, MS(5)); /* out-of-order within 5 ms */
	v.now_us = MS(10);
	client_sends(&v, 2);
	v.now_us = MS(11);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN),
			    "retransmission");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "out-of-order");
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 201, SISN + 1, 0, CWIN), "close 1/4");
	v.now_us = MS(12);
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 201, SISN + 1, 0, CWIN),
			    "retransmission");
}

/* ------------------------------------------------------------------ */
/* Retransmission */

static void test_analysis_retransmission(void **state)
{
	struct conv v;

	(void)state;
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	v.now_us = MS(500);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "retransmission");
	/* Part of it, later still. */
	v.now_us = MS(900);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 51, SISN + 1, 50, CWIN),
			    "retransmission");
	/* A FIN sent again. */
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN), "close 1/4");
	v.now_us = MS(1200);
	assert_string_equal(seg(&v, CLI, FIN | ACK, CISN + 101, SISN + 1, 0, CWIN),
			    "retransmission");

	/* A SYN sent again (same ISN, a new IP datagram). */
	conv_default(&v);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	v.now_us = MS(1000);
	assert_string_equal(seg(&v, CLI, SYN, CISN, 0, 0, CWIN), "retransmission");
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");

	/* The segment that filled the window, sent again: both labels. */
	conv_default(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, SWIN, CWIN),
			    "data, window full");
	v.now_us = MS(300);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, SWIN, CWIN),
			    "window full, retransmission");
}

/* A keepalive is before nextseq, yet never a retransmission of any kind. */
static void test_analysis_keepalive_not_retransmission(void **state)
{
	struct conv v;

	(void)state;
	established_with_data(&v);
	/* Its byte was acknowledged: still not a spurious retransmission. */
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 1, CWIN), "keepalive");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN), "keepalive");
	/* With unacknowledged data, right after it was sent. */
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 200, SISN + 1, 1, CWIN), "keepalive");
	v.now_us = MS(1000);
	assert_string_equal(seg(&v, CLI, ACK, CISN + 200, SISN + 1, 1, CWIN), "keepalive");
}

/* ------------------------------------------------------------------ */
/* Duplicate */

/* The connection's packets that were not a second copy. */
static uint32_t packets_not_copies(const struct conn *c)
{
	return summary_packets(&c->sum, 0) + summary_packets(&c->sum, 1) -
	       summary_label_count(&c->sum, LABEL_DUPLICATE);
}

static void test_analysis_duplicate(void **state)
{
	struct conv v;
	struct packet p, q[4];
	unsigned i;

	(void)state;
	conv_default(&v);
	conv_build(&v, &p, CLI, SYN, CISN, 0, 0, CWIN);
	assert_string_equal(conv_send(&v, &p), "handshake 1/3");
	assert_string_equal(conv_send(&v, &p), "duplicate");
	assert_int_equal(packets_not_copies(&v.c), 1);
	assert_string_equal(seg(&v, SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN), "handshake 3/3");

	/* A copy of data is not a retransmission. */
	conv_build(&v, &p, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	assert_string_equal(conv_send(&v, &p), "data");
	assert_string_equal(conv_send(&v, &p), "duplicate");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "ack");
	/* A copy of a dup ack does not count. */
	conv_build(&v, &p, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN);
	assert_string_equal(conv_send(&v, &p), "dup ack #1");
	assert_string_equal(conv_send(&v, &p), "duplicate");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "dup ack #2");
	/* A copy of a keepalive leaves the keepalive the client's last segment. */
	conv_build(&v, &p, CLI, ACK, CISN + 100, SISN + 1, 0, CWIN);
	assert_string_equal(conv_send(&v, &p), "keepalive");
	assert_string_equal(conv_send(&v, &p), "duplicate");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 101, 0, SWIN), "keepalive ack");

	/* Two packets whose copies cross (A, B, A', B'): both copies are found. */
	for (i = 0; i < 2; i++) {
		conv_build(&v, &q[i], CLI, PSH | ACK, CISN + 101 + 10 * i, SISN + 1, 10, CWIN);
		assert_string_equal(conv_send(&v, &q[i]), "data");
	}
	assert_string_equal(conv_send(&v, &q[0]), "duplicate");
	assert_string_equal(conv_send(&v, &q[1]), "duplicate");
	/* One of the other direction between (A, B, A', B'): still. */
	conv_build(&v, &q[2], CLI, PSH | ACK, CISN + 121, SISN + 1, 10, CWIN);
	assert_string_equal(conv_send(&v, &q[2]), "data");
	conv_build(&v, &q[3], SRV, ACK, SISN + 1, CISN + 131, 0, SWIN);
	assert_string_equal(conv_send(&v, &q[3]), "ack");
	assert_string_equal(conv_send(&v, &q[2]), "duplicate");
	assert_string_equal(conv_send(&v, &q[3]), "duplicate");
	/* An ACK crossing the peer's next data segment (pcaps/duplicate-capture-ipv6.pcap). */
	conv_build(&v, &q[0], SRV, ACK, SISN + 1, CISN + 131, 0, SWIN);
	assert_string_equal(conv_send(&v, &q[0]), "dup ack #1");
	conv_build(&v, &q[1], CLI, PSH | ACK, CISN + 131, SISN + 1, 10, CWIN);
	assert_string_equal(conv_send(&v, &q[1]), "data");
	assert_string_equal(conv_send(&v, &q[0]), "duplicate");
	assert_string_equal(conv_send(&v, &q[1]), "duplicate");
	/*
	 * The same ACK again after the peer resent an old segment: the answer
	 * to it (a duplicate ACK without SACK blocks), not a copy, though the
	 * bytes (and this stack's IP ID) are the same.
	 */
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 141, 0, SWIN), "ack");
	conv_build(&v, &q[0], SRV, ACK, SISN + 1, CISN + 141, 0, SWIN);
	q[0].ip.head.id = 7; /* as a stack that sends every datagram with IP ID 0 (or 7) */
	assert_string_equal(conv_send(&v, &q[0]), "dup ack #1");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 131, SISN + 1, 10, CWIN),
			    "spurious retransmission");
	assert_string_equal(conv_send(&v, &q[0]), "dup ack #2");
	/*
	 * Two segments between: the packet is no longer one of the last two, as
	 * a resend driven by ACKs never is (the later segment and the ACK that
	 * reported it come between). The same bytes at the same instant: IPv4's
	 * IP ID is the same too, so only the count tells.
	 */
	conv_build(&v, &q[0], CLI, PSH | ACK, CISN + 141, SISN + 1, 10, CWIN);
	assert_string_equal(conv_send(&v, &q[0]), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 151, 0, SWIN), "ack");
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 151, SISN + 1, 10, CWIN), "data");
	assert_string_equal(conv_send(&v, &q[0]), "spurious retransmission");

	/* A real retransmission, a new IP datagram, is not a duplicate. */
	conv_build(&v, &p, CLI, PSH | ACK, CISN + 161, SISN + 1, 100, CWIN);
	assert_string_equal(conv_send(&v, &p), "data");
	v.now_us = MS(400);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 161, SISN + 1, 100, CWIN),
			    "retransmission");
	/* Nor is the same IP ID with another TCP checksum (a new timestamp). */
	p.tcp.sum ^= 0x1234;
	assert_string_equal(conv_send(&v, &p), "retransmission");
	conv_free(&v);
}

/*
 * Give p the option list Linux sends on every segment after the handshake,
 * NOP, NOP, timestamp (RFC 7323), followed by ncap captured payload bytes
 * (of p's paylen), all in buf (12 + ncap bytes, which must outlive the
 * sending); and the same TCP checksum on every empty segment: what loopback
 * and a sending host that offloads checksums leave in the field.
 */
static void linux_options(struct packet *p, uint8_t *buf, uint32_t tsval, uint32_t tsecr,
			  const uint8_t *payload, size_t ncap)
{
	unsigned i;

	buf[0] = TCPOPT_NOP;
	buf[1] = TCPOPT_NOP;
	buf[2] = TCPOPT_TIMESTAMP;
	buf[3] = 10;
	for (i = 0; i < 4; i++) {
		buf[4 + i] = (uint8_t)(tsval >> (24 - 8 * i));
		buf[8 + i] = (uint8_t)(tsecr >> (24 - 8 * i));
	}
	if (ncap > 0)
		memcpy(buf + 12, payload, ncap);
	p->tcp.rest = span_make(buf, 12 + ncap);
	p->tcp.payload = span_make(buf + 12, ncap);
	p->tcp.hlen = 32;
	p->tcp.length = 32 + p->tcp.paylen;
	p->tcp.has_ts = true;
	p->tcp.ts_val = tsval;
	p->tcp.ts_ecr = tsecr;
	if (p->tcp.paylen == 0)
		p->tcp.sum = 0x7f3a;
}

/* An IPv6 segment with Linux's options (payload not captured), at the clock's time; its labels. */
static const char *seg6(struct conv *v, enum conv_who from, uint8_t flags, uint32_t seq,
			uint32_t ack, uint32_t len, uint32_t tsval, uint32_t tsecr)
{
	struct packet p;
	uint8_t opt[12];

	conv_build(v, &p, from, flags, seq, ack, len, from == CLI ? CWIN : SWIN);
	linux_options(&p, opt, tsval, tsecr, NULL, 0);
	return conv_send(v, &p);
}

/* The seed scenario over IPv6: request, then keepalives 1 s apart with their answers. */
static void test_analysis_duplicate_ipv6_keepalives(void **state)
{
	struct conv v;
	uint32_t k;

	(void)state;
	conv_default6(&v);
	handshake(&v);
	assert_string_equal(seg6(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 74, 100, 900), "data");
	assert_string_equal(seg6(&v, SRV, ACK, SISN + 1, CISN + 75, 0, 900, 100), "ack");
	/* Probe and answer: the same header each time (same checksum), but the timestamps. */
	for (k = 1; k <= 3; k++) {
		case_begin("probe %u", k);
		v.now_us = MS(1000 * k);
		assert_string_equal(seg6(&v, CLI, ACK, CISN + 74, SISN + 1, 0, 100 + 1000 * k, 900),
				    "keepalive");
		v.now_us += 13;
		assert_string_equal(seg6(&v, SRV, ACK, SISN + 1, CISN + 75, 0, 900 + 1000 * k, 100),
				    "keepalive ack");
	}
	case_end();
}

/* Without timestamps the probes are byte for byte the same: a second apart, they are not copies. */
static void test_analysis_duplicate_ipv6_window(void **state)
{
	struct conv v;
	struct packet probe, answer;
	uint32_t k;

	(void)state;
	conv_default6(&v);
	handshake(&v);
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 74, CWIN), "data");
	assert_string_equal(seg(&v, SRV, ACK, SISN + 1, CISN + 75, 0, SWIN), "ack");
	conv_build(&v, &probe, CLI, ACK, CISN + 74, SISN + 1, 0, CWIN);
	conv_build(&v, &answer, SRV, ACK, SISN + 1, CISN + 75, 0, SWIN);
	for (k = 1; k <= 3; k++) {
		case_begin("probe %u", k);
		v.now_us = MS(1000 * k);
		probe.ts_sec = answer.ts_sec = k;
		probe.ts_frac = 0;
		answer.ts_frac = 13;
		assert_string_equal(conv_send(&v, &probe), "keepalive");
		assert_string_equal(conv_send(&v, &answer), "keepalive ack");
	}
	/* The answer again, 500 us after it: a copy; 501 us: a second answer. */
	answer.ts_frac = 513;
	assert_string_equal(conv_send(&v, &answer), "duplicate");
	answer.ts_frac = 514;
	assert_string_equal(conv_send(&v, &answer), "keepalive ack");
	/* A copy stamped a little before its original ("any" merges CPUs' queues): a copy. */
	answer.ts_frac = 500;
	assert_string_equal(conv_send(&v, &answer), "duplicate");
	case_end();
	conv_free(&v);
}

/* The same IPv6 packet 20 us later is a copy; the same header with other payload bytes is not. */
static void test_analysis_duplicate_ipv6_payload(void **state)
{
	struct conv v;
	struct packet p;
	uint8_t buf[12 + 100], data[100], other[100];

	(void)state;
	conv_default6(&v);
	handshake(&v);
	memset(data, 'a', sizeof(data));
	memcpy(other, data, sizeof(other));
	other[50] = 'b';
	conv_build(&v, &p, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN);
	linux_options(&p, buf, 100, 900, data, sizeof(data));
	assert_string_equal(conv_send(&v, &p), "data");
	p.ts_frac += 20;
	assert_string_equal(conv_send(&v, &p), "duplicate");
	/* One byte in the middle differs (an offloaded checksum does not cover it). */
	p.ts_frac += 20;
	linux_options(&p, buf, 100, 900, other, sizeof(other));
	assert_string_equal(conv_send(&v, &p), "retransmission");
	/* Captured bytes, not only the length: the same segment cut at a snapshot length differs. */
	p.ts_frac += 20;
	linux_options(&p, buf, 100, 900, data, 60);
	assert_string_equal(conv_send(&v, &p), "retransmission");
	/* A new timestamp value is a new segment, whatever the rest. */
	p.ts_frac += 20;
	linux_options(&p, buf, 101, 900, data, sizeof(data));
	assert_string_equal(conv_send(&v, &p), "retransmission");
	/* And the original once more: it is no longer one of the last two. */
	p.ts_frac += 20;
	linux_options(&p, buf, 100, 900, data, sizeof(data));
	assert_string_equal(conv_send(&v, &p), "retransmission");
}

/*
 * A fast retransmission on IPv6, in the same millisecond as its original
 * (the same timestamp value) and 100 us after it, as on loopback
 * (pcaps/loss-sender-view.pcap): byte for byte the original, but the
 * segments and duplicate ACKs between make it no copy. The duplicate ACKs
 * carry no SACK blocks: each is its predecessor again, one data segment
 * later, and no copy either.
 */
static void test_analysis_duplicate_ipv6_fast_retransmission(void **state)
{
	struct conv v;
	uint32_t i;

	(void)state;
	conv_default6(&v);
	handshake(&v);
	v.now_us = MS(10);
	assert_string_equal(seg6(&v, CLI, ACK, CISN + 1, SISN + 1, 100, 7, 3), "data");
	for (i = 1; i <= 3; i++) {
		case_begin("segment %u", i + 1);
		v.now_us += 10;
		assert_string_equal(seg6(&v, CLI, ACK, CISN + 1 + 100 * i, SISN + 1, 100, 7, 3),
				    "data");
		v.now_us += 10;
		assert_string_equal(seg6(&v, SRV, ACK, SISN + 1, CISN + 1, 0, 3, 7),
				    i == 1 ? "dup ack #1" : i == 2 ? "dup ack #2" : "dup ack #3");
	}
	case_end();
	v.now_us += 40;
	assert_string_equal(seg6(&v, CLI, ACK, CISN + 1, SISN + 1, 100, 7, 3),
			    "fast retransmission");
	/* Its copy, right after it, is one. */
	v.now_us += 5;
	assert_string_equal(seg6(&v, CLI, ACK, CISN + 1, SISN + 1, 100, 7, 3), "duplicate");
}

/* One scripted segment: who sends it, when (microseconds), and its labels. */
struct step {
	enum conv_who from;
	uint8_t flags;
	uint32_t seq, ack, len;
	uint16_t win;
	int64_t at_us;
	const char *want;
};

/* Every analysis label but `window full` and `acked unseen segment`, with a 2 ms handshake RTT. */
static const struct step script[] = {
	{CLI, SYN, CISN, 0, 0, CWIN, 0, "handshake 1/3"},
	{SRV, SYN | ACK, SISN, CISN + 1, 0, SWIN, 1000, "handshake 2/3"},
	{CLI, ACK, CISN + 1, SISN + 1, 0, CWIN, 2000, "handshake 3/3"},
	{CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN, 10000, "data"},
	{CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN, 10000, "previous segment not captured"},
	{SRV, ACK, SISN + 1, CISN + 101, 0, SWIN, 11000, "ack"},
	{SRV, ACK, SISN + 1, CISN + 101, 0, SWIN, 11100, "dup ack #1"},
	{SRV, ACK, SISN + 1, CISN + 101, 0, SWIN, 11200, "dup ack #2"},
	{CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN, 11500, "fast retransmission"},
	{SRV, ACK, SISN + 1, CISN + 301, 0, SWIN, 12000, "ack"},
	{CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN, 13000, "spurious retransmission"},
	{SRV, PSH | ACK, SISN + 1, CISN + 301, 50, SWIN, 14000, "data"},
	{CLI, ACK, CISN + 301, SISN + 51, 0, CWIN, 15000, "ack"},
	{SRV, ACK, SISN + 51, CISN + 301, 0, 0, 16000, "zero window"},
	{CLI, PSH | ACK, CISN + 301, SISN + 51, 1, CWIN, 17000, "zero window probe"},
	{SRV, ACK, SISN + 51, CISN + 301, 0, 0, 17100, "zero window, zero window probe ack"},
	{SRV, ACK, SISN + 51, CISN + 301, 0, SWIN, 20000, "window update"},
	{CLI, PSH | ACK, CISN + 301, SISN + 51, 100, CWIN, 20100, "data"},
	{CLI, PSH | ACK, CISN + 401, SISN + 51, 100, CWIN, 20100, "data"},
	{CLI, PSH | ACK, CISN + 301, SISN + 51, 100, CWIN, 20200, "out-of-order"},
	{SRV, ACK, SISN + 51, CISN + 501, 0, SWIN, 21000, "ack"},
	{CLI, ACK, CISN + 500, SISN + 51, 0, CWIN, 30000, "keepalive"},
	{SRV, ACK, SISN + 51, CISN + 501, 0, SWIN, 30100, "keepalive ack"},
	{CLI, FIN | ACK, CISN + 501, SISN + 51, 0, CWIN, 31000, "close 1/4"},
	{CLI, FIN | ACK, CISN + 501, SISN + 51, 0, CWIN, 40000, "retransmission"},
	{SRV, FIN | ACK, SISN + 51, CISN + 502, 0, SWIN, 40100, "FIN merged"},
	{CLI, ACK, CISN + 502, SISN + 52, 0, CWIN, 40200, "close 4/4"},
};

/* A segment stamped at ns nanoseconds, as read from a capture in nanoseconds. */
static const char *seg_ns(struct conv *v, int64_t ns, enum conv_who from, uint8_t flags,
			  uint32_t seq, uint32_t ack, uint32_t len, uint16_t win)
{
	struct packet p;

	conv_build(v, &p, from, flags, seq, ack, len, win);
	p.ts_sec = ns / 1000000000;
	p.ts_frac = (uint32_t)(ns % 1000000000);
	p.ts_nano = true;
	return conv_send(v, &p);
}

/*
 * The connection's times are 32-bit offsets on its summary's clock
 * (nanoseconds here: +-2.1 s), whole in the side allocation past that, and
 * move to the new summary when Zeek's record ends (its timers: 5 s after an
 * unanswered SYN, 300 s of silence) while the connection goes on. A
 * handshake RTT of 400 s and 1 us, and the out-of-order rule at that RTT to
 * the nanosecond, 410 s into the connection; copies half a millisecond apart
 * 910 s into it.
 */
static void test_analysis_times_past_32_bits_ns(void **state)
{
	struct conv v;
	struct packet p;
	int64_t t0 = INT64_C(1700000000) * 1000000000 + 1;
	int64_t t1 = t0 + INT64_C(410) * 1000000000, t3 = t0 + INT64_C(910) * 1000000000;
	int64_t ooo = INT64_C(400000001) * 1000;

	(void)state;
	conv_default(&v);
	assert_string_equal(seg_ns(&v, t0, CLI, SYN, CISN, 0, 0, CWIN), "handshake 1/3");
	assert_string_equal(seg_ns(&v, t0 + INT64_C(400) * 1000000000, SRV, SYN | ACK, SISN,
				   CISN + 1, 0, SWIN), "handshake 2/3");
	assert_string_equal(seg_ns(&v, t0 + INT64_C(400) * 1000000000 + 1000, CLI, ACK, CISN + 1,
				   SISN + 1, 0, CWIN), "handshake 3/3");
	assert_int_equal(conn_rtt_us(&v.c), 400000001);
	/* the SYN again: the RTT, kept in the SYN's clock slot, stays */
	assert_string_equal(seg_ns(&v, t0 + INT64_C(401) * 1000000000, CLI, SYN, CISN, 0, 0, CWIN),
			    "retransmission");
	assert_int_equal(conn_rtt_us(&v.c), 400000001);
	assert_string_equal(seg_ns(&v, t1, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg_ns(&v, t1, CLI, PSH | ACK, CISN + 101, SISN + 1, 100, CWIN), "data");
	assert_string_equal(seg_ns(&v, t1 + ooo - 1, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "out-of-order");
	assert_string_equal(seg_ns(&v, t1 + ooo, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN),
			    "retransmission");
	conv_build(&v, &p, CLI, PSH | ACK, CISN + 201, SISN + 1, 100, CWIN);
	p.ts_nano = true;
	p.ts_sec = t3 / 1000000000;
	p.ts_frac = (uint32_t)(t3 % 1000000000);
	assert_string_equal(conv_send(&v, &p), "data");
	p.ts_frac += 500000;
	assert_string_equal(conv_send(&v, &p), "duplicate");
	p.ts_frac += 1;
	assert_string_equal(conv_send(&v, &p), "retransmission");
	conv_free(&v);
}

/*
 * The same in microseconds (+-35 min on the clock): the out-of-order rule
 * (3 ms without a handshake RTT) 2500 s into a connection (an ACK every
 * 250 s: Zeek's record goes on).
 */
static void test_analysis_times_past_32_bits_us(void **state)
{
	struct conv v;
	int64_t t1 = INT64_C(2500) * 1000000;

	(void)state;
	conv_default(&v);
	handshake(&v);
	for (v.now_us = 0; v.now_us < t1; v.now_us += INT64_C(250) * 1000000)
		seg(&v, CLI, ACK, CISN + 1, SISN + 1, 0, CWIN);
	v.now_us = t1;
	client_sends(&v, 2);
	assert_true(conn_time(&v.c, CLOCK_NEXTSEQ + CLI) == t1 * 1000);
	assert_true(v.c.sum.first_ns == 0);
	v.now_us = t1 + 2999;
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "out-of-order");
	v.now_us = t1 + 3000;
	assert_string_equal(seg(&v, CLI, PSH | ACK, CISN + 1, SISN + 1, 100, CWIN), "retransmission");
	conv_free(&v);
}

/* The connection state the rules read (not the packet count or the summary). */
static void assert_same_state(const struct conn *a, const struct conn *b)
{
	int k;

	assert_int_equal(a->state, b->state);
	assert_int_equal(a->prev_state, b->prev_state);
	assert_int_equal(a->client_is_lo, b->client_is_lo);
	assert_int_equal(a->ended, b->ended);
	assert_int_equal(a->active_closer, b->active_closer);
	assert_int_equal(a->rtt_known, b->rtt_known);
	assert_int_equal(conn_rtt_us(a), conn_rtt_us(b));
	/* every time the rules read: the SYN's until the RTT is known, each side's nextseq and ACK */
	for (k = a->rtt_known ? CLOCK_NEXTSEQ : CLOCK_SYN; k < CLOCK_RECENT; k++)
		assert_int_equal(conn_time(a, (enum conn_clock)k), conn_time(b, (enum conn_clock)k));
	assert_memory_equal(&a->dir[0], &b->dir[0], sizeof(a->dir[0]));
	assert_memory_equal(&a->dir[1], &b->dir[1], sizeof(a->dir[1]));
}

/*
 * The script twice side by side, the second time with each packet
 * captured twice: every copy is only `duplicate`, and after it the state
 * and the next labels are those of the capture without copies.
 */
static void test_analysis_duplicate_leaves_state(void **state)
{
	struct conv plain, twice;
	size_t i;

	(void)state;
	conv_default(&plain);
	conv_default(&twice);
	for (i = 0; i < N_OF(script); i++) {
		const struct step *s = &script[i];
		struct packet p;

		case_begin("step %zu, \"%s\"", i + 1, s->want);
		plain.now_us = twice.now_us = s->at_us;
		conv_build(&plain, &p, s->from, s->flags, s->seq, s->ack, s->len, s->win);
		assert_string_equal(conv_send(&plain, &p), s->want);
		conv_build(&twice, &p, s->from, s->flags, s->seq, s->ack, s->len, s->win);
		assert_string_equal(conv_send(&twice, &p), s->want);
		assert_string_equal(conv_send(&twice, &p), "duplicate");
		assert_same_state(&plain.c, &twice.c);
		assert_int_equal(packets_not_copies(&plain.c), packets_not_copies(&twice.c));
	}
	case_end();
	conv_free(&plain);
	conv_free(&twice);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analysis_zero_window_probe),
		cmocka_unit_test(test_analysis_zero_window_probe_ack_takes_byte),
		cmocka_unit_test(test_analysis_zero_window),
		cmocka_unit_test(test_analysis_zero_window_not_syn_fin_rst),
		cmocka_unit_test(test_analysis_previous_segment_not_captured),
		cmocka_unit_test(test_analysis_previous_segment_not_captured_wrap),
		cmocka_unit_test(test_analysis_window_update),
		cmocka_unit_test(test_analysis_window_full_scaled),
		cmocka_unit_test(test_analysis_window_full_needs_handshake),
		cmocka_unit_test(test_analysis_window_full_scale_needs_both_syns),
		cmocka_unit_test(test_analysis_window_full_syn_window_unscaled),
		cmocka_unit_test(test_analysis_window_full_not_fin_rst),
		cmocka_unit_test(test_analysis_dup_ack_count),
		cmocka_unit_test(test_analysis_dup_ack_not_window_update),
		cmocka_unit_test(test_analysis_dup_ack_not_keepalive_ack),
		cmocka_unit_test(test_analysis_dup_ack_wrap),
		cmocka_unit_test(test_analysis_acked_unseen),
		cmocka_unit_test(test_analysis_spurious_retransmission),
		cmocka_unit_test(test_analysis_spurious_retransmission_wrap),
		cmocka_unit_test(test_analysis_spurious_retransmission_at_nextseq),
		cmocka_unit_test_teardown(test_analysis_fast_retransmission, case_teardown),
		cmocka_unit_test(test_analysis_fast_beats_out_of_order),
		cmocka_unit_test(test_analysis_spurious_beats_fast_and_out_of_order),
		cmocka_unit_test_teardown(test_analysis_out_of_order_rtt, case_teardown),
		cmocka_unit_test_teardown(test_analysis_out_of_order_default, case_teardown),
		cmocka_unit_test(test_analysis_out_of_order_not_last_segment),
		cmocka_unit_test(test_analysis_retransmission),
		cmocka_unit_test(test_analysis_keepalive_not_retransmission),
		cmocka_unit_test(test_analysis_duplicate),
		cmocka_unit_test_teardown(test_analysis_duplicate_ipv6_keepalives, case_teardown),
		cmocka_unit_test_teardown(test_analysis_duplicate_ipv6_window, case_teardown),
		cmocka_unit_test(test_analysis_duplicate_ipv6_payload),
		cmocka_unit_test_teardown(test_analysis_duplicate_ipv6_fast_retransmission,
					  case_teardown),
		cmocka_unit_test_teardown(test_analysis_duplicate_leaves_state, case_teardown),
		cmocka_unit_test(test_analysis_times_past_32_bits_ns),
		cmocka_unit_test(test_analysis_times_past_32_bits_us),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
