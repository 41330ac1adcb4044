/* app_kafka_conn.c - a Kafka connection's hints and facts: each direction reassembled in order, framed, decoded, matched by correlation id. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/app_kafka.h"
#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/kafka_names.h"
#include "tcpnote/sbuf.h"

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

/*
 * A Fetch request in flight: what it asked of its first KAFKA_ITEMS_MAX
 * topic-partitions (the topic by a 64-bit hash of its name as kept), for
 * the lag its response's explanation gives. As many as kafka_inflight holds,
 * the oldest overwritten.
 */
struct fetch_ask {
	int32_t correlation_id;
	bool used;
	uint8_t n;
	struct {
		uint64_t topic;
		int32_t partition;
		int64_t offset;
	} it[KAFKA_ITEMS_MAX];
};

struct app_kafka_conn {
	struct kafka_dir dir[2]; /* [0] the client's requests, [1] the broker's responses */
	struct kafka_inflight inflight;
	struct fetch_ask asks[KAFKA_INFLIGHT_MAX];
	uint32_t next_ask;
	struct kafka_facts facts;
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
static int hint_slot(struct app_hints *out)
{
	int i;

	for (i = 0; i < APP_KAFKA_HINTS - 1; i++)
		if (!app_hints_has(out, (enum app_hint_kind)(APP_HINT_KAFKA_0 + i)))
			break;
	out->bits |= 1u << (APP_HINT_KAFKA_0 + i);
	return i;
}

/* FNV-1a over a topic name as kept (its cut flag included): the key of a fetch ask. */
static uint64_t topic_hash(const struct kafka_str *t)
{
	uint64_t h = 0xcbf29ce484222325u;
	const unsigned char *c;

	for (c = (const unsigned char *)t->s; *c != '\0'; c++)
		h = (h ^ *c) * 0x100000001b3u;
	return (h ^ (t->cut ? 1u : 0u)) * 0x100000001b3u;
}

/* A Fetch request: the offsets it asks for, kept until its response. */
static void remember_fetch(struct app_kafka_conn *k, const struct kafka_msg *m)
{
	struct fetch_ask *a = &k->asks[k->next_ask];
	uint32_t i;

	k->next_ask = (k->next_ask + 1) % KAFKA_INFLIGHT_MAX;
	a->used = true;
	a->correlation_id = m->correlation_id;
	a->n = (uint8_t)(m->n_items < KAFKA_ITEMS_MAX ? m->n_items : KAFKA_ITEMS_MAX);
	for (i = 0; i < a->n; i++) {
		a->it[i].topic = topic_hash(&m->items[i].name);
		a->it[i].partition = m->items[i].partition;
		a->it[i].offset = m->items[i].offset;
	}
}

/* The fetch offset the request of this response asked for its first partition, or -1. */
static int64_t asked_offset(struct app_kafka_conn *k, const struct kafka_msg *m)
{
	uint64_t t = topic_hash(&m->items[0].name);
	int64_t off = -1;
	uint32_t i, j;

	for (i = 0; i < KAFKA_INFLIGHT_MAX; i++) {
		struct fetch_ask *a = &k->asks[i];

		if (!a->used || a->correlation_id != m->correlation_id)
			continue;
		a->used = false;
		for (j = 0; j < a->n; j++)
			if (a->it[j].topic == t && a->it[j].partition == m->items[0].partition)
				off = a->it[j].offset;
		break;
	}
	return off;
}

/* Copy a kept string into a fact's bound: true when it was cut (there or before). */
static bool copy_str(char *dst, size_t cap, const struct kafka_str *src)
{
	size_t n = strnlen(src->s, sizeof(src->s));

	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src->s, n);
	dst[n] = '\0';
	return src->cut || src->s[n] != '\0';
}

/* A request: counted by API, its client id kept when it is the first. */
static void facts_request(struct kafka_facts *f, const struct kafka_msg *m)
{
	if (m->api_key >= 0 && m->api_key < KAFKA_FACTS_API_KEYS)
		f->requests[m->api_key]++;
	else
		f->requests_other++;
	if (f->client_id[0] == '\0' && !m->client_id.null && m->client_id.s[0] != '\0')
		f->client_id_cut = copy_str(f->client_id, sizeof(f->client_id), &m->client_id);
}

/* The kept entry of a topic-partition, or NULL. */
static struct kafka_facts_partition *find_partition(struct kafka_facts *f,
						    const struct kafka_item *it)
{
	char topic[KAFKA_FACTS_TOPIC_MAX + 1];
	bool cut = copy_str(topic, sizeof(topic), &it->name);
	uint32_t i;

	for (i = 0; i < f->n_partitions; i++)
		if (f->partitions[i].partition == it->partition &&
		    f->partitions[i].topic_cut == cut && strcmp(f->partitions[i].topic, topic) == 0)
			return &f->partitions[i];
	return NULL;
}

/*
 * A Fetch response partition's high watermark: the last kept per
 * topic-partition. Returns what was known before it (enum app_kafka_prev,
 * *prev the value when known).
 */
static uint8_t facts_high_watermark(struct kafka_facts *f, const struct kafka_item *it,
				    int64_t *prev)
{
	struct kafka_facts_partition *e = find_partition(f, it);

	if (e != NULL) {
		*prev = e->high_watermark;
		if (it->offset >= 0) {
			e->high_watermark = it->offset;
			e->fetches++;
		}
		return APP_KAFKA_PREV_KNOWN;
	}
	if (f->n_partitions == KAFKA_FACTS_PARTITIONS) {
		if (it->offset >= 0)
			f->partitions_more++;
		return APP_KAFKA_PREV_UNTRACKED;
	}
	if (it->offset < 0)
		return APP_KAFKA_PREV_FIRST;
	e = &f->partitions[f->n_partitions++];
	e->topic_cut = copy_str(e->topic, sizeof(e->topic), &it->name);
	e->partition = it->partition;
	e->high_watermark = it->offset;
	e->fetches = 1;
	return APP_KAFKA_PREV_FIRST;
}

/* The numbers of a message's hint, for --explain; a Fetch response's also go to the facts. */
static void hint_info(struct app_kafka_conn *k, const struct kafka_msg *m,
		      struct app_kafka_hint *h)
{
	const struct kafka_item *it = &m->items[0];
	bool fetch_response = m->response && m->api_key == KAFKA_FETCH;
	uint32_t i, kept = m->n_items < KAFKA_ITEMS_MAX ? m->n_items : KAFKA_ITEMS_MAX;

	memset(h, 0, sizeof(*h));
	h->api_key = m->api_key;
	h->api_version = m->api_version;
	h->correlation_id = m->correlation_id;
	h->response = m->response;
	h->error = m->error;
	h->partitions = m->n_items;
	h->offset = h->fetch_offset = h->prev_high_watermark = -1;
	h->last_stable = h->log_start = h->records = -1;
	/* Metadata's items are topics, not partitions. */
	if (m->body == KAFKA_BODY_OK && kept > 0 && h->error == 0)
		h->error = it->error; /* the first partition's, or Metadata's first topic's */
	h->has_partition = m->body == KAFKA_BODY_OK && kept > 0 && m->api_key != KAFKA_METADATA;
	if (!h->has_partition)
		return;
	h->topic_cut = copy_str(h->topic, sizeof(h->topic), &it->name);
	h->partition = it->partition;
	h->offset = it->offset;
	h->last_stable = it->last_stable;
	h->log_start = it->log_start;
	h->records = it->records;
	if (!fetch_response)
		return;
	h->fetch_offset = asked_offset(k, m);
	for (i = 0; i < kept; i++) {
		int64_t prev = -1;
		uint8_t was = facts_high_watermark(&k->facts, &m->items[i], &prev);

		if (i == 0) {
			h->prev = was;
			h->prev_high_watermark = prev;
		}
	}
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
	int slot;

	if (m == NULL)
		return;
	if (role == 0) {
		if ((ok = kafka_decode_request(p, n, m))) {
			kafka_inflight_add(&k->inflight, m->correlation_id, m->api_key,
					   m->api_version);
			facts_request(&k->facts, m);
			if (m->api_key == KAFKA_FETCH && m->body == KAFKA_BODY_OK)
				remember_fetch(k, m);
		}
	} else if (span_be32(s, 0, &corr) &&
		   kafka_inflight_take(&k->inflight, (int32_t)corr, &key, &version)) {
		ok = kafka_decode_response(p, n, key, version, m);
	}
	if (ok) {
		slot = hint_slot(out);
		kafka_format(m, out->kafka[slot], APP_HINT_TEXT_MAX + 1);
		hint_info(k, m, &out->kafka_info[slot]);
	}
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

const struct kafka_facts *app_kafka_conn_facts(const struct app_kafka_conn *k)
{
	return k != NULL ? &k->facts : NULL;
}

bool kafka_facts_any(const struct kafka_facts *f)
{
	uint32_t i;

	if (f == NULL)
		return false;
	for (i = 0; i < KAFKA_FACTS_API_KEYS; i++)
		if (f->requests[i] > 0)
			return true;
	return f->requests_other > 0;
}

size_t kafka_facts_format(const struct kafka_facts *f, char *buf, size_t n)
{
	struct sbuf s;
	uint32_t i;

	if (n == 0)
		return 0;
	sbuf_init(&s, buf, n);
	sbuf_puts(&s, "kafka");
	if (f->client_id[0] != '\0') {
		sbuf_puts(&s, " client=");
		sbuf_puts(&s, f->client_id);
		if (f->client_id_cut)
			sbuf_puts(&s, "...");
	}
	for (i = 0; i < KAFKA_FACTS_API_KEYS; i++) {
		const char *name = kafka_api_name((int16_t)i);

		if (f->requests[i] == 0)
			continue;
		if (name != NULL)
			sbuf_printf(&s, " %s:%u", name, f->requests[i]);
		else
			sbuf_printf(&s, " api%u:%u", i, f->requests[i]);
	}
	if (f->requests_other > 0)
		sbuf_printf(&s, " other:%u", f->requests_other);
	for (i = 0; i < f->n_partitions; i++) {
		const struct kafka_facts_partition *p = &f->partitions[i];

		sbuf_putc(&s, ' ');
		sbuf_puts(&s, p->topic);
		sbuf_printf(&s, "%s/%d hw=%lld", p->topic_cut ? "..." : "", p->partition,
			    (long long)p->high_watermark);
	}
	if (f->partitions_more > 0)
		sbuf_printf(&s, " +%u hw not kept", f->partitions_more);
	return s.len;
}
