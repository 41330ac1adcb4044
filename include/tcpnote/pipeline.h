/* pipeline.h - one frame's way through decode, relative numbering, tracking and output. */
#ifndef TCPNOTE_PIPELINE_H
#define TCPNOTE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpnote/capture.h"
#include "tcpnote/expect.h"
#include "tcpnote/diagram.h"
#include "tcpnote/explain.h"
#include "tcpnote/print_ladder.h"
#include "tcpnote/print_summary.h"
#include "tcpnote/print_text.h"

struct tls_keylog;
struct tls_keylog_tail;

struct pipeline_opts {
	int dlt; /* the first file's link type; each frame carries its own (frame.dlt) */
	bool absolute_seq;  /* -S */
	bool no_checksums;  /* -K: -v verifies no checksum */
	bool json;          /* --json: JSON Lines instead of text */
	bool quiet;         /* -q: no per-packet output */
	bool keep_flows;    /* keep every connection's record (--summary) */
	size_t max_flows;   /* --max-flows: connections tracked at once (0: no limit) */
	int64_t idle_ns;    /* --idle-timeout in ns of capture time (0: never) */
	const struct explain_lang *explain; /* --explain: under each labeled line, in this language */
	bool ladder;        /* --ladder: each connection drawn when it ends, instead of packet lines */
	bool live;          /* capturing live: a ladder is drawn as soon as its connection closes */
	struct ladder_opts ladder_opts;
	bool keep_diagrams; /* --svg: every drawn connection is kept for pipeline_diagrams */
	uint64_t only_flow; /* --flow ID: draw only this connection (0: all) */
	struct tls_keylog *keylog; /* --keylog: TLS secrets (NULL: no decryption) */
	struct tls_keylog_tail *keylog_tail; /* live --keylog: the file followed into keylog (NULL: read whole) */
	uint32_t shard_k, shard_n; /* --shard K/N: keep connections hashing to K mod N (N <= 1: all) */
	struct print_opts print;
	/*
	 * --threads: 2 formats and writes the packet lines on a second thread
	 * (pipeline_out.h); 1, and always with --quiet, --ladder, --explain or
	 * --keylog (their output needs the tracker's state of the moment), on this one.
	 */
	int threads;
};

struct pipeline;

struct pipeline *pipeline_new(FILE *out, const struct pipeline_opts *opts);
void pipeline_free(struct pipeline *pl);

/* The link type of the frames from now on (kept for -V; decoding follows each frame's dlt). */
void pipeline_set_dlt(struct pipeline *pl, int dlt);

/* Handle one frame (a frame_handler): false once writing the output has failed. */
bool pipeline_frame(void *pl, const struct frame *f);

/*
 * Live, while no packet comes (a capture_tick_fn): the key log is read and
 * records waiting for their key are opened, their hints written on lines of
 * their own. False once writing the output has failed.
 */
bool pipeline_tick(void *pl);

/* Every line handed to the output thread so far is written (before a message, or -V's next file). */
void pipeline_sync(struct pipeline *pl);

/* True when a second thread formats and writes the lines. */
bool pipeline_threaded(const struct pipeline *pl);

/* Live, with two threads: lines not printed because the output fell behind the capture. */
uint64_t pipeline_not_printed(const struct pipeline *pl);

/* End of input: hand out every connection (JSON flow records). False if memory ran out. */
bool pipeline_finish(struct pipeline *pl);

/* Every connection seen, in order of first packet (after pipeline_finish; keep_flows only). */
const struct flow_record *pipeline_flows(const struct pipeline *pl, size_t *n);

/* Connections --ladder/--svg left out: more than 65,536 being drawn at once, or 1,000 in the SVG. */
uint64_t pipeline_not_drawn(const struct pipeline *pl);

/* The connections kept for drawing (keep_diagrams), in order of first packet (after pipeline_finish). */
const struct diag_conn *const *pipeline_diagrams(const struct pipeline *pl, size_t *n);

/* Connections that ended (or were evicted, or were open at the end), in all and by conn_state. */
uint64_t pipeline_flow_count(const struct pipeline *pl);
uint64_t pipeline_state_count(const struct pipeline *pl, const char *state);

/* Connections evicted for idleness and for room. */
void pipeline_evictions(const struct pipeline *pl, uint64_t *idle, uint64_t *full);

#define PIPELINE_FIRST_FRAMES 5

/* How many packets carried a label, and the first few frame numbers. */
uint64_t pipeline_label_count(const struct pipeline *pl, enum label l, const uint64_t **frames,
			      size_t *nframes);

/* Counters for the end-of-run message. */
unsigned long pipeline_tcp_packets(const struct pipeline *pl);
unsigned long pipeline_other_packets(const struct pipeline *pl);
/* errno of the first write to the output that failed (a full disk, a closed pipe); 0 while none. */
int pipeline_write_error(const struct pipeline *pl);
/* Live --keylog: why reading the key log failed during the capture ("" when it did not). */
const char *pipeline_keylog_error(const struct pipeline *pl);
/* True once a table could not grow: some packets went unlabeled. */
bool pipeline_out_of_memory(const struct pipeline *pl);

#endif
