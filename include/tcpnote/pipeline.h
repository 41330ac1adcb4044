/* pipeline.h - one frame's way through decode, relative numbering, tracking and printing. */
#ifndef TCPNOTE_PIPELINE_H
#define TCPNOTE_PIPELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "tcpnote/capture.h"
#include "tcpnote/print_text.h"

struct pipeline_opts {
	int dlt;
	bool absolute_seq;  /* -S */
	struct print_opts print;
};

struct pipeline;

struct pipeline *pipeline_new(FILE *out, const struct pipeline_opts *opts);
void pipeline_free(struct pipeline *pl);

/* Handle one frame (a frame_handler). */
void pipeline_frame(void *pl, const struct frame *f);

/* Counters for the end-of-run message. */
unsigned long pipeline_tcp_packets(const struct pipeline *pl);
unsigned long pipeline_other_packets(const struct pipeline *pl);
/* True once writing to the output failed (a closed pipe, a full disk). */
bool pipeline_write_failed(const struct pipeline *pl);
/* True once a table could not grow: some packets went unlabeled. */
bool pipeline_out_of_memory(const struct pipeline *pl);

#endif
