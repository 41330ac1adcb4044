/* kafka_dump.c - test tool: the Kafka hint of every message in a capture, one line per message, for the tshark oracle. */
/*
 * Usage: kafka_dump FILE.pcap
 *
 * Prints "FRAME<TAB>HINT" for each Kafka message, FRAME being the frame that
 * completes it, as tshark reports a reassembled PDU. Until the hints are wired
 * into tcpnote itself (then tests/oracle/tshark_kafka.py reads tcpnote --json),
 * this is the decoder's only way to meet real captures.
 *
 * Deliberately simple, for clean loopback captures: each direction's payload is
 * reassembled in sequence order (a segment that is not the next one is dropped,
 * its new bytes kept when it overlaps); a connection is Kafka when a
 * direction's first payload sniffs as a Kafka request, and the other direction
 * then carries the responses, matched by correlation id. Exit status: 0, 1 when
 * the file cannot be read, 2 for usage.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/app_kafka.h"
#include "tcpnote/bytes.h"
#include "tcpnote/decode.h"
#include "tcpnote/flow.h"
#include "tcpnote/seq.h"

#define MAX_CONNS 256

struct dir {
	bool started;     /* next is known */
	uint32_t next;    /* the next byte expected */
	uint8_t *buf;     /* bytes not yet framed */
	size_t len, cap;
	bool broken;      /* a length out of bounds: nothing more is framed */
};

struct conn {
	struct flow_key key;
	struct dir d[2];  /* [0] from the lower end of the key, [1] from the higher */
	int requests;     /* which direction sends the requests: -1 not known yet, -2 not Kafka */
	struct kafka_inflight inflight;
};

struct dump {
	struct conn conns[MAX_CONNS];
	size_t n;
};

static struct conn *conn_of(struct dump *dp, const struct flow_key *k)
{
	struct conn *c;
	size_t i;

	for (i = 0; i < dp->n; i++)
		if (memcmp(&dp->conns[i].key, k, sizeof(*k)) == 0)
			return &dp->conns[i];
	if (dp->n == MAX_CONNS)
		return NULL;
	c = &dp->conns[dp->n++];
	memset(c, 0, sizeof(*c));
	c->key = *k;
	c->requests = -1;
	return c;
}

static bool append(struct dir *d, const uint8_t *p, size_t n)
{
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 65536;
		uint8_t *nb;

		while (cap < d->len + n)
			cap *= 2;
		if ((nb = realloc(d->buf, cap)) == NULL)
			return false;
		d->buf = nb;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	return true;
}

/* Decode and print every complete message at the start of d's buffer. */
static void drain(struct conn *c, int side, uint32_t frame)
{
	struct dir *d = &c->d[side];
	bool requests = c->requests == side;
	char text[2048];
	size_t at = 0;

	while (!d->broken) {
		struct kafka_msg m;
		uint32_t n, corr;
		int16_t key, version;
		int r = kafka_frame(d->buf + at, d->len - at, &n);

		if (r < 0)
			d->broken = true;
		if (r <= 0 || d->len - at - 4 < n)
			break;
		at += 4;
		if (requests) {
			if (kafka_decode_request(d->buf + at, n, &m)) {
				kafka_inflight_add(&c->inflight, m.correlation_id, m.api_key,
						   m.api_version);
				kafka_format(&m, text, sizeof(text));
				printf("%u\t%s\n", frame, text);
			}
		} else if (span_be32(span_make(d->buf + at, n), 0, &corr)) {
			if (kafka_inflight_take(&c->inflight, (int32_t)corr, &key, &version) &&
			    kafka_decode_response(d->buf + at, n, key, version, &m)) {
				kafka_format(&m, text, sizeof(text));
				printf("%u\t%s\n", frame, text);
			}
		}
		at += n;
	}
	memmove(d->buf, d->buf + at, d->len - at);
	d->len -= at;
}

static void segment(struct dump *dp, const struct packet *p)
{
	struct flow_key k;
	bool from_lo;
	struct conn *c;
	struct dir *d;
	const struct tcp_info *t = &p->tcp;
	uint32_t seq = t->seq, skip;
	int side;

	flow_key_of(p, &k, &from_lo);
	if ((c = conn_of(dp, &k)) == NULL)
		return;
	side = from_lo ? 0 : 1;
	d = &c->d[side];
	if (t->flags & TCPF_SYN) {
		d->started = true;
		d->next = seq + 1;
		return;
	}
	if (t->payload.len == 0 || c->requests == -2)
		return;
	if (!d->started) {
		d->started = true;
		d->next = seq;
	}
	/* Only the bytes that come next: a copy or a gap is left out. */
	if (seq_gt(seq, d->next) || seq_leq(seq + (uint32_t)t->payload.len, d->next))
		return;
	skip = d->next - seq;
	if (c->requests == -1 && d->len == 0) {
		if (kafka_sniff(t->payload.data + skip, t->payload.len - skip) == KAFKA_SNIFF_NO) {
			c->requests = -2;
			return;
		}
		c->requests = side;
	}
	if (!append(d, t->payload.data + skip, t->payload.len - skip)) {
		fprintf(stderr, "kafka_dump: out of memory\n");
		exit(1);
	}
	d->next = seq + (uint32_t)t->payload.len;
	if (c->requests >= 0)
		drain(c, side, p->number);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct decode_opts opts = {false};
	struct pcap_pkthdr *h;
	const u_char *bytes;
	uint32_t number = 0;
	struct dump *dp;
	pcap_t *pc;
	size_t i;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: kafka_dump FILE.pcap\n");
		return 2;
	}
	if ((pc = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "kafka_dump: %s\n", err);
		return 1;
	}
	if ((dp = calloc(1, sizeof(*dp))) == NULL) {
		fprintf(stderr, "kafka_dump: out of memory\n");
		pcap_close(pc);
		return 1;
	}
	while ((r = pcap_next_ex(pc, &h, &bytes)) == 1) {
		struct packet p;

		decode_packet(pcap_datalink(pc), bytes, h->caplen, h->len, &opts, &p);
		p.number = ++number;
		if (packet_has_tcp(&p))
			segment(dp, &p);
	}
	if (r == -1)
		fprintf(stderr, "kafka_dump: %s: %s\n", argv[1], pcap_geterr(pc));
	pcap_close(pc);
	for (i = 0; i < dp->n; i++) {
		free(dp->conns[i].d[0].buf);
		free(dp->conns[i].d[1].buf);
	}
	free(dp);
	return r == -1 ? 1 : 0;
}
