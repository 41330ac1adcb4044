/* pipeline.c - wires decoders, tcpdump's relative numbers, the tracker and the output formats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/decode.h"
#include "tcpnote/io_error.h"
#include "tcpnote/pipeline.h"
#include "tcpnote/pipeline_out.h"
#include "tcpnote/print_json.h"
#include "tcpnote/relseq.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/shard.h"
#include "tcpnote/track.h"

#define RELSEQ_MIN_KEPT 4096
/*
 * Drawing keeps every packet of a connection until it ends: bounded in the
 * number of connections drawn at once (a SYN flood under --ladder) and kept
 * for the SVG (each is a section of the file). --flow picks one instead.
 */
#define DRAW_MAX_OPEN 65536
#define DRAW_MAX_KEPT 1000
/* Late hints (live --keylog) on one packet line; more go on lines of their own. */
#define LATE_PER_LINE 4

struct pipeline {
	struct pipeline_opts opts;
	struct decode_opts dopts;
	FILE *out;
	struct relseq *relseq;
	struct shard *shard;        /* --shard: the connections this process keeps (NULL: all) */
	struct tracker *tracker;
	struct printer *printer;  /* one thread: the packet lines */
	struct pipeline_out *outq; /* two threads: the packet lines go to the output thread */
	uint64_t frames;
	unsigned long tcp_packets;
	unsigned long other_packets;
	bool numbering; /* text lines: tcpdump's relative numbers are worked out */
	unsigned app_want; /* APP_TRACK_FACTS for flow records, APP_TRACK_CERTS for them and --explain */
	bool cksum_told; /* --explain -v has said why a checksum is incorrect */
	struct app_hints hints; /* the current packet's (large: not on the stack) */
	int write_error; /* errno of the first write to out that failed; 0 while none has */
	bool out_of_memory;
	uint64_t label_count[LABEL_COUNT];
	uint64_t first_frames[LABEL_COUNT][PIPELINE_FIRST_FRAMES];
	struct flow_record *flows;
	size_t nflows, flows_cap;
	uint64_t flow_total;
	uint64_t state_count[16];
	struct packet pkt;
	char line[65536]; /* a flow record with eight certificates, every byte escaped, fits */
	struct diag_conn **drawing; /* by connection id: the ones being drawn */
	size_t drawing_cap;
	struct diag_conn **drawn;   /* ended, kept for pipeline_diagrams */
	size_t ndrawn, drawn_cap;
	size_t drawing_now;         /* connections being drawn at this moment */
	uint64_t not_drawn;         /* connections left out by the bounds below */
	bool drawing_on;
	struct app_keys *keys;      /* --keylog: the secrets, and records held for them live */
	bool in_frame;              /* a packet is being handled: late hints go on its line */
	size_t nlate;
	struct app_late late[LATE_PER_LINE];
};

/* A write to out failed just now: remember why, and write nothing more to it. */
static void output_failed(struct pipeline *pl)
{
	if (pl->write_error == 0)
		pl->write_error = errno_or_eio();
}

/* The first write error, this thread's or the output thread's. */
static int current_write_error(const struct pipeline *pl)
{
	if (pl->write_error == 0 && pl->outq != NULL)
		return pipeline_out_error(pl->outq);
	return pl->write_error;
}

static void write_line(struct pipeline *pl, const char *s, size_t n)
{
	if (pl->outq != NULL)
		pipeline_out_text(pl->outq, s, n); /* in order with the packet lines */
	else if (pl->write_error == 0 && fwrite(s, 1, n, pl->out) != n)
		output_failed(pl);
}

/* CLOCK_MONOTONIC in ns: how long live records have waited for their key. */
static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Late hints on a line (a JSON record) of their own, at the time they were found. */
static void write_late(struct pipeline *pl, const struct app_late *l)
{
	struct timespec now;
	uint32_t frac;

	clock_gettime(CLOCK_REALTIME, &now);
	frac = l->from.ts_nano ? (uint32_t)now.tv_nsec : (uint32_t)(now.tv_nsec / 1000);
	if (pl->opts.json)
		write_line(pl, pl->line,
			   json_late(pl->line, sizeof(pl->line), l, (int64_t)now.tv_sec,
				     (uint32_t)(now.tv_nsec / 1000)));
	else if (pl->write_error == 0 && !print_text_late(pl->printer, l, (int64_t)now.tv_sec, frac))
		output_failed(pl);
}

/* The late hints kept for the packet line that was not printed (or JSON's, after its record). */
static void flush_late(struct pipeline *pl)
{
	size_t i;

	for (i = 0; i < pl->nlate; i++)
		write_late(pl, &pl->late[i]);
	pl->nlate = 0;
}

/* app_keys: hints of records that waited for their key. */
static void on_late(void *ctx, const struct app_late *l)
{
	struct pipeline *pl = ctx;

	if (pl->opts.quiet || pl->opts.ladder)
		return; /* no lines to put them on; the connection's facts have them */
	if (pl->in_frame && pl->nlate < LATE_PER_LINE) {
		pl->late[pl->nlate++] = *l;
		return;
	}
	write_late(pl, l);
}

static const char *const conn_states[] = {"S0",   "S1",     "SF",    "REJ", "S2",  "S3",  "RSTO",
					  "RSTR", "RSTOS0", "RSTRH", "SH",  "SHR", "OTH", NULL};

/* The drawing of connection id, started at its first packet when it is one to draw; or NULL. */
static struct diag_conn *drawing_of(struct pipeline *pl, struct conn *c, const struct packet *p)
{
	uint64_t id = c->sum.id;
	struct diag_conn *d;
	struct flow_key k;
	bool from_lo;
	struct conn_endpoints ep;

	if (pl->opts.only_flow != 0 && id != pl->opts.only_flow)
		return NULL;
	if (id < pl->drawing_cap && pl->drawing[id] != NULL)
		return pl->drawing[id];
	/* Whole or not at all: a connection left out at its first packet stays out. */
	if (c->not_drawn || pl->drawing_now >= DRAW_MAX_OPEN ||
	    (!pl->opts.ladder && pl->ndrawn + pl->drawing_now >= DRAW_MAX_KEPT)) {
		if (!c->not_drawn)
			pl->not_drawn++;
		c->not_drawn = true;
		return NULL;
	}
	if (id >= pl->drawing_cap) {
		size_t ncap = pl->drawing_cap ? pl->drawing_cap : 64;
		struct diag_conn **nd;

		while (ncap <= id)
			ncap *= 2;
		nd = realloc(pl->drawing, ncap * sizeof(*nd));
		if (nd == NULL)
			return NULL;
		memset(nd + pl->drawing_cap, 0, (ncap - pl->drawing_cap) * sizeof(*nd));
		pl->drawing = nd;
		pl->drawing_cap = ncap;
	}
	d = malloc(sizeof(*d));
	if (d == NULL)
		return NULL;
	flow_key_of(p, &k, &from_lo);
	summary_endpoints(&k, c->client_is_lo, &ep);
	diag_conn_init(d, id, &ep);
	pl->drawing[id] = d;
	pl->drawing_now++;
	return d;
}

/* Connection id ended: draw its ladder, keep it for the SVG, or let it go. */
static void finish_drawing(struct pipeline *pl, uint64_t id)
{
	struct diag_conn *d;

	if (id >= pl->drawing_cap || (d = pl->drawing[id]) == NULL)
		return;
	pl->drawing[id] = NULL;
	pl->drawing_now--;
	if (pl->opts.ladder && pl->write_error == 0 &&
	    ladder_print(pl->out, d, &pl->opts.ladder_opts) < 0)
		output_failed(pl);
	if (pl->opts.keep_diagrams && pl->ndrawn >= DRAW_MAX_KEPT) {
		pl->not_drawn++; /* drawn as a ladder, but no room left in the SVG */
	} else if (pl->opts.keep_diagrams) {
		if (pl->ndrawn == pl->drawn_cap) {
			size_t ncap = pl->drawn_cap ? pl->drawn_cap * 2 : 16;
			struct diag_conn **nd = realloc(pl->drawn, ncap * sizeof(*nd));

			if (nd == NULL) {
				pl->out_of_memory = true;
				diag_conn_free(d);
				free(d);
				return;
			}
			pl->drawn = nd;
			pl->drawn_cap = ncap;
		}
		pl->drawn[pl->ndrawn++] = d;
		return;
	}
	diag_conn_free(d);
	free(d);
}

/* The connection's Kafka facts for the summary, as text (NULL: none, or out of memory). */
static char *kafka_text(const struct conn *c)
{
	const struct kafka_facts *f = app_kafka_conn_facts(app_track_kafka(c->app));
	char text[KAFKA_FACTS_TEXT_MAX];

	if (!kafka_facts_any(f))
		return NULL;
	kafka_facts_format(f, text, sizeof(text));
	return strdup(text);
}

/* A connection ended (its 5-tuple was reused) or the input did: keep its record. */
static void on_conn_end(const struct conn *c, const struct flow_key *k, enum conn_end_why why,
			void *ctx)
{
	struct pipeline *pl = ctx;
	const char *st = summary_conn_state(&c->sum);
	size_t i;

	finish_drawing(pl, c->sum.id);
	/* tcpdump never forgets a pair: an evicted connection leaves its bases behind. */
	if (why == CONN_END_EVICTED && c->rs.known && pl->numbering &&
	    !relseq_keep(pl->relseq, k, &c->rs))
		pl->out_of_memory = true;
	pl->flow_total++;
	for (i = 0; conn_states[i] != NULL; i++)
		if (strcmp(conn_states[i], st) == 0)
			pl->state_count[i]++;
	if (pl->opts.json)
		write_line(pl, pl->line, json_flow(pl->line, sizeof(pl->line), c, k));
	if (!pl->opts.keep_flows)
		return;
	if (pl->nflows == pl->flows_cap) {
		size_t ncap = pl->flows_cap ? pl->flows_cap * 2 : 64;
		struct flow_record *nf = realloc(pl->flows, ncap * sizeof(*nf));

		if (nf == NULL) {
			pl->out_of_memory = true;
			return;
		}
		pl->flows = nf;
		pl->flows_cap = ncap;
	}
	pl->flows[pl->nflows].app = NULL;
	if (app_track_facts(c->app) != NULL) {
		pl->flows[pl->nflows].app = malloc(sizeof(struct app_conn_facts));
		if (pl->flows[pl->nflows].app == NULL)
			pl->out_of_memory = true;
		else
			*pl->flows[pl->nflows].app = *app_track_facts(c->app);
	}
	pl->flows[pl->nflows].kafka = kafka_text(c);
	if (!summary_copy(&pl->flows[pl->nflows].sum, &c->sum))
		pl->out_of_memory = true;
	summary_endpoints(k, c->client_is_lo, &pl->flows[pl->nflows].ep);
	pl->flows[pl->nflows].handshake_rtt_ns = (int64_t)conn_rtt_us(c) * 1000;
	pl->nflows++;
}

/*
 * The packet lines can be formatted on a second thread when they need only
 * the packet and what the tracker said of it then: not --explain (the
 * tracker's context of the moment), --ladder (drawn by the tracking
 * thread), --keylog (late hints join lines already waiting) or --quiet (no lines).
 */
static bool two_threads(const struct pipeline_opts *opts)
{
	return opts->threads >= 2 && !opts->quiet && !opts->ladder && opts->explain == NULL &&
	       opts->keylog == NULL;
}

struct pipeline *pipeline_new(FILE *out, const struct pipeline_opts *opts)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->opts = *opts;
	pl->out = out;
	pl->dopts.verify_checksums = opts->print.vflag > 0 && !opts->no_checksums;
	pl->numbering = !opts->quiet && !opts->json;
	if (opts->keep_flows || opts->json)
		pl->app_want = APP_TRACK_FACTS | APP_TRACK_CERTS;
	if (opts->explain != NULL)
		pl->app_want |= APP_TRACK_CERTS;
	pl->drawing_on = opts->ladder || opts->keep_diagrams;
	pl->relseq = relseq_new();
	pl->tracker = tracker_new();
	if (opts->shard_n > 1)
		pl->shard = shard_new(opts->shard_k, opts->shard_n);
	if (two_threads(opts)) {
		struct pipeline_out_opts oo;

		oo.json = opts->json;
		oo.live = opts->live;
		oo.print = opts->print;
		oo.decode = pl->dopts;
		pl->outq = pipeline_out_start(out, &oo);
	}
	if (pl->outq == NULL) /* one thread (asked, or no second one could start) */
		pl->printer = printer_new(out, &opts->print);
	if (pl->relseq == NULL || pl->tracker == NULL || (pl->printer == NULL && pl->outq == NULL) ||
	    (opts->shard_n > 1 && pl->shard == NULL)) {
		pipeline_free(pl);
		return NULL;
	}
	if (opts->keylog != NULL &&
	    (pl->keys = app_keys_new(opts->keylog, opts->keylog_tail, on_late, pl)) == NULL) {
		pipeline_free(pl);
		return NULL;
	}
	tracker_set_end_handler(pl->tracker, on_conn_end, pl);
	tracker_set_limits(pl->tracker, opts->max_flows, opts->idle_ns);
	tracker_keep_context(pl->tracker, opts->explain != NULL);
	/*
	 * The pairs whose connections were evicted: as many as connections are
	 * tracked (the memory bound --max-flows sets stays twice one table), and
	 * never fewer than RELSEQ_MIN_KEPT, which cost little.
	 */
	relseq_set_limit(pl->relseq, opts->max_flows > RELSEQ_MIN_KEPT ? opts->max_flows : RELSEQ_MIN_KEPT);
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	size_t i;

	if (pl == NULL)
		return;
	pipeline_out_free(pl->outq); /* first: it may still be writing */
	relseq_free(pl->relseq);
	shard_free(pl->shard);
	tracker_free(pl->tracker); /* before the keys: a session still holding records settles through them */
	app_keys_free(pl->keys);
	printer_free(pl->printer);
	for (i = 0; i < pl->nflows; i++) {
		free(pl->flows[i].app);
		free(pl->flows[i].kafka);
		summary_release(&pl->flows[i].sum);
	}
	free(pl->flows);
	for (i = 0; i < pl->drawing_cap; i++)
		if (pl->drawing[i] != NULL) {
			diag_conn_free(pl->drawing[i]);
			free(pl->drawing[i]);
		}
	free(pl->drawing);
	for (i = 0; i < pl->ndrawn; i++) {
		diag_conn_free(pl->drawn[i]);
		free(pl->drawn[i]);
	}
	free(pl->drawn);
	free(pl);
}

static void count_labels(struct pipeline *pl, const struct labels *l)
{
	uint32_t bits = l->bits;
	enum label i;

	while ((i = labels_next(&bits)) != LABEL_COUNT) {
		if (pl->label_count[i] < PIPELINE_FIRST_FRAMES)
			pl->first_frames[i][pl->label_count[i]] = pl->frames;
		pl->label_count[i]++;
	}
}

/*
 * tcpdump's relative numbers for p: from the bases in its connection's
 * record, or, for a packet the tracker does not follow, from the table that
 * holds the pairs without one.
 */
static void number_relative(struct pipeline *pl, const struct packet *p, struct conn *c,
			    struct relseq_view *view)
{
	struct flow_key k;
	bool from_lo;

	if (c == NULL) {
		/* Not followed by the tracker (a damaged header), but perhaps by a live connection. */
		flow_key_of(p, &k, &from_lo);
		c = tracker_find(pl->tracker, &k);
	}
	/*
	 * Inside a tunnel the connection (inner 5-tuple and tunnel) is not the
	 * pair tcpdump numbers by (inner 5-tuple alone: one VNI each way is one pair).
	 */
	if (c == NULL || p->tun.depth > 0) {
		if (!relseq_apply(pl->relseq, pl->opts.absolute_seq, p, view))
			pl->out_of_memory = true;
		return;
	}
	if (!c->rs.asked) {
		/* A new record: the pair may have had bases before it (evicted, or untracked packets). */
		if (relseq_count(pl->relseq) > 0) {
			flow_key_of(p, &k, &from_lo);
			relseq_take(pl->relseq, &k, &c->rs);
		}
		c->rs.asked = 1;
	}
	relseq_step(&c->rs, pl->opts.absolute_seq, p, view);
}

static void draw_packet(struct pipeline *pl, struct conn *c, int role, const struct packet *p,
			const struct labels *l, const struct app_hints *h)
{
	struct diag_conn *d = drawing_of(pl, c, p);
	bool isn_valid[2] = {c->dir[0].isn_valid, c->dir[1].isn_valid};
	uint32_t isn[2] = {c->dir[0].isn, c->dir[1].isn};

	if (d == NULL)
		return; /* not chosen (--flow), past the bounds (counted), or out of memory */
	if (!diag_conn_add(d, p, role, isn_valid, isn, c->dir[role].wscale, l, h))
		pl->out_of_memory = true;
}

static void handle_frame(struct pipeline *pl, const struct frame *f)
{
	struct packet *p = &pl->pkt;
	struct relseq_view view = {0, 0, 0};
	struct labels labels = {0, 0};
	struct app_hints *hints = &pl->hints;
	struct conn *c;
	enum shard_look look;
	int role;

	pl->frames++;
	p->number = (uint32_t)pl->frames; /* tcpdump's u_int count wraps the same way */
	p->ts_sec = f->ts_sec;
	p->ts_frac = f->ts_frac;
	p->ts_nano = f->ts_nano;
	/* A record that claims more captured than sent bytes is not decoded (as tcpdump). */
	if (f->caplen > f->wirelen) {
		if (pl->opts.quiet || (pl->shard != NULL && !shard_keep_undecoded(pl->shard)))
			return;
		if (pl->outq != NULL && !pl->opts.json)
			pipeline_out_invalid(pl->outq, f, pl->frames);
		else if (pl->opts.json)
			write_line(pl, pl->line,
				   (size_t)snprintf(pl->line, sizeof(pl->line),
						    "{\"type\":\"invalid\",\"frame\":%llu,\"len\":%u,"
						    "\"caplen\":%u}\n",
						    (unsigned long long)pl->frames, f->wirelen, f->caplen));
		else if (pl->write_error == 0 &&
			 !print_text_invalid(pl->printer, p, f->wirelen, f->caplen))
			output_failed(pl);
		return;
	}
	/*
	 * Another shard's connection: left before any tracking (all shards count
	 * its frame), and before decoding when a look at the frame tells (a TCP
	 * packet: other_packets does not count it).
	 */
	look = pl->shard != NULL ? shard_look(pl->shard, f->dlt, f->bytes, f->caplen, f->wirelen)
				 : SHARD_LOOK_KEEP;
	if (look == SHARD_LOOK_SKIP)
		return;
	decode_packet(f->dlt, f->bytes, f->caplen, f->wirelen, &pl->dopts, p);
	if (!packet_is_tcp(p)) {
		pl->other_packets++;
		return;
	}
	if (look == SHARD_LOOK_DECODE && !shard_keep(pl->shard, p))
		return;
	pl->tcp_packets++;
	pl->in_frame = true;
	if (app_keys_live(pl->keys))
		app_keys_tick(pl->keys, monotonic_ns());
	if (!track_segment(pl->tracker, p, &labels, &c))
		pl->out_of_memory = true;
	count_labels(pl, &labels);
	hints->bits = 0;
	role = c != NULL ? tracker_role_of(c, p) : ROLE_CLIENT;
	/* Payload, or (once a direction is followed) an ACK or reset that may end a gap's wait. */
	if (c != NULL && (p->tcp.payload.len > 0 || c->app != NULL) &&
	    !labels_has(&labels, LABEL_DUPLICATE)) {
		const struct track_dir *d = &c->dir[role];

		app_keys_packet(pl->keys, p, pl->frames, c->sum.id);
		if (!app_track_segment(&c->app, &c->app_judged, role, d->isn_valid, d->isn + 1, p,
				       pl->app_want, pl->keys, hints))
			pl->out_of_memory = true;
	}
	if (c != NULL && pl->drawing_on) {
		draw_packet(pl, c, role, p, &labels, hints);
		/*
		 * Live, someone is watching: draw the ladder when the connection has
		 * closed (both FINs acknowledged, or reset) rather than when its record
		 * goes. Its later packets, if any, are not drawn.
		 */
		if (pl->opts.live && pl->opts.ladder && !c->not_drawn &&
		    (c->state == CONN_CLOSED || c->state == CONN_RESET)) {
			finish_drawing(pl, c->sum.id);
			c->not_drawn = true;
		}
	}
	if (pl->opts.quiet || pl->opts.ladder)
		return;
	if (pl->numbering && packet_has_tcp(p))
		number_relative(pl, p, c, &view);
	if (pl->outq != NULL) {
		struct pipeline_out_facts facts;

		facts.dlt = f->dlt; /* several -r: each frame re-decoded with its own file's link type */
		facts.frame = pl->frames;
		facts.flow = c ? c->sum.id : 0;
		facts.view = view;
		facts.labels = labels;
		facts.hints = hints;
		pipeline_out_packet(pl->outq, f, &facts);
		return;
	}
	if (pl->opts.json) {
		write_line(pl, pl->line,
			   json_packet(pl->line, sizeof(pl->line), pl->frames, p, c ? c->sum.id : 0,
				       &labels, hints));
		flush_late(pl);
		return;
	}
	/* The late hints found while handling this packet go on its line. */
	if (pl->write_error == 0 &&
	    !print_text_packet_late(pl->printer, p, &view, &labels, hints, pl->late, pl->nlate))
		output_failed(pl);
	else
		pl->nlate = 0;
	if (pl->write_error == 0 && pl->opts.explain != NULL) {
		struct sbuf s;

		sbuf_init(&s, pl->line, sizeof(pl->line));
		explain_packet(&s, pl->opts.explain, p, &view, &labels, hints,
			       tracker_context(pl->tracker), pl->opts.print.vflag, &pl->cksum_told);
		write_line(pl, pl->line, s.len);
	}
}

void pipeline_set_dlt(struct pipeline *pl, int dlt)
{
	pl->opts.dlt = dlt;
}

bool pipeline_frame(void *arg, const struct frame *f)
{
	struct pipeline *pl = arg;

	handle_frame(pl, f);
	pl->in_frame = false;
	flush_late(pl); /* those of a packet that printed no line */
	return current_write_error(pl) == 0;
}

bool pipeline_tick(void *arg)
{
	struct pipeline *pl = arg;

	if (app_keys_live(pl->keys))
		app_keys_tick(pl->keys, monotonic_ns());
	if (pl->outq != NULL)
		pipeline_out_flush_idle(pl->outq); /* live: what the capture read, when the output waits for it */
	return current_write_error(pl) == 0;
}

static int by_drawing_id(const void *a, const void *b)
{
	uint64_t x = (*(struct diag_conn *const *)a)->id, y = (*(struct diag_conn *const *)b)->id;

	return x < y ? -1 : x > y;
}

static int by_flow_id(const void *a, const void *b)
{
	uint64_t x = ((const struct flow_record *)a)->sum.id;
	uint64_t y = ((const struct flow_record *)b)->sum.id;

	return x < y ? -1 : x > y;
}

bool pipeline_finish(struct pipeline *pl)
{
	bool ok;

	/* Held records are opened, or said to have no key, before the flow records. */
	app_keys_finish(pl->keys);
	ok = tracker_finish(pl->tracker);
	if (pl->outq != NULL) {
		/* The flow records are the last lines: all written before main's summary. */
		pipeline_out_stop(pl->outq);
		if (pl->write_error == 0)
			pl->write_error = pipeline_out_error(pl->outq);
	}

	if (pl->nflows > 1)
		qsort(pl->flows, pl->nflows, sizeof(*pl->flows), by_flow_id);
	if (pl->ndrawn > 1)
		qsort(pl->drawn, pl->ndrawn, sizeof(*pl->drawn), by_drawing_id);
	return ok && !pl->out_of_memory;
}

uint64_t pipeline_not_drawn(const struct pipeline *pl)
{
	return pl->not_drawn;
}

const struct diag_conn *const *pipeline_diagrams(const struct pipeline *pl, size_t *n)
{
	*n = pl->ndrawn;
	return (const struct diag_conn *const *)pl->drawn;
}

const struct flow_record *pipeline_flows(const struct pipeline *pl, size_t *n)
{
	*n = pl->nflows;
	return pl->flows;
}

uint64_t pipeline_label_count(const struct pipeline *pl, enum label l, const uint64_t **frames,
			      size_t *nframes)
{
	*frames = pl->first_frames[l];
	*nframes = pl->label_count[l] < PIPELINE_FIRST_FRAMES ? pl->label_count[l]
							      : PIPELINE_FIRST_FRAMES;
	return pl->label_count[l];
}

uint64_t pipeline_flow_count(const struct pipeline *pl)
{
	return pl->flow_total;
}

uint64_t pipeline_state_count(const struct pipeline *pl, const char *state)
{
	size_t i;

	for (i = 0; conn_states[i] != NULL; i++)
		if (strcmp(conn_states[i], state) == 0)
			return pl->state_count[i];
	return 0;
}

void pipeline_evictions(const struct pipeline *pl, uint64_t *idle, uint64_t *full)
{
	tracker_evictions(pl->tracker, idle, full);
}

unsigned long pipeline_tcp_packets(const struct pipeline *pl)
{
	return pl->tcp_packets;
}

unsigned long pipeline_other_packets(const struct pipeline *pl)
{
	return pl->other_packets;
}

int pipeline_write_error(const struct pipeline *pl)
{
	return current_write_error(pl);
}

void pipeline_sync(struct pipeline *pl)
{
	if (pl->outq != NULL)
		pipeline_out_sync(pl->outq);
}

bool pipeline_threaded(const struct pipeline *pl)
{
	return pl->outq != NULL;
}

uint64_t pipeline_not_printed(const struct pipeline *pl)
{
	return pl->outq != NULL ? pipeline_out_not_printed(pl->outq) : 0;
}

bool pipeline_out_of_memory(const struct pipeline *pl)
{
	return pl->out_of_memory;
}

const char *pipeline_keylog_error(const struct pipeline *pl)
{
	return pl->keys != NULL ? app_keys_error(pl->keys) : "";
}
