/* pipeline_out.c - the output thread: decodes each frame handed over again and prints it with the tracker's facts. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/io_error.h"
#include "tcpnote/packet.h"
#include "tcpnote/pipeline_out.h"
#include "tcpnote/print_json.h"
#include "tcpnote/ring.h"

/*
 * Replaying, 16 batches of about 64 KiB keep both threads busy and the
 * memory small; live, 256 (16 MiB) absorb a burst while the terminal or
 * pipe is slow, before lines are counted as not printed.
 */
#define BATCH_BYTES (64 * 1024)
#define SLOTS_REPLAY 16
#define SLOTS_LIVE 256
#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

enum item_kind { ITEM_PACKET = 1, ITEM_INVALID, ITEM_TEXT };

/* One item of a batch: this header, then the hints (has_hints), then len bytes (frame or text). */
struct item {
	uint32_t kind;
	uint32_t len;      /* ITEM_PACKET, ITEM_INVALID: caplen; ITEM_TEXT: bytes of text */
	uint32_t wirelen;
	uint32_t ts_frac;
	uint32_t claimed;  /* ITEM_INVALID: the caplen the record claims (its bytes are not kept) */
	int64_t ts_sec;
	uint64_t frame;
	uint64_t flow;
	int32_t dlt;
	bool ts_nano;
	bool has_hints;
	struct relseq_view view;
	struct labels labels;
};

struct pipeline_out {
	struct pipeline_out_opts opts;
	FILE *out;
	struct ring *ring;
	struct printer *printer; /* the output thread's only */
	pthread_t thread;
	bool running;
	struct ring_batch *cur;  /* producer: the batch being filled, NULL: none yet */
	uint64_t not_printed;    /* producer only */
	atomic_int write_error;
	/* output thread only */
	struct packet pkt;
	struct app_hints hints;
	char line[65536];
};

static const struct app_hints no_hints; /* bits 0 */

static void failed(struct pipeline_out *o)
{
	int zero = 0;

	atomic_compare_exchange_strong(&o->write_error, &zero, errno_or_eio());
}

static void format_packet(struct pipeline_out *o, const struct item *it, const unsigned char *bytes)
{
	struct packet *p = &o->pkt;
	const struct app_hints *h = it->has_hints ? &o->hints : &no_hints;

	p->ts_sec = it->ts_sec;
	p->ts_frac = it->ts_frac;
	p->ts_nano = it->ts_nano;
	p->number = (uint32_t)it->frame;
	if (it->kind == ITEM_INVALID) {
		if (!print_text_invalid(o->printer, p, it->wirelen, it->claimed))
			failed(o);
		return;
	}
	decode_packet(it->dlt, bytes, it->len, it->wirelen, &o->opts.decode, p);
	if (o->opts.json) {
		size_t n = json_packet(o->line, sizeof(o->line), it->frame, p, it->flow, &it->labels, h);

		if (fwrite(o->line, 1, n, o->out) != n)
			failed(o);
	} else if (!print_text_packet(o->printer, p, &it->view, &it->labels, h)) {
		failed(o);
	}
}

/* Every item of batch b, in order; after a failed write, nothing more is written. */
static void write_batch(struct pipeline_out *o, const struct ring_batch *b)
{
	size_t off = 0;

	while (off < b->len) {
		struct item it;
		const unsigned char *rest;

		memcpy(&it, b->data + off, sizeof(it));
		rest = b->data + off + ALIGN8(sizeof(it));
		if (it.has_hints) {
			memcpy(&o->hints, rest, sizeof(o->hints));
			rest += ALIGN8(sizeof(o->hints));
		}
		if (atomic_load_explicit(&o->write_error, memory_order_relaxed) == 0) {
			if (it.kind == ITEM_TEXT) {
				if (fwrite(rest, 1, it.len, o->out) != it.len)
					failed(o);
			} else {
				format_packet(o, &it, rest);
			}
		}
		off = (size_t)(rest - b->data) + ALIGN8(it.len);
	}
}

static void *run(void *arg)
{
	struct pipeline_out *o = arg;
	struct ring_batch *b;

	while ((b = ring_consumer_batch(o->ring)) != NULL) {
		write_batch(o, b);
		ring_release(o->ring);
	}
	return NULL;
}

struct pipeline_out *pipeline_out_start(FILE *out, const struct pipeline_out_opts *opts)
{
	struct pipeline_out *o = calloc(1, sizeof(*o));
	sigset_t all, was;
	int rc;

	if (o == NULL)
		return NULL;
	o->opts = *opts;
	o->out = out;
	atomic_init(&o->write_error, 0);
	o->ring = ring_new(opts->live ? SLOTS_LIVE : SLOTS_REPLAY);
	o->printer = printer_new(out, &opts->print);
	if (o->ring == NULL || o->printer == NULL) {
		pipeline_out_free(o);
		return NULL;
	}
	/*
	 * Ctrl-C and the like go to the capture thread, whose wait they end. A
	 * write to a closed pipe still raises SIGPIPE here, where it happens: it
	 * ends tcpnote without a word, as one thread does (unless ignored).
	 */
	sigfillset(&all);
	sigdelset(&all, SIGPIPE);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_BLOCK, &all, &was);
	rc = pthread_create(&o->thread, NULL, run, o);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (rc != 0) {
		pipeline_out_free(o);
		return NULL;
	}
	o->running = true;
	return o;
}

/* Room for need more bytes in the batch being filled: NULL when live and the ring is full. */
static unsigned char *room(struct pipeline_out *o, size_t need)
{
	if (o->cur == NULL)
		o->cur = ring_producer_batch(o->ring, !o->opts.live);
	if (o->cur == NULL || !ring_batch_reserve(o->cur, o->cur->len + need))
		return NULL;
	return o->cur->data + o->cur->len;
}

/* Append an item with its hints and len bytes; false (counted) when there was no room. */
static bool add(struct pipeline_out *o, struct item *it, const struct app_hints *h, const void *bytes)
{
	size_t need = ALIGN8(sizeof(*it)) + (it->has_hints ? ALIGN8(sizeof(*h)) : 0) + ALIGN8(it->len);
	unsigned char *at = room(o, need);

	if (at == NULL) {
		o->not_printed++;
		return false;
	}
	memcpy(at, it, sizeof(*it));
	at += ALIGN8(sizeof(*it));
	if (it->has_hints && h != NULL) {
		memcpy(at, h, sizeof(*h));
		at += ALIGN8(sizeof(*h));
	}
	if (it->len > 0 && bytes != NULL)
		memcpy(at, bytes, it->len);
	o->cur->len += need;
	if (o->cur->len >= BATCH_BYTES)
		pipeline_out_flush(o);
	return true;
}

static void item_of_frame(struct item *it, uint32_t kind, const struct frame *f, uint64_t frame)
{
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->len = f->caplen;
	it->wirelen = f->wirelen;
	it->ts_sec = f->ts_sec;
	it->ts_frac = f->ts_frac;
	it->ts_nano = f->ts_nano;
	it->frame = frame;
}

bool pipeline_out_packet(struct pipeline_out *o, const struct frame *f,
			 const struct pipeline_out_facts *facts)
{
	struct item it;

	item_of_frame(&it, ITEM_PACKET, f, facts->frame);
	it.flow = facts->flow;
	it.dlt = facts->dlt;
	it.view = facts->view;
	it.labels = facts->labels;
	it.has_hints = facts->hints != NULL && facts->hints->bits != 0;
	return add(o, &it, facts->hints, f->bytes);
}

bool pipeline_out_invalid(struct pipeline_out *o, const struct frame *f, uint64_t frame)
{
	struct item it;

	item_of_frame(&it, ITEM_INVALID, f, frame);
	it.len = 0; /* not decoded: only its numbers are printed */
	it.claimed = f->caplen;
	return add(o, &it, NULL, NULL);
}

bool pipeline_out_text(struct pipeline_out *o, const char *s, size_t n)
{
	struct item it;

	memset(&it, 0, sizeof(it));
	it.kind = ITEM_TEXT;
	it.len = (uint32_t)n;
	return add(o, &it, NULL, s);
}

void pipeline_out_flush(struct pipeline_out *o)
{
	if (o->cur != NULL && o->cur->len > 0) {
		ring_push(o->ring);
		o->cur = NULL;
	}
}

void pipeline_out_flush_idle(struct pipeline_out *o)
{
	if (ring_empty(o->ring))
		pipeline_out_flush(o);
}

void pipeline_out_sync(struct pipeline_out *o)
{
	pipeline_out_flush(o);
	ring_wait_empty(o->ring);
}

int pipeline_out_error(const struct pipeline_out *o)
{
	return atomic_load(&((struct pipeline_out *)o)->write_error);
}

uint64_t pipeline_out_not_printed(const struct pipeline_out *o)
{
	return o->not_printed;
}

void pipeline_out_stop(struct pipeline_out *o)
{
	if (!o->running)
		return;
	pipeline_out_flush(o);
	ring_close(o->ring);
	pthread_join(o->thread, NULL);
	o->running = false;
}

void pipeline_out_free(struct pipeline_out *o)
{
	if (o == NULL)
		return;
	pipeline_out_stop(o);
	printer_free(o->printer);
	ring_free(o->ring);
	free(o);
}
