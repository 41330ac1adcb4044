/* fuzz_packet.c - libFuzzer harness: raw frames through decode, tracking and every printer, for each link type. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/decode.h"
#include "tcpnote/print_json.h"
#include "tcpnote/print_text.h"
#include "tcpnote/relseq.h"
#include "tcpnote/track.h"

static const int link_types[] = {LINK_EN10MB, LINK_LINUX_SLL,    LINK_LINUX_SLL2,   LINK_NULL,
				 LINK_LOOP,   LINK_RAW,          LINK_IPV4,         LINK_IPV6,
				 LINK_PPP,    LINK_IPOIB,        LINK_ARCNET_LINUX, LINK_JUNIPER_ETHER};

/*
 * Input: one byte choosing the link type and options (-e among them), then frames, each
 * preceded by a 2-byte length, so that one input drives a connection through
 * several packets and the tracker's state machines are exercised too.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_opts dopts;
	struct print_opts popts;
	struct relseq *r;
	struct tracker *t;
	struct printer *pr;
	struct packet p;
	char line[8192];
	size_t at = 1;
	int dlt;
	uint32_t n = 0;

	if (size < 1)
		return 0;
	dlt = link_types[(data[0] & 0x0f) % (sizeof(link_types) / sizeof(link_types[0]))];
	memset(&dopts, 0, sizeof(dopts));
	memset(&popts, 0, sizeof(popts));
	dopts.verify_checksums = (data[0] & 0x10) != 0;
	popts.vflag = (data[0] & 0x10) ? 1 : 0;
	popts.ts = (enum ts_mode)((data[0] >> 5) % 6);
	popts.color = (data[0] & 0x80) != 0;
	/* Bit 3 is not needed to choose among the eight link types: -e, and -q's forms of it. */
	popts.eflag = (data[0] & 0x08) != 0;
	popts.quick = (data[0] & 0x48) == 0x48;
	r = relseq_new();
	t = tracker_new();
	pr = printer_new(stdout, &popts);
	while (r != NULL && t != NULL && pr != NULL && at + 2 <= size && n++ < 64) {
		size_t len = (size_t)data[at] << 8 | data[at + 1];
		struct relseq_view v = {0, 0, 0};
		struct labels l = {0, 0};
		struct conn *c;

		at += 2;
		if (len > size - at)
			len = size - at;
		memset(&p, 0, sizeof(p));
		p.ts_sec = n;
		p.ts_nano = (data[0] & 0x88) == 0x88;
		p.ts_frac = n * 1000u;
		/* The wire length may exceed what was captured, never the reverse. */
		decode_packet(dlt, data + at, (uint32_t)len, (uint32_t)len + (data[0] & 0x40 ? 7u : 0u),
			      &dopts, &p);
		at += len;
		if (!packet_is_tcp(&p))
			continue;
		if (packet_has_tcp(&p))
			relseq_apply(r, (data[0] & 0x20) != 0, &p, &v);
		track_segment(t, &p, &l, &c);
		print_text_format(pr, &p, &v, &l, NULL, line, sizeof(line));
		{
			/* -x, -X and -A of the frame, through a buffer as small as makes progress. */
			enum dump_mode m = (enum dump_mode)(1 + n % 3);
			size_t dat = 0, before;

			do {
				before = dat;
				dump_format(m, p.frame, &dat, line, 128);
			} while (dat > before && dat < p.frame.len);
		}
		json_packet(line, sizeof(line), n, &p, c ? c->sum.id : 0, &l, NULL);
		if (c != NULL) {
			struct flow_key k;
			bool lo;

			flow_key_of(&p, &k, &lo);
			json_flow(line, sizeof(line), c, &k);
		}
	}
	printer_free(pr);
	tracker_free(t);
	relseq_free(r);
	return 0;
}
