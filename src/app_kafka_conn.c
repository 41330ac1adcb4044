/* app_kafka_conn.c - a Kafka connection's hints: each direction reassembled in order, framed, decoded, matched by correlation id. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/app_kafka.h"
#include "tcpnote/app_kafka_conn.h"

/*
 * Per direction: the in-order stream (app_stream.c), the 4-byte length of
 * the message being collected, and its bytes in a buffer that grows to at
 * most KAFKA_CONN_BUF_MAX. A longer message is passed over by counting its
 * bytes, without a hint. A segment past a gap (bytes not captured, or out of
 * order) ends the direction: its framing is lost.
 */
struct kafka_dir {
	struct app_stream st;
	uint8_t len_bytes[4];
	uint8_t len_have;  /* bytes of the length prefix collected; 4 while in the body */
	uint32_t msg_len;
	uint32_t have;     /* body bytes seen */
	uint8_t *buf;      /* body bytes kept (NULL while skipping) */
	uint32_t cap;
	bool skipping;     /* the message is longer than KAFKA_CONN_BUF_MAX */
	bool done;
};

struct app_kafka_conn {
	struct kafka_dir dir[2]; /* [0] the client's requests, [1] the broker's responses */
	struct kafka_inflight inflight;
};

struct app_kafka_conn *app_kafka_conn_new(void)
{
	return calloc(1, sizeof(struct app_kafka_conn));
}

void app_kafka_conn_free(struct app_kafka_conn *k)
{
	if (k == NULL)
		return;
	free(k->dir[0].buf);
	free(k->dir[1].buf);
	free(k);
}

void app_kafka_conn_anchor(struct app_kafka_conn *k, int role, uint32_t next_seq)
{
	if (k != NULL && !k->dir[role].st.anchored) {
		k->dir[role].st.next = next_seq;
		k->dir[role].st.anchored = true;
	}
}

/* A hint slot for the next message: the fourth holds the last of any more. */
static char *hint_slot(struct app_hints *out)
{
	int i;

	for (i = 0; i < APP_KAFKA_HINTS - 1; i++)
		if (!app_hints_has(out, (enum app_hint_kind)(APP_HINT_KAFKA_0 + i)))
			break;
	out->bits |= 1u << (APP_HINT_KAFKA_0 + i);
	return out->kafka[i];
}

/* A whole message of the direction: decoded and given a hint. */
static void message(struct app_kafka_conn *k, int role, const uint8_t *p, size_t n,
		    struct app_hints *out)
{
	struct kafka_msg *m = malloc(sizeof(*m));
	struct span s = span_make(p, n);
	int16_t key, version;
	uint32_t corr;
	bool ok = false;

	if (m == NULL)
		return;
	if (role == 0) {
		if ((ok = kafka_decode_request(p, n, m)))
			kafka_inflight_add(&k->inflight, m->correlation_id, m->api_key,
					   m->api_version);
	} else if (span_be32(s, 0, &corr) &&
		   kafka_inflight_take(&k->inflight, (int32_t)corr, &key, &version)) {
		ok = kafka_decode_response(p, n, key, version, m);
	}
	if (ok)
		kafka_format(m, hint_slot(out), APP_HINT_TEXT_MAX + 1);
	free(m);
}

/* Grow the buffer to hold a body of d->msg_len bytes; false skips it. */
static bool reserve(struct kafka_dir *d)
{
	uint8_t *nb;

	if (d->msg_len > KAFKA_CONN_BUF_MAX)
		return false;
	if (d->msg_len <= d->cap)
		return true;
	if ((nb = realloc(d->buf, d->msg_len)) == NULL)
		return false;
	d->buf = nb;
	d->cap = d->msg_len;
	return true;
}

/* New in-order bytes of a direction: framed into messages. */
static void feed_bytes(struct app_kafka_conn *k, int role, struct span data, struct app_hints *out)
{
	struct kafka_dir *d = &k->dir[role];
	size_t at = 0;

	while (at < data.len && !d->done) {
		size_t take;

		if (d->len_have < 4) {
			d->len_bytes[d->len_have++] = data.data[at++];
			if (d->len_have < 4)
				continue;
			if (kafka_frame(d->len_bytes, 4, &d->msg_len) != 1) {
				d->done = true;
				break;
			}
			d->have = 0;
			d->skipping = !reserve(d);
		}
		take = data.len - at;
		if (take > d->msg_len - d->have)
			take = d->msg_len - d->have;
		if (!d->skipping && take > 0) /* a message of length 0 has no buffer */
			memcpy(d->buf + d->have, data.data + at, take);
		d->have += (uint32_t)take;
		at += take;
		if (d->have == d->msg_len) {
			if (!d->skipping && d->msg_len > 0)
				message(k, role, d->buf, d->msg_len, out);
			d->len_have = 0;
		}
	}
	if (d->done) {
		free(d->buf);
		d->buf = NULL;
		d->cap = 0;
	}
}

void app_kafka_conn_feed(struct app_kafka_conn *k, int role, uint32_t seq, const uint8_t *payload,
			 size_t len, struct app_hints *out)
{
	struct kafka_dir *d;
	size_t skip;

	if (k == NULL || payload == NULL || len == 0)
		return;
	d = &k->dir[role];
	if (d->done)
		return;
	switch (app_stream_accept(&d->st, seq, len, &skip)) {
	case APP_ACCEPT_OLD:
		return;
	case APP_ACCEPT_GAP:
		d->done = true;
		free(d->buf);
		d->buf = NULL;
		d->cap = 0;
		return;
	case APP_ACCEPT_NEW:
		break;
	}
	feed_bytes(k, role, span_make(payload + skip, len - skip), out);
}
