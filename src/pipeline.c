/* pipeline.c - wires decoders, tcpdump's relative numbers, the tracker and the printer. */
#include <stdlib.h>

#include "tcpnote/decode.h"
#include "tcpnote/pipeline.h"
#include "tcpnote/relseq.h"
#include "tcpnote/track.h"

struct pipeline {
	struct pipeline_opts opts;
	struct decode_opts dopts;
	struct relseq *relseq;
	struct tracker *tracker;
	struct printer *printer;
	unsigned long tcp_packets;
	unsigned long other_packets;
	bool write_failed;
	bool out_of_memory;
	struct packet pkt;
};

struct pipeline *pipeline_new(FILE *out, const struct pipeline_opts *opts)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->opts = *opts;
	pl->dopts.verify_checksums = opts->print.vflag > 0;
	pl->relseq = relseq_new();
	pl->tracker = tracker_new();
	pl->printer = printer_new(out, &opts->print);
	if (pl->relseq == NULL || pl->tracker == NULL || pl->printer == NULL) {
		pipeline_free(pl);
		return NULL;
	}
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	relseq_free(pl->relseq);
	tracker_free(pl->tracker);
	printer_free(pl->printer);
	free(pl);
}

void pipeline_frame(void *arg, const struct frame *f)
{
	struct pipeline *pl = arg;
	struct packet *p = &pl->pkt;
	struct relseq_view view = {0, 0, 0};
	struct labels labels = {0};

	p->ts_sec = f->ts_sec;
	p->ts_frac = f->ts_frac;
	p->ts_nano = f->ts_nano;
	decode_packet(pl->opts.dlt, f->bytes, f->caplen, f->wirelen, &pl->dopts, p);
	if (!packet_is_tcp(p)) {
		pl->other_packets++;
		return;
	}
	pl->tcp_packets++;
	if (packet_has_tcp(p) && !relseq_apply(pl->relseq, pl->opts.absolute_seq, p, &view))
		pl->out_of_memory = true;
	if (!track_segment(pl->tracker, p, &labels))
		pl->out_of_memory = true;
	if (!pl->write_failed && !print_text_packet(pl->printer, p, &view, &labels))
		pl->write_failed = true;
}

unsigned long pipeline_tcp_packets(const struct pipeline *pl)
{
	return pl->tcp_packets;
}

unsigned long pipeline_other_packets(const struct pipeline *pl)
{
	return pl->other_packets;
}

bool pipeline_write_failed(const struct pipeline *pl)
{
	return pl->write_failed;
}

bool pipeline_out_of_memory(const struct pipeline *pl)
{
	return pl->out_of_memory;
}
