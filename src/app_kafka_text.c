/* app_kafka_text.c - the hint text of a decoded Kafka message ("kafka Fetch v11 response seed/0 high watermark 17 (17 records)"), raw, not escaped. */
#include <stdio.h>

#include "tcpnote/app_kafka.h"
#include "tcpnote/kafka_names.h"
#include "tcpnote/sbuf.h"

/* A string as kept: its bytes, "..." when it was cut. */
static void put_str(struct sbuf *b, const struct kafka_str *s)
{
	sbuf_puts(b, s->s);
	if (s->cut)
		sbuf_puts(b, "...");
}

/* An error code's name ("error N" for one the table does not have). */
static void put_error_name(struct sbuf *b, int16_t code)
{
	const char *name = kafka_error_name(code);

	if (name != NULL)
		sbuf_puts(b, name);
	else
		sbuf_printf(b, "error %d", code);
}

/* " NAME" for a non-zero error code: NONE is not shown. */
static void put_error(struct sbuf *b, int16_t code)
{
	if (code == 0)
		return;
	sbuf_putc(b, ' ');
	put_error_name(b, code);
}

static void put_topic_partition(struct sbuf *b, const struct kafka_item *it)
{
	put_str(b, &it->name);
	sbuf_printf(b, "/%d", it->partition);
}

/* The timestamp a ListOffsets request asks for: the special values by name (ListOffsetsRequest.java). */
static void put_timestamp(struct sbuf *b, int64_t ts)
{
	switch (ts) {
	case -1:
		sbuf_puts(b, " latest");
		break;
	case -2:
		sbuf_puts(b, " earliest");
		break;
	case -3:
		sbuf_puts(b, " max timestamp");
		break;
	case -4:
		sbuf_puts(b, " earliest local");
		break;
	case -5:
		sbuf_puts(b, " latest tiered");
		break;
	default:
		sbuf_printf(b, " timestamp %lld", (long long)ts);
		break;
	}
}

/* What one item of the message says, after "TOPIC/PARTITION". */
static void put_item_detail(struct sbuf *b, const struct kafka_msg *m, const struct kafka_item *it)
{
	put_error(b, it->error);
	switch (m->api_key) {
	case KAFKA_PRODUCE:
		if (m->response)
			sbuf_printf(b, " base offset %lld", (long long)it->offset);
		else if (it->records >= 0)
			sbuf_printf(b, " %lld record%s", (long long)it->records,
				    it->records == 1 ? "" : "s");
		break;
	case KAFKA_FETCH:
		if (!m->response) {
			sbuf_printf(b, " from offset %lld", (long long)it->offset);
			break;
		}
		sbuf_printf(b, " high watermark %lld", (long long)it->offset);
		if (it->records >= 0)
			sbuf_printf(b, " (%lld record%s)", (long long)it->records,
				    it->records == 1 ? "" : "s");
		break;
	case KAFKA_LIST_OFFSETS:
		if (m->response)
			sbuf_printf(b, " offset %lld", (long long)it->offset);
		else
			put_timestamp(b, it->offset);
		break;
	case KAFKA_OFFSET_COMMIT:
		if (!m->response)
			sbuf_printf(b, " offset %lld", (long long)it->offset);
		break;
	case KAFKA_OFFSET_FETCH:
		if (!m->response)
			break;
		if (it->offset < 0)
			sbuf_puts(b, " offset none");
		else
			sbuf_printf(b, " offset %lld", (long long)it->offset);
		break;
	default:
		break;
	}
}

/* The list of topic-partitions: " T/P DETAIL, T/P DETAIL,...". */
static void put_partitions(struct sbuf *b, const struct kafka_msg *m)
{
	uint32_t i, kept = m->n_items < KAFKA_ITEMS_MAX ? m->n_items : KAFKA_ITEMS_MAX;

	for (i = 0; i < kept; i++) {
		sbuf_puts(b, i == 0 ? " " : ", ");
		put_topic_partition(b, &m->items[i]);
		put_item_detail(b, m, &m->items[i]);
	}
	if (m->n_items > kept)
		sbuf_puts(b, ",...");
}

/* A list of names: " NAME,NAME,..." (with a topic's error in parentheses when it has one). */
static void put_names(struct sbuf *b, const struct kafka_item *items, uint32_t n, bool errors)
{
	uint32_t i, kept = n < KAFKA_ITEMS_MAX ? n : KAFKA_ITEMS_MAX;

	for (i = 0; i < kept; i++) {
		sbuf_puts(b, i == 0 ? " " : ",");
		put_str(b, &items[i].name);
		if (errors && items[i].error != 0) {
			sbuf_putc(b, '(');
			put_error_name(b, items[i].error);
			sbuf_putc(b, ')');
		}
	}
	if (n > kept)
		sbuf_puts(b, ",...");
}

static void put_group(struct sbuf *b, const struct kafka_msg *m, bool generation)
{
	if (m->group.s[0] != '\0' || m->group.cut) {
		sbuf_puts(b, " group ");
		put_str(b, &m->group);
	}
	if (generation && m->generation >= 0)
		sbuf_printf(b, " generation %d", m->generation);
	if (m->member.s[0] != '\0' || m->member.cut) {
		sbuf_puts(b, " member ");
		put_str(b, &m->member);
	}
}

static void put_metadata_response(struct sbuf *b, const struct kafka_msg *m)
{
	uint32_t i, kept = m->n_brokers < KAFKA_ITEMS_MAX ? m->n_brokers : KAFKA_ITEMS_MAX;

	if (kept > 0)
		sbuf_puts(b, " brokers");
	for (i = 0; i < kept; i++) {
		const struct kafka_item *br = &m->brokers[i];

		sbuf_printf(b, "%s%d=", i == 0 ? " " : ",", br->partition);
		put_str(b, &br->name);
		sbuf_printf(b, ":%d", br->port);
	}
	if (m->n_brokers > kept)
		sbuf_puts(b, ",...");
	if (m->n_items == 0) {
		if (m->body == KAFKA_BODY_OK)
			sbuf_puts(b, " no topics");
		return;
	}
	sbuf_puts(b, " topics");
	put_names(b, m->items, m->n_items, true);
}

/* The key words of a FindCoordinator request's key type (FindCoordinatorRequest.CoordinatorType). */
static const char *coordinator_type(int8_t t)
{
	switch (t) {
	case 0:
		return "group";
	case 1:
		return "transaction";
	case 2:
		return "share";
	default:
		return "key";
	}
}

static void put_request(struct sbuf *b, const struct kafka_msg *m)
{
	switch (m->api_key) {
	case KAFKA_PRODUCE:
	case KAFKA_FETCH:
	case KAFKA_LIST_OFFSETS:
		put_partitions(b, m);
		break;
	case KAFKA_METADATA:
		if (m->all_topics)
			sbuf_puts(b, " all topics");
		else if (m->n_items == 0 && m->body == KAFKA_BODY_OK)
			sbuf_puts(b, " no topics"); /* v1+: the brokers only */
		else
			put_names(b, m->items, m->n_items, false);
		break;
	case KAFKA_OFFSET_COMMIT:
		put_group(b, m, false);
		put_partitions(b, m);
		break;
	case KAFKA_OFFSET_FETCH:
		put_group(b, m, false);
		if (m->all_topics)
			sbuf_puts(b, " all topics");
		else
			put_partitions(b, m);
		break;
	case KAFKA_FIND_COORDINATOR:
		sbuf_printf(b, " %s", coordinator_type(m->key_type));
		if (m->n_items > 0)
			put_names(b, m->items, m->n_items, false);
		else {
			sbuf_putc(b, ' ');
			put_str(b, &m->group);
		}
		break;
	case KAFKA_JOIN_GROUP:
	case KAFKA_LEAVE_GROUP:
		put_group(b, m, false);
		break;
	case KAFKA_SYNC_GROUP:
	case KAFKA_HEARTBEAT:
		put_group(b, m, true);
		break;
	case KAFKA_SASL_HANDSHAKE:
		sbuf_puts(b, " mechanism ");
		put_str(b, &m->group);
		break;
	case KAFKA_API_VERSIONS:
		if (m->text.s[0] != '\0') {
			sbuf_putc(b, ' ');
			put_str(b, &m->text);
		}
		break;
	case KAFKA_CREATE_TOPICS:
		put_names(b, m->items, m->n_items, false);
		break;
	case KAFKA_INIT_PRODUCER_ID:
		if (!m->group.null) {
			sbuf_puts(b, " transactional id ");
			put_str(b, &m->group);
		}
		break;
	default:
		break;
	}
}

static void put_response(struct sbuf *b, const struct kafka_msg *m)
{
	put_error(b, m->error);
	switch (m->api_key) {
	case KAFKA_PRODUCE:
	case KAFKA_FETCH:
	case KAFKA_LIST_OFFSETS:
	case KAFKA_OFFSET_FETCH:
	case KAFKA_OFFSET_COMMIT:
		put_partitions(b, m);
		break;
	case KAFKA_METADATA:
		put_metadata_response(b, m);
		break;
	case KAFKA_FIND_COORDINATOR:
		if (m->node_id >= 0) {
			sbuf_printf(b, " node %d ", m->node_id);
			put_str(b, &m->text);
			sbuf_printf(b, ":%d", m->port);
		}
		break;
	case KAFKA_JOIN_GROUP:
		if (m->generation >= 0)
			sbuf_printf(b, " generation %d", m->generation);
		put_group(b, m, false);
		break;
	case KAFKA_API_VERSIONS:
		if (m->error == 0)
			sbuf_printf(b, " %u api%s", m->n_apis, m->n_apis == 1 ? "" : "s");
		break;
	case KAFKA_SASL_HANDSHAKE:
		if (m->n_items > 0) {
			sbuf_puts(b, " mechanisms");
			put_names(b, m->items, m->n_items, false);
		}
		break;
	case KAFKA_CREATE_TOPICS:
		put_names(b, m->items, m->n_items, true);
		break;
	case KAFKA_INIT_PRODUCER_ID:
		if (m->producer_id >= 0)
			sbuf_printf(b, " producer id %lld", (long long)m->producer_id);
		break;
	default:
		break;
	}
}

size_t kafka_format(const struct kafka_msg *m, char *buf, size_t n)
{
	const char *name = kafka_api_name(m->api_key);
	struct sbuf b;

	sbuf_init(&b, buf, n);
	if (name != NULL)
		sbuf_printf(&b, "kafka %s v%d %s", name, m->api_version,
			    m->response ? "response" : "request");
	else
		sbuf_printf(&b, "kafka api %d v%d %s", m->api_key, m->api_version,
			    m->response ? "response" : "request");
	if (m->body != KAFKA_BODY_SKIPPED) {
		if (m->response)
			put_response(&b, m);
		else
			put_request(&b, m);
	}
	if (m->body == KAFKA_BODY_BAD)
		sbuf_puts(&b, " [|kafka]");
	return b.len;
}
