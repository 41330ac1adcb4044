/* fuzz_file.c - libFuzzer harness: a whole capture file through libpcap's reader and the full pipeline. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/decode.h"
#include "tcpnote/explain.h"
#include "tcpnote/pipeline.h"
#include "tcpnote/print_svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pipeline_opts opts;
	struct pipeline *pl;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	FILE *in, *out;
	pcap_t *pc;
	int rc;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "rb");
	if (in == NULL)
		return 0;
	pc = pcap_fopen_offline(in, ebuf); /* takes the FILE */
	if (pc == NULL) {
		fclose(in);
		return 0;
	}
	out = fopen("/dev/null", "w");
	memset(&opts, 0, sizeof(opts));
	opts.dlt = pcap_datalink(pc);
	opts.json = (size & 1) != 0;
	opts.print.vflag = (size & 2) ? 1 : 0;
	opts.print.color = (size & 4) != 0;
	/* Text output explained in one of the languages, flow records with TLS/HTTP facts. */
	opts.explain = !opts.json && (size & 8) ? ((size & 16) ? &explain_zh : &explain_en) : NULL;
	opts.keep_flows = (size & 32) != 0;
	/* Drawn: ladders instead of packet lines, and every connection kept for the SVG. */
	opts.ladder = !opts.json && !opts.explain && (size & 64);
	/* Every width, from below the narrowest ladder drawn (labels under the arrows) to 200. */
	opts.ladder_opts.columns = (int)(size % 201);
	opts.ladder_opts.ascii = (size & 128) != 0;
	opts.keep_diagrams = (size & 256) != 0;
	/* -e, and each -t form (the file's own timestamps, damaged ones included). */
	opts.print.eflag = (size & 512) != 0;
	opts.print.ts = (enum ts_mode)((size >> 10) % 6);
	pl = out != NULL && decode_link_supported(opts.dlt) ? pipeline_new(out, &opts) : NULL;
	while (pl != NULL && (rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		struct frame f;

		f.ts_sec = h->ts.tv_sec;
		f.ts_frac = (uint32_t)h->ts.tv_usec;
		f.ts_nano = false;
		f.caplen = h->caplen;
		f.wirelen = h->len;
		f.bytes = bytes;
		f.dlt = opts.dlt;
		pipeline_frame(pl, &f);
	}
	if (pl != NULL) {
		size_t n;

		pipeline_finish(pl);
		if (opts.keep_diagrams) {
			size_t nd;
			const struct diag_conn *const *dg = pipeline_diagrams(pl, &nd);

			svg_write(out, dg, nd);
		}
		summary_print(out, pipeline_flows(pl, &n), n);
		pipeline_free(pl);
	}
	if (out != NULL)
		fclose(out);
	pcap_close(pc);
	return 0;
}
