/* pipeline_out.h - the output thread: formats and writes, in order, the packet lines the tracking thread hands over. */
#ifndef TCPNOTE_PIPELINE_OUT_H
#define TCPNOTE_PIPELINE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/capture.h"
#include "tcpnote/decode.h"
#include "tcpnote/labels.h"
#include "tcpnote/print_text.h"
#include "tcpnote/relseq.h"

/*
 * The tracking thread (pipeline.c) decodes, tracks and labels; this thread
 * decodes the same frame again from its copy (deterministic, and cheaper
 * than copying struct packet, 3 KiB of pointers into the frame) and formats
 * it with what only the tracker knew: relative numbers, labels, hints, the
 * connection's number. Batches go through a ring (ring.h), in order.
 */
struct pipeline_out;

struct pipeline_out_opts {
	bool json;                 /* JSON Lines instead of text */
	bool live;                 /* never wait for room: lines that find none are counted */
	struct print_opts print;   /* the text printer's */
	struct decode_opts decode; /* as the tracking thread decodes */
};

/* Start the thread writing to out; NULL when out of memory or no thread could start. */
struct pipeline_out *pipeline_out_start(FILE *out, const struct pipeline_out_opts *opts);

/* What the line of one packet needs besides its frame. */
struct pipeline_out_facts {
	int dlt;
	uint64_t frame; /* its number in the input, from 1 */
	uint64_t flow;  /* its connection's number (JSON), 0: none */
	struct relseq_view view;
	struct labels labels;
	const struct app_hints *hints; /* NULL or bits 0: none */
};

/*
 * Hand over the line of one packet, the text line of a frame that claims
 * more captured than sent bytes (invalid), or bytes already formatted (a
 * JSON record). False when it was not handed over: live and the ring full
 * (counted), or out of memory.
 */
bool pipeline_out_packet(struct pipeline_out *o, const struct frame *f,
			 const struct pipeline_out_facts *facts);
bool pipeline_out_invalid(struct pipeline_out *o, const struct frame *f, uint64_t frame);
bool pipeline_out_text(struct pipeline_out *o, const char *s, size_t n);

/* Hand over the batch being filled now. */
void pipeline_out_flush(struct pipeline_out *o);

/*
 * Live, when the capture has read what was there: hand over the batch if
 * the output thread has nothing left to write (a line waits at most until
 * the next tick); while it is busy, the batch fills on, so the ring's
 * batches stay full ones and hold as many lines as they can.
 */
void pipeline_out_flush_idle(struct pipeline_out *o);

/* Hand over the batch and wait until every line handed over is written. */
void pipeline_out_sync(struct pipeline_out *o);

/* errno of the first write that failed; 0 while none. Any thread. */
int pipeline_out_error(const struct pipeline_out *o);

/* Lines not handed over because the output had fallen behind (live only). */
uint64_t pipeline_out_not_printed(const struct pipeline_out *o);

/* Hand over the rest, wait for it to be written and end the thread (the counts above stay). */
void pipeline_out_stop(struct pipeline_out *o);

/* Stop it if running, and release it. */
void pipeline_out_free(struct pipeline_out *o);

#endif
