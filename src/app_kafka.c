/* app_kafka.c - Kafka requests and responses: sniff, framing, in-flight table, and a bounded decoder of one message. */
#include <string.h>

#include "tcpnote/app_kafka.h"
#include "tcpnote/bytes.h"
#include "tcpnote/kafka_names.h"

/*
 * Layouts follow the Apache Kafka protocol guide and the message definitions it
 * is generated from (clients/src/main/resources/common/message/NAME.json): a field
 * "versions": "N+" is read from version N on. Flexible versions (KIP-482) write
 * strings, bytes and arrays with an unsigned-varint length plus one (0 = null)
 * and end every structure with tagged fields, which are skipped.
 *
 * Every read goes through struct krd: a cursor over a span whose first failed
 * read (past the end, a length or count that cannot fit) marks it failed and
 * makes every later read return 0, so a decoder is written straight through and
 * its loops stop at the first failure. A count is rejected at once when its
 * elements could not fit in the bytes left, so a hostile count of 2^31 costs one
 * comparison. Only what a hint shows is kept; the rest is skipped.
 */

/* ------------------------------------------------------------------ */
/* The reader */

struct krd {
	struct span s;
	size_t at;
	bool ok;
	bool flex;
};

static void rd_init(struct krd *r, const uint8_t *p, size_t len)
{
	r->s = span_make(p, len);
	r->at = 0;
	r->ok = true;
	r->flex = false;
}

static void rd_fail(struct krd *r)
{
	r->ok = false;
	r->at = r->s.len;
}

static size_t rd_left(const struct krd *r)
{
	return r->ok ? r->s.len - r->at : 0;
}

static void rd_skip(struct krd *r, size_t n)
{
	if (!r->ok || !span_has(r->s, r->at, n)) {
		rd_fail(r);
		return;
	}
	r->at += n;
}

/* n (1..8) bytes, big-endian. */
static uint64_t rd_be(struct krd *r, size_t n)
{
	uint64_t v = 0;
	uint8_t b = 0;
	size_t i;

	if (!r->ok || !span_has(r->s, r->at, n)) {
		rd_fail(r);
		return 0;
	}
	for (i = 0; i < n; i++) {
		span_u8(r->s, r->at + i, &b);
		v = v << 8 | b;
	}
	r->at += n;
	return v;
}

static int8_t rd_i8(struct krd *r)
{
	return (int8_t)(uint8_t)rd_be(r, 1);
}

static int16_t rd_i16(struct krd *r)
{
	return (int16_t)(uint16_t)rd_be(r, 2);
}

static int32_t rd_i32(struct krd *r)
{
	return (int32_t)(uint32_t)rd_be(r, 4);
}

static int64_t rd_i64(struct krd *r)
{
	return (int64_t)rd_be(r, 8);
}

/* Kafka's unsigned varint: at most 5 bytes, 32 bits (ByteUtils.readUnsignedVarint). */
static uint32_t rd_uvarint(struct krd *r)
{
	uint32_t v = 0;
	unsigned shift;
	uint8_t b = 0;

	for (shift = 0; shift < 35; shift += 7) {
		if (!r->ok || !span_u8(r->s, r->at, &b)) {
			rd_fail(r);
			return 0;
		}
		r->at++;
		if (shift == 28 && (b & 0xf0) != 0) {
			rd_fail(r);
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	rd_fail(r);
	return 0;
}

/*
 * The length of a string (wide false: INT16) or bytes (wide true: INT32), or of
 * their compact forms; -1 for null. A length that runs past the end fails.
 */
static int64_t rd_len(struct krd *r, bool wide)
{
	int64_t n;

	if (r->flex)
		n = (int64_t)rd_uvarint(r) - 1;
	else
		n = wide ? rd_i32(r) : rd_i16(r);
	if (!r->ok)
		return -1;
	if (n < -1 || (n > 0 && (uint64_t)n > rd_left(r))) {
		rd_fail(r);
		return -1;
	}
	return n;
}

/*
 * The count of an array whose elements take at least min_size bytes each; -1 for
 * a null array. A count that cannot fit in the bytes left fails at once.
 */
static int64_t rd_array(struct krd *r, size_t min_size)
{
	int64_t n;

	if (r->flex)
		n = (int64_t)rd_uvarint(r) - 1;
	else
		n = rd_i32(r);
	if (!r->ok)
		return -1;
	if (n < -1 || (n > 0 && (uint64_t)n > rd_left(r) / (min_size ? min_size : 1))) {
		rd_fail(r);
		return -1;
	}
	return n;
}

/* A string (nullable or not) into out: raw, cut at KAFKA_STR_MAX or at a NUL. */
static void rd_str(struct krd *r, struct kafka_str *out)
{
	int64_t n = rd_len(r, false);
	size_t keep;
	char *nul;

	memset(out, 0, sizeof(*out));
	if (!r->ok)
		return;
	if (n < 0) {
		out->null = true;
		return;
	}
	keep = (size_t)n < KAFKA_STR_MAX ? (size_t)n : KAFKA_STR_MAX;
	span_copy(r->s, r->at, out->s, keep);
	out->s[keep] = '\0';
	nul = memchr(out->s, '\0', keep);
	out->cut = (size_t)n > keep || nul != NULL;
	r->at += (size_t)n;
}

static void rd_skip_str(struct krd *r)
{
	int64_t n = rd_len(r, false);

	if (n > 0)
		rd_skip(r, (size_t)n);
}

/* Bytes (nullable): the span they take, empty for null. */
static struct span rd_bytes(struct krd *r)
{
	int64_t n = rd_len(r, true);
	struct span b = span_make(NULL, 0);

	if (n > 0) {
		b = span_sub(r->s, r->at, (size_t)n);
		rd_skip(r, (size_t)n);
	}
	return b;
}

/* Tagged fields (flexible versions only): a count, then tag, size and data each. */
static void rd_tags(struct krd *r)
{
	int64_t n, i;

	if (!r->flex)
		return;
	n = rd_uvarint(r);
	if (n > (int64_t)rd_left(r) / 2) { /* each field is a tag and a size at least */
		rd_fail(r);
		return;
	}
	for (i = 0; i < n && r->ok; i++) {
		rd_uvarint(r);
		rd_skip(r, rd_uvarint(r));
	}
}

/* An array of INT32 (partition indexes, broker ids), skipped. */
static void rd_skip_i32s(struct krd *r)
{
	int64_t n = rd_array(r, 4);

	if (n > 0)
		rd_skip(r, (size_t)n * 4);
}

/* A topic id (UUID) as Kafka prints one: base64url without padding, 22 characters. */
static void rd_uuid(struct krd *r, struct kafka_str *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t u[16];
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;

	memset(out, 0, sizeof(*out));
	if (!r->ok || !span_copy(r->s, r->at, u, sizeof(u))) {
		rd_fail(r);
		return;
	}
	r->at += sizeof(u);
	for (i = 0; i < sizeof(u); i++) {
		acc = (acc << 8 | u[i]) & 0xffff;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out->s[o++] = b64[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		out->s[o++] = b64[(acc << (6 - bits)) & 63];
	out->s[o] = '\0';
}

/* A topic: its name, or from by_id on its topic id (Fetch v13+, Produce v13+, ...). */
static void rd_topic(struct krd *r, bool by_id, struct kafka_str *out)
{
	if (by_id)
		rd_uuid(r, out);
	else
		rd_str(r, out);
}

/* ------------------------------------------------------------------ */
/* Building the message */

static void item_init(struct kafka_item *it)
{
	memset(it, 0, sizeof(*it));
	it->partition = -1;
	it->port = -1;
	it->offset = -1;
	it->last_stable = -1;
	it->log_start = -1;
	it->records = -1;
}

static void msg_init(struct kafka_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->generation = -1;
	m->node_id = -1;
	m->port = -1;
	m->key_type = -1;
	m->producer_id = -1;
}

/*
 * The records in a record set: for each record batch (magic 2) its record count,
 * control batches (transaction markers) left out; each message of an older message
 * set (magic 0 and 1) counts one, a compressed wrapper too. A batch cut at the end
 * of the set (a Fetch response may end inside one) is not counted: the consumer
 * cannot use it. Both layouts put the length at byte 8 and the magic at byte 16.
 */
static int64_t count_records(struct span rs)
{
	size_t at = 0;
	int64_t n = 0;

	while (span_has(rs, at, 17)) {
		uint32_t size = 0, count = 0;
		uint16_t attributes = 0;
		uint8_t magic = 0;

		span_be32(rs, at + 8, &size);
		if (size > rs.len - at - 12)
			break;
		span_u8(rs, at + 16, &magic);
		if (magic >= 2) {
			if (!span_be16(rs, at + 21, &attributes) || !span_be32(rs, at + 57, &count) ||
			    size < 49)
				break;
			if ((attributes & 0x20) == 0 && count <= INT32_MAX)
				n += count;
		} else {
			n++;
		}
		at += 12 + (size_t)size;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Requests */

struct kctx {
	struct krd *r;
	struct kafka_msg *m;
	int16_t v;
	struct kafka_item cur; /* the entry being read */
};

/* A new entry of a list, read into the context before it is kept. */
static struct kafka_item *item_new(struct kctx *c)
{
	item_init(&c->cur);
	return &c->cur;
}

/*
 * Keep the entry just read if it was read whole (a partial one would show the
 * zeros of failed reads): one of the first KAFKA_ITEMS_MAX, or only counted, so
 * the hint can say ",...".
 */
static void keep(struct kctx *c, struct kafka_item *items, uint32_t *n)
{
	if (!c->r->ok)
		return;
	if (*n < KAFKA_ITEMS_MAX)
		items[*n] = c->cur;
	if (*n < UINT32_MAX)
		(*n)++;
}

static void item_push(struct kctx *c)
{
	keep(c, c->m->items, &c->m->n_items);
}

static void item_push_broker(struct kctx *c)
{
	keep(c, c->m->brokers, &c->m->n_brokers);
}

/* Reads what one partition entry holds after its index, into it. */
typedef void (*kafka_part_fn)(struct kctx *c, struct kafka_item *it);

/*
 * The shape Produce, Fetch, ListOffsets, OffsetCommit and OffsetFetch share:
 * [topic (its name, or its id when by_id), [partition index, what part reads,
 * tagged fields], tagged fields]; part_min is the fewest bytes a partition
 * entry takes (for rejecting a count that cannot fit).
 */
static void topic_partitions(struct kctx *c, bool by_id, size_t part_min, kafka_part_fn part)
{
	struct krd *r = c->r;
	struct kafka_str topic;
	int64_t nt, np, t, p;

	nt = rd_array(r, 2);
	for (t = 0; t < nt && r->ok; t++) {
		rd_topic(r, by_id, &topic);
		np = rd_array(r, part_min);
		for (p = 0; p < np && r->ok; p++) {
			struct kafka_item *it = item_new(c);

			it->name = topic;
			it->partition = rd_i32(r);
			part(c, it);
			rd_tags(r);
			item_push(c);
		}
		rd_tags(r);
	}
}

static void produce_request_part(struct kctx *c, struct kafka_item *it)
{
	it->records = count_records(rd_bytes(c->r));
}

static void produce_request(struct kctx *c)
{
	if (c->v >= 3)
		rd_skip_str(c->r); /* transactional_id */
	rd_skip(c->r, 2 + 4);      /* acks, timeout_ms */
	topic_partitions(c, c->v >= 13, 5, produce_request_part);
	rd_tags(c->r);
}

static void fetch_request_part(struct kctx *c, struct kafka_item *it)
{
	struct krd *r = c->r;

	if (c->v >= 9)
		rd_skip(r, 4); /* current_leader_epoch */
	it->offset = rd_i64(r);
	if (c->v >= 12)
		rd_skip(r, 4); /* last_fetched_epoch */
	if (c->v >= 5)
		rd_skip(r, 8); /* log_start_offset */
	rd_skip(r, 4);         /* partition_max_bytes */
}

static void fetch_request(struct kctx *c)
{
	struct krd *r = c->r;

	if (c->v <= 14)
		rd_skip(r, 4); /* replica_id (v15+: the ReplicaState tagged field) */
	rd_skip(r, 4 + 4);     /* max_wait_ms, min_bytes */
	if (c->v >= 3)
		rd_skip(r, 4); /* max_bytes */
	if (c->v >= 4)
		rd_skip(r, 1); /* isolation_level */
	if (c->v >= 7)
		rd_skip(r, 8); /* session_id, session_epoch */
	topic_partitions(c, c->v >= 13, 16, fetch_request_part);
}

static void list_offsets_request_part(struct kctx *c, struct kafka_item *it)
{
	if (c->v >= 4)
		rd_skip(c->r, 4); /* current_leader_epoch */
	it->offset = rd_i64(c->r); /* the timestamp asked */
	if (c->v == 0)
		rd_skip(c->r, 4); /* max_num_offsets */
}

static void list_offsets_request(struct kctx *c)
{
	rd_skip(c->r, 4); /* replica_id */
	if (c->v >= 2)
		rd_skip(c->r, 1); /* isolation_level */
	topic_partitions(c, false, 12, list_offsets_request_part);
}

static void metadata_request(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t nt, t;

	nt = rd_array(r, c->v >= 10 ? 17 : 2);
	/* v0 asks for every topic with an empty list, v1+ with a null one. */
	c->m->all_topics = r->ok && (nt < 0 || (nt == 0 && c->v == 0));
	for (t = 0; t < nt && r->ok; t++) {
		struct kafka_item *it = item_new(c);
		struct kafka_str name;

		if (c->v >= 10) {
			rd_uuid(r, &it->name);
			rd_str(r, &name);
			if (!name.null)
				it->name = name;
		} else {
			rd_str(r, &it->name);
		}
		rd_tags(r);
		item_push(c);
	}
}

static void offset_commit_request_part(struct kctx *c, struct kafka_item *it)
{
	struct krd *r = c->r;

	it->offset = rd_i64(r);
	if (c->v >= 6)
		rd_skip(r, 4); /* committed_leader_epoch */
	if (c->v == 1)
		rd_skip(r, 8); /* commit_timestamp */
	rd_skip_str(r);        /* committed_metadata */
}

static void offset_commit_request(struct kctx *c)
{
	struct krd *r = c->r;

	rd_str(r, &c->m->group);
	if (c->v >= 1) {
		c->m->generation = rd_i32(r);
		rd_str(r, &c->m->member);
	}
	if (c->v >= 7)
		rd_skip_str(r); /* group_instance_id */
	if (c->v >= 2 && c->v <= 4)
		rd_skip(r, 8); /* retention_time_ms */
	topic_partitions(c, c->v >= 10, 14, offset_commit_request_part);
}

/* The topics of an OffsetFetch request (or of one of its groups, v8+): one item per partition. */
static void offset_fetch_topics(struct kctx *c, bool by_id)
{
	struct krd *r = c->r;
	struct kafka_str topic;
	int64_t nt, np, t, p;

	nt = rd_array(r, 2);
	if (nt < 0 && r->ok)
		c->m->all_topics = true;
	for (t = 0; t < nt && r->ok; t++) {
		rd_topic(r, by_id, &topic);
		np = rd_array(r, 4);
		for (p = 0; p < np && r->ok; p++) {
			struct kafka_item *it = item_new(c);

			it->name = topic;
			it->partition = rd_i32(r);
			item_push(c);
		}
		rd_tags(r);
	}
}

static void offset_fetch_request(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t ng, g;

	if (c->v <= 7) {
		rd_str(r, &c->m->group);
		offset_fetch_topics(c, false);
		return;
	}
	ng = rd_array(r, 2); /* v8+: several groups; the first one is shown */
	for (g = 0; g < ng && r->ok; g++) {
		struct kafka_str group;

		rd_str(r, &group);
		if (g == 0)
			c->m->group = group;
		if (c->v >= 9) {
			rd_skip_str(r); /* member_id */
			rd_skip(r, 4);  /* member_epoch */
		}
		offset_fetch_topics(c, c->v >= 10);
		rd_tags(r);
	}
}

static void find_coordinator_request(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t n, i;

	if (c->v <= 3) {
		rd_str(r, &c->m->group);
		c->m->key_type = c->v >= 1 ? rd_i8(r) : 0;
		return;
	}
	c->m->key_type = rd_i8(r);
	n = rd_array(r, 1); /* v4+: coordinator_keys */
	for (i = 0; i < n && r->ok; i++) {
		rd_str(r, &item_new(c)->name);
		item_push(c);
	}
	if (c->m->n_items > 0)
		c->m->group = c->m->items[0].name;
}

static void join_group_request(struct kctx *c)
{
	struct krd *r = c->r;

	rd_str(r, &c->m->group);
	rd_skip(r, 4); /* session_timeout_ms */
	if (c->v >= 1)
		rd_skip(r, 4); /* rebalance_timeout_ms */
	rd_str(r, &c->m->member);
}

/* SyncGroup and Heartbeat: group, generation, member. */
static void group_generation_request(struct kctx *c)
{
	struct krd *r = c->r;

	rd_str(r, &c->m->group);
	c->m->generation = rd_i32(r);
	rd_str(r, &c->m->member);
}

static void leave_group_request(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t n;

	rd_str(r, &c->m->group);
	if (c->v <= 2) {
		rd_str(r, &c->m->member);
		return;
	}
	n = rd_array(r, 2); /* v3+: members; the first one is shown */
	if (n > 0)
		rd_str(r, &c->m->member);
}

static void api_versions_request(struct kctx *c)
{
	struct kafka_str name, version;
	size_t nl, vl;

	if (c->v < 3)
		return;
	rd_str(c->r, &name);
	rd_str(c->r, &version);
	if (!c->r->ok)
		return;
	/* "librdkafka 2.0.2": the two strings, cut to fit together. */
	nl = strlen(name.s);
	vl = strlen(version.s);
	if (nl + 1 + vl > KAFKA_STR_MAX) {
		c->m->text.cut = true;
		vl = nl + 1 < KAFKA_STR_MAX ? KAFKA_STR_MAX - nl - 1 : 0;
		nl = nl < KAFKA_STR_MAX ? nl : KAFKA_STR_MAX;
	}
	memcpy(c->m->text.s, name.s, nl);
	if (vl > 0) {
		c->m->text.s[nl] = ' ';
		memcpy(c->m->text.s + nl + 1, version.s, vl);
		nl += 1 + vl;
	}
	c->m->text.s[nl] = '\0';
	c->m->text.cut = c->m->text.cut || name.cut || version.cut;
}

static void create_topics_request(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t nt, t, n, i;

	nt = rd_array(r, 10);
	for (t = 0; t < nt && r->ok; t++) {
		struct kafka_item *it = item_new(c);

		rd_str(r, &it->name);
		it->partition = rd_i32(r); /* num_partitions */
		rd_skip(r, 2);             /* replication_factor */
		n = rd_array(r, 8);        /* assignments */
		for (i = 0; i < n && r->ok; i++) {
			rd_skip(r, 4);
			rd_skip_i32s(r);
			rd_tags(r);
		}
		n = rd_array(r, 3); /* configs */
		for (i = 0; i < n && r->ok; i++) {
			rd_skip_str(r);
			rd_skip_str(r);
			rd_tags(r);
		}
		rd_tags(r);
		item_push(c);
	}
}

static void decode_request_body(struct kctx *c)
{
	switch (c->m->api_key) {
	case KAFKA_PRODUCE:
		produce_request(c);
		break;
	case KAFKA_FETCH:
		fetch_request(c);
		break;
	case KAFKA_LIST_OFFSETS:
		list_offsets_request(c);
		break;
	case KAFKA_METADATA:
		metadata_request(c);
		break;
	case KAFKA_OFFSET_COMMIT:
		offset_commit_request(c);
		break;
	case KAFKA_OFFSET_FETCH:
		offset_fetch_request(c);
		break;
	case KAFKA_FIND_COORDINATOR:
		find_coordinator_request(c);
		break;
	case KAFKA_JOIN_GROUP:
		join_group_request(c);
		break;
	case KAFKA_HEARTBEAT:
	case KAFKA_SYNC_GROUP:
		group_generation_request(c);
		break;
	case KAFKA_LEAVE_GROUP:
		leave_group_request(c);
		break;
	case KAFKA_SASL_HANDSHAKE:
		rd_str(c->r, &c->m->group); /* mechanism */
		break;
	case KAFKA_API_VERSIONS:
		api_versions_request(c);
		break;
	case KAFKA_CREATE_TOPICS:
		create_topics_request(c);
		break;
	case KAFKA_INIT_PRODUCER_ID:
		rd_str(c->r, &c->m->group); /* transactional_id */
		break;
	default:
		c->m->body = KAFKA_BODY_SKIPPED;
		return;
	}
	c->m->body = c->r->ok ? KAFKA_BODY_OK : KAFKA_BODY_BAD;
}

bool kafka_decode_request(const uint8_t *p, size_t len, struct kafka_msg *m)
{
	struct krd r;
	struct kctx c;

	msg_init(m);
	rd_init(&r, p, len);
	m->api_key = rd_i16(&r);
	m->api_version = rd_i16(&r);
	m->correlation_id = rd_i32(&r);
	if (!r.ok || !kafka_api_valid(m->api_key, m->api_version))
		return false;
	m->flexible = kafka_api_flexible(m->api_key, m->api_version);
	/* Request header v1 and v2: the client id is an INT16-length string in both. */
	rd_str(&r, &m->client_id);
	r.flex = m->flexible;
	rd_tags(&r); /* header v2 */
	if (!r.ok)
		return false;
	memset(&c, 0, sizeof(c));
	c.r = &r;
	c.m = m;
	c.v = m->api_version;
	decode_request_body(&c);
	return true;
}

/* ------------------------------------------------------------------ */
/* Responses */

static void produce_response_part(struct kctx *c, struct kafka_item *it)
{
	struct krd *r = c->r;
	int64_t ne, e;

	it->error = rd_i16(r);
	it->offset = rd_i64(r); /* base_offset */
	if (c->v >= 2)
		rd_skip(r, 8); /* log_append_time_ms */
	if (c->v >= 5)
		it->log_start = rd_i64(r);
	if (c->v >= 8) {
		ne = rd_array(r, 5); /* record_errors */
		for (e = 0; e < ne && r->ok; e++) {
			rd_skip(r, 4);
			rd_skip_str(r);
			rd_tags(r);
		}
		rd_skip_str(r); /* error_message */
	}
}

static void produce_response(struct kctx *c)
{
	topic_partitions(c, c->v >= 13, 14, produce_response_part);
	if (c->v >= 1)
		rd_skip(c->r, 4); /* throttle_time_ms */
}

static void fetch_response_part(struct kctx *c, struct kafka_item *it)
{
	struct krd *r = c->r;
	int64_t na;

	it->error = rd_i16(r);
	it->offset = rd_i64(r); /* high_watermark */
	if (c->v >= 4)
		it->last_stable = rd_i64(r);
	if (c->v >= 5)
		it->log_start = rd_i64(r);
	if (c->v >= 4) {
		na = rd_array(r, 16); /* aborted_transactions */
		for (; na > 0 && r->ok; na--) {
			rd_skip(r, 16); /* producer_id, first_offset */
			rd_tags(r);
		}
	}
	if (c->v >= 11)
		rd_skip(r, 4); /* preferred_read_replica */
	it->records = count_records(rd_bytes(r));
}

static void fetch_response(struct kctx *c)
{
	if (c->v >= 1)
		rd_skip(c->r, 4); /* throttle_time_ms */
	if (c->v >= 7) {
		c->m->error = rd_i16(c->r);
		rd_skip(c->r, 4); /* session_id */
	}
	topic_partitions(c, c->v >= 13, 18, fetch_response_part);
}

static void list_offsets_response_part(struct kctx *c, struct kafka_item *it)
{
	struct krd *r = c->r;
	int64_t no, o;

	it->error = rd_i16(r);
	if (c->v == 0) {
		no = rd_array(r, 8); /* old_style_offsets: the first one is the answer */
		for (o = 0; o < no && r->ok; o++) {
			int64_t off = rd_i64(r);

			if (o == 0)
				it->offset = off;
		}
	} else {
		rd_skip(r, 8); /* timestamp */
		it->offset = rd_i64(r);
	}
	if (c->v >= 4)
		rd_skip(r, 4); /* leader_epoch */
}

static void list_offsets_response(struct kctx *c)
{
	if (c->v >= 2)
		rd_skip(c->r, 4); /* throttle_time_ms */
	topic_partitions(c, false, 6, list_offsets_response_part);
}

static void metadata_response(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t nb, nt, np, b, t, p;

	if (c->v >= 3)
		rd_skip(r, 4); /* throttle_time_ms */
	nb = rd_array(r, 8);
	for (b = 0; b < nb && r->ok; b++) {
		struct kafka_item *it = item_new(c);

		it->partition = rd_i32(r); /* node_id */
		rd_str(r, &it->name);      /* host */
		it->port = rd_i32(r);
		if (c->v >= 1)
			rd_skip_str(r); /* rack */
		rd_tags(r);
		item_push_broker(c);
	}
	if (c->v >= 2)
		rd_skip_str(r); /* cluster_id */
	if (c->v >= 1)
		rd_skip(r, 4); /* controller_id */
	nt = rd_array(r, 4);
	for (t = 0; t < nt && r->ok; t++) {
		struct kafka_item *it = item_new(c);

		it->error = rd_i16(r);
		rd_str(r, &it->name);
		if (c->v >= 10) {
			struct kafka_str id;

			rd_uuid(r, &id);
			if (it->name.null)
				it->name = id;
		}
		if (c->v >= 1)
			rd_skip(r, 1); /* is_internal */
		np = rd_array(r, 18);
		it->partition = np > 0 ? (int32_t)np : 0; /* the number of partitions */
		for (p = 0; p < np && r->ok; p++) {
			rd_skip(r, 2 + 4 + 4); /* error_code, partition_index, leader_id */
			if (c->v >= 7)
				rd_skip(r, 4); /* leader_epoch */
			rd_skip_i32s(r);       /* replica_nodes */
			rd_skip_i32s(r);       /* isr_nodes */
			if (c->v >= 5)
				rd_skip_i32s(r); /* offline_replicas */
			rd_tags(r);
		}
		if (c->v >= 8)
			rd_skip(r, 4); /* topic_authorized_operations */
		rd_tags(r);
		item_push(c);
	}
	if (c->v >= 8 && c->v <= 10)
		rd_skip(r, 4); /* cluster_authorized_operations */
	if (c->v >= 13)
		c->m->error = rd_i16(r);
}

static void offset_commit_response_part(struct kctx *c, struct kafka_item *it)
{
	it->error = rd_i16(c->r);
}

static void offset_commit_response(struct kctx *c)
{
	if (c->v >= 3)
		rd_skip(c->r, 4); /* throttle_time_ms */
	topic_partitions(c, c->v >= 10, 6, offset_commit_response_part);
}

/* A partition of an OffsetFetch response (or of one of its groups, v8+). */
static void offset_fetch_response_part(struct kctx *c, struct kafka_item *it)
{
	struct krd *r = c->r;

	it->offset = rd_i64(r); /* committed_offset, -1 when none */
	if (c->v >= 5)
		rd_skip(r, 4); /* committed_leader_epoch */
	rd_skip_str(r);        /* metadata */
	it->error = rd_i16(r);
}

static void offset_fetch_response(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t ng, g;

	if (c->v >= 3)
		rd_skip(r, 4); /* throttle_time_ms */
	if (c->v <= 7) {
		topic_partitions(c, false, 16, offset_fetch_response_part);
		if (c->v >= 2)
			c->m->error = rd_i16(r);
		return;
	}
	ng = rd_array(r, 2);
	for (g = 0; g < ng && r->ok; g++) {
		struct kafka_str group;
		int16_t err;

		rd_str(r, &group);
		if (g == 0)
			c->m->group = group;
		topic_partitions(c, c->v >= 10, 16, offset_fetch_response_part);
		err = rd_i16(r);
		if (c->m->error == 0)
			c->m->error = err;
		rd_tags(r);
	}
}

static void find_coordinator_response(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t n, i;

	if (c->v >= 1)
		rd_skip(r, 4); /* throttle_time_ms */
	if (c->v <= 3) {
		c->m->error = rd_i16(r);
		if (c->v >= 1)
			rd_skip_str(r); /* error_message */
		c->m->node_id = rd_i32(r);
		rd_str(r, &c->m->text);
		c->m->port = rd_i32(r);
		return;
	}
	n = rd_array(r, 14); /* v4+: coordinators; the first one is shown */
	for (i = 0; i < n && r->ok; i++) {
		struct kafka_item *it = item_new(c);
		struct kafka_str host;
		int32_t node, port;

		rd_str(r, &it->name); /* key */
		node = rd_i32(r);
		rd_str(r, &host);
		port = rd_i32(r);
		it->error = rd_i16(r);
		rd_skip_str(r); /* error_message */
		rd_tags(r);
		if (i == 0 && r->ok) {
			c->m->node_id = node;
			c->m->text = host;
			c->m->port = port;
			c->m->error = it->error;
		}
		item_push(c);
	}
}

static void join_group_response(struct kctx *c)
{
	struct krd *r = c->r;

	if (c->v >= 2)
		rd_skip(r, 4); /* throttle_time_ms */
	c->m->error = rd_i16(r);
	c->m->generation = rd_i32(r);
	if (c->v >= 7)
		rd_skip_str(r); /* protocol_type */
	rd_skip_str(r);         /* protocol_name */
	rd_skip_str(r);         /* leader */
	if (c->v >= 9)
		rd_skip(r, 1); /* skip_assignment */
	rd_str(r, &c->m->member);
}

/* Heartbeat, SyncGroup, LeaveGroup, SaslAuthenticate: (throttle_time_ms from from_v), error_code. */
static void error_response(struct kctx *c, int16_t throttle_from)
{
	if (throttle_from >= 0 && c->v >= throttle_from)
		rd_skip(c->r, 4);
	c->m->error = rd_i16(c->r);
}

static void api_versions_response(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t n, i;

	c->m->error = rd_i16(r);
	/*
	 * A broker that does not know the version asked answers UNSUPPORTED_VERSION
	 * and the versions of ApiVersions it has, in the v0 layout, which a client of
	 * any version can read (KIP-511); the client then asks again. Only the error
	 * is read: librdkafka's mock broker (2.0) writes that list in a layout of its
	 * own (a one-byte count, no tagged fields), and what matters is the retry.
	 */
	if (c->m->error == KAFKA_ERR_UNSUPPORTED_VERSION)
		return;
	n = rd_array(r, 6);
	for (i = 0; i < n && r->ok; i++) {
		rd_skip(r, 6); /* api_key, min_version, max_version */
		rd_tags(r);
	}
	c->m->n_apis = n > 0 ? (uint32_t)n : 0;
}

static void sasl_handshake_response(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t n, i;

	c->m->error = rd_i16(r);
	n = rd_array(r, 2);
	for (i = 0; i < n && r->ok; i++) {
		rd_str(r, &item_new(c)->name);
		item_push(c);
	}
}

static void create_topics_response(struct kctx *c)
{
	struct krd *r = c->r;
	int64_t nt, t, n, i;

	if (c->v >= 2)
		rd_skip(r, 4); /* throttle_time_ms */
	nt = rd_array(r, 4);
	for (t = 0; t < nt && r->ok; t++) {
		struct kafka_item *it = item_new(c);

		rd_str(r, &it->name);
		if (c->v >= 7)
			rd_skip(r, 16); /* topic_id */
		it->error = rd_i16(r);
		if (c->v >= 1)
			rd_skip_str(r); /* error_message */
		if (c->v >= 5) {
			it->partition = rd_i32(r); /* num_partitions */
			rd_skip(r, 2);             /* replication_factor */
			n = rd_array(r, 5);        /* configs */
			for (i = 0; i < n && r->ok; i++) {
				rd_skip_str(r);    /* name */
				rd_skip_str(r);    /* value */
				rd_skip(r, 1 + 1 + 1); /* read_only, config_source, is_sensitive */
				rd_tags(r);
			}
		}
		rd_tags(r);
		item_push(c);
	}
}

static void init_producer_id_response(struct kctx *c)
{
	rd_skip(c->r, 4); /* throttle_time_ms */
	c->m->error = rd_i16(c->r);
	c->m->producer_id = rd_i64(c->r);
}

static void decode_response_body(struct kctx *c)
{
	switch (c->m->api_key) {
	case KAFKA_PRODUCE:
		produce_response(c);
		break;
	case KAFKA_FETCH:
		fetch_response(c);
		break;
	case KAFKA_LIST_OFFSETS:
		list_offsets_response(c);
		break;
	case KAFKA_METADATA:
		metadata_response(c);
		break;
	case KAFKA_OFFSET_COMMIT:
		offset_commit_response(c);
		break;
	case KAFKA_OFFSET_FETCH:
		offset_fetch_response(c);
		break;
	case KAFKA_FIND_COORDINATOR:
		find_coordinator_response(c);
		break;
	case KAFKA_JOIN_GROUP:
		join_group_response(c);
		break;
	case KAFKA_HEARTBEAT:
	case KAFKA_SYNC_GROUP:
	case KAFKA_LEAVE_GROUP:
		error_response(c, 1);
		break;
	case KAFKA_SASL_AUTHENTICATE:
		error_response(c, -1);
		break;
	case KAFKA_SASL_HANDSHAKE:
		sasl_handshake_response(c);
		break;
	case KAFKA_API_VERSIONS:
		api_versions_response(c);
		break;
	case KAFKA_CREATE_TOPICS:
		create_topics_response(c);
		break;
	case KAFKA_INIT_PRODUCER_ID:
		init_producer_id_response(c);
		break;
	default:
		c->m->body = KAFKA_BODY_SKIPPED;
		return;
	}
	c->m->body = c->r->ok ? KAFKA_BODY_OK : KAFKA_BODY_BAD;
}

bool kafka_decode_response(const uint8_t *p, size_t len, int16_t api_key, int16_t api_version,
			   struct kafka_msg *m)
{
	struct krd r;
	struct kctx c;

	msg_init(m);
	rd_init(&r, p, len);
	m->response = true;
	m->api_key = api_key;
	m->api_version = api_version;
	m->correlation_id = rd_i32(&r);
	if (!r.ok || !kafka_api_valid(api_key, api_version))
		return false;
	m->flexible = kafka_api_flexible(api_key, api_version);
	if (kafka_response_header_flexible(api_key, api_version)) {
		r.flex = true;
		rd_tags(&r); /* response header v1 */
		if (!r.ok) {
			m->body = KAFKA_BODY_BAD;
			return true;
		}
	}
	r.flex = m->flexible;
	memset(&c, 0, sizeof(c));
	c.r = &r;
	c.m = m;
	c.v = api_version;
	decode_response_body(&c);
	return true;
}

/* ------------------------------------------------------------------ */
/* Sniffing, framing, requests in flight */

int kafka_frame(const uint8_t *p, size_t len, uint32_t *msg_len)
{
	struct span s = span_make(p, len);
	uint32_t n = 0;

	if (!span_be32(s, 0, &n))
		return 0;
	if (n > KAFKA_MESSAGE_MAX)
		return -1;
	*msg_len = n;
	return 1;
}

/* True when byte at of s is there and is at most max (a partial big-endian field that may still fit). */
static bool byte_at_most(struct span s, size_t at, uint8_t max)
{
	uint8_t b = 0;

	return !span_u8(s, at, &b) || b <= max;
}

enum kafka_sniff kafka_sniff(const uint8_t *p, size_t len)
{
	struct span s = span_make(p, len);
	uint32_t n = 0, corr = 0;
	uint16_t key = 0, version = 0, idlen = 0;
	uint8_t b = 0;
	size_t i, end, at;
	struct krd r;

	/* A length of at most 100 MiB (0x06400000) starts 00 00-06. */
	if (!span_be32(s, 0, &n))
		return byte_at_most(s, 0, 0) && byte_at_most(s, 1, 0x06) ? KAFKA_SNIFF_MORE
									: KAFKA_SNIFF_NO;
	if (n < KAFKA_REQUEST_MIN || n > KAFKA_MESSAGE_MAX)
		return KAFKA_SNIFF_NO;
	end = 4 + (size_t)n;
	/* API keys and versions are below 256: a partial one starts with a zero byte. */
	if (!span_be16(s, 4, &key) || !span_be16(s, 6, &version))
		return byte_at_most(s, 4, 0) && byte_at_most(s, 6, 0) ? KAFKA_SNIFF_MORE
								     : KAFKA_SNIFF_NO;
	if (!kafka_api_valid((int16_t)key, (int16_t)version))
		return KAFKA_SNIFF_NO;
	if (!span_be32(s, 8, &corr))
		return byte_at_most(s, 8, 0x7f) ? KAFKA_SNIFF_MORE : KAFKA_SNIFF_NO;
	if (corr > INT32_MAX)
		return KAFKA_SNIFF_NO;
	if (!span_be16(s, 12, &idlen))
		return KAFKA_SNIFF_MORE;
	at = 14;
	if (idlen != 0xffff) {
		if (idlen > end - at)
			return KAFKA_SNIFF_NO;
		for (i = 0; i < idlen; i++) {
			if (!span_u8(s, at + i, &b))
				return KAFKA_SNIFF_MORE;
			if (b < 0x20 || b > 0x7e)
				return KAFKA_SNIFF_NO;
		}
		at += idlen;
	}
	if (!kafka_api_flexible((int16_t)key, (int16_t)version))
		return KAFKA_SNIFF_YES;
	/* Request header v2: its tagged fields, inside the message. */
	rd_init(&r, p + at, (len < end ? len : end) - at);
	r.flex = true;
	rd_tags(&r);
	if (r.ok)
		return KAFKA_SNIFF_YES;
	return len < end ? KAFKA_SNIFF_MORE : KAFKA_SNIFF_NO;
}

void kafka_inflight_add(struct kafka_inflight *t, int32_t correlation_id, int16_t api_key,
			int16_t api_version)
{
	struct kafka_pending *e = &t->p[t->next % KAFKA_INFLIGHT_MAX];

	e->correlation_id = correlation_id;
	e->api_key = api_key;
	e->api_version = api_version;
	e->used = true;
	t->next = (t->next + 1) % KAFKA_INFLIGHT_MAX;
}

bool kafka_inflight_take(struct kafka_inflight *t, int32_t correlation_id, int16_t *api_key,
			 int16_t *api_version)
{
	uint32_t i;

	for (i = 0; i < KAFKA_INFLIGHT_MAX; i++) {
		struct kafka_pending *e = &t->p[i];

		if (e->used && e->correlation_id == correlation_id) {
			*api_key = e->api_key;
			*api_version = e->api_version;
			e->used = false;
			return true;
		}
	}
	return false;
}
