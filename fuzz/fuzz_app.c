/* fuzz_app.c - libFuzzer harness: the TLS/HTTP hint parser on segments of both directions, in and out of order. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_peer.h"
#include "tcpnote/app_hints.h"
#include "tcpnote/app_track.h"

/*
 * Input: an options byte, then segments, each a header byte (bit 7: sent by the client; bits 0-6:
 * how far its sequence number jumps from the direction's next byte, as a
 * signed 7-bit number, so retransmissions, overlaps and gaps all happen), a
 * 2-byte length, and that many payload bytes. A length of 0 is a segment
 * without payload: its ACK (the other direction's next byte plus the jump)
 * or, with the jump -64, a reset (fuzz_peer.h).
 *
 * Options: bit 0 anchors both directions at their first byte; bit 1 feeds
 * the segments as the tracker does (app_track_segment: each direction
 * sniffed, a cleartext prefix followed to its switch to TLS) rather than
 * to both parsers directly.
 */
static void feed(struct app_dir *dir[2], struct app_state **st, uint8_t *judged, bool anchored,
		 const uint32_t isn1[2], int client, uint32_t seq, uint32_t ack, int jump,
		 const uint8_t *payload, size_t len, struct app_hints *h)
{
	struct packet p;

	if (st == NULL) {
		if (len == 0)
			peer_news(dir, client, ack, jump, h);
		else
			app_feed(dir[!client], client != 0, seq, payload, len, h);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.tcp.flags = TCPF_ACK | (len > 0 ? TCPF_PSH : 0) | (len == 0 && jump == -64 ? TCPF_RST : 0);
	p.tcp.seq = seq;
	p.tcp.ack = ack;
	p.tcp.paylen = (uint32_t)len;
	p.tcp.payload = span_make(payload, len);
	app_track_segment(st, judged, !client, anchored, isn1[!client], &p,
			  APP_TRACK_FACTS | APP_TRACK_CERTS, NULL, h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t isn1[2] = {1000, 500000};
	struct app_dir *dir[2] = {app_dir_new(), app_dir_new()};
	struct app_conn_facts facts = {0};
	struct app_cert_chain *chain = NULL;
	uint32_t next[2] = {isn1[0], isn1[1]};
	struct app_state *st = NULL;
	uint8_t judged = 0;
	bool anchored = size > 0 && (data[0] & 1), tracked = size > 0 && (data[0] & 2);
	size_t at = 1;
	char text[1024];

	if (dir[0] == NULL || dir[1] == NULL)
		goto out;
	/* The server's certificates read whole, as for flow records and --explain. */
	app_dir_collect_chain(dir[1], &chain);
	if (anchored) {
		app_dir_anchor(dir[0], next[0]);
		app_dir_anchor(dir[1], next[1]);
	}
	while (at + 3 <= size) {
		int client = data[at] >> 7;
		int jump = (int)(int8_t)(uint8_t)(data[at] << 1) / 2;
		size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
		struct app_hints h;
		uint32_t bits;
		enum app_hint_kind k;
		uint32_t seq;

		at += 3;
		h.bits = 0;
		if (len > size - at)
			len = size - at;
		seq = next[!client] + (uint32_t)jump;
		app_sniff(data + at, len);
		feed(dir, tracked ? &st : NULL, &judged, anchored, isn1, client, seq,
		     next[client] + (uint32_t)jump, jump, data + at, len, &h);
		if (seq + len - next[!client] < 0x80000000u)
			next[!client] = seq + (uint32_t)len;
		for (bits = h.bits; (k = app_hints_next(&bits)) != APP_HINT_COUNT;)
			app_hint_format(&h, k, text, sizeof(text));
		/* What app_track does across directions after a HelloRetryRequest. */
		if (app_hints_has(&h, APP_HINT_SERVER_HELLO) && h.hello_retry)
			app_dir_hello_retry(dir[0]);
		if (h.bits != 0)
			app_facts_note(&facts, &h);
		at += len;
	}
	app_facts_format(&facts, text, sizeof(text));
	if (app_track_facts(st) != NULL)
		app_facts_format(app_track_facts(st), text, sizeof(text));
out:
	app_track_clear(&st, &judged);
	app_dir_free(dir[0]);
	app_dir_free(dir[1]);
	free(chain);
	return 0;
}
