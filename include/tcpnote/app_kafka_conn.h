/* app_kafka_conn.h - the Kafka hints and facts of a connection whose client's first payload is a Kafka request. */
#ifndef TCPNOTE_APP_KAFKA_CONN_H
#define TCPNOTE_APP_KAFKA_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"

/*
 * Made by the tracker once kafka_sniff says yes to the client's first
 * payload (never by port). Each direction is reassembled in sequence order;
 * every message it completes gets a hint (APP_HINT_KAFKA_0.., the text of
 * kafka_format), requests and responses matched by correlation id. Memory:
 * the largest message being collected per direction, at most
 * KAFKA_CONN_BUF_MAX bytes; a longer message is counted through, without a
 * hint. Bytes not captured end a direction's hints. Besides: the facts
 * below (about 5 KiB) and the offsets of the Fetch requests in flight
 * (KAFKA_INFLIGHT_MAX of them, about 3 KiB).
 */
#define KAFKA_CONN_BUF_MAX (1024u * 1024u)

struct app_kafka_conn;

struct app_kafka_conn *app_kafka_conn_new(void);
void app_kafka_conn_free(struct app_kafka_conn *k);
/* The sequence number of role's first payload byte (ISN + 1), when the handshake was seen. */
void app_kafka_conn_anchor(struct app_kafka_conn *k, int role, uint32_t next_seq);
/* One payload segment of role (0 client, 1 broker); its hints are added to out. */
void app_kafka_conn_feed(struct app_kafka_conn *k, int role, uint32_t seq, const uint8_t *payload,
			 size_t len, struct app_hints *out);

/*
 * The connection's facts, for its flow record and the summary, kept by the
 * follower as it decodes (never read back from hint text): the client id of
 * the first request that has one, the requests by API key, and the last high
 * watermark of each topic-partition its Fetch responses name (a value of -1,
 * sent with an error, leaves it as it was). Bounded: the first
 * KAFKA_FACTS_PARTITIONS topic-partitions are kept, the others only counted;
 * of each Fetch response, the partitions its hint shows (KAFKA_ITEMS_MAX).
 */
#define KAFKA_FACTS_PARTITIONS 16
#define KAFKA_FACTS_API_KEYS 128 /* API keys 0..127 counted one by one (Kafka has 0..92) */
#define KAFKA_FACTS_TOPIC_MAX 249
#define KAFKA_FACTS_CLIENT_MAX 249

struct kafka_facts_partition {
	char topic[KAFKA_FACTS_TOPIC_MAX + 1]; /* raw bytes, cut at the bound */
	bool topic_cut;
	int32_t partition;
	int64_t high_watermark;
	uint32_t fetches; /* Fetch responses that gave it a high watermark */
};

struct kafka_facts {
	char client_id[KAFKA_FACTS_CLIENT_MAX + 1]; /* raw; "" when no request had one */
	bool client_id_cut;
	uint32_t requests[KAFKA_FACTS_API_KEYS]; /* requests by API key */
	uint32_t requests_other;                 /* a valid key past KAFKA_FACTS_API_KEYS (none today) */
	uint32_t n_partitions;                   /* kept in partitions[] */
	uint32_t partitions_more;                /* further topic-partitions seen, not kept */
	struct kafka_facts_partition partitions[KAFKA_FACTS_PARTITIONS];
};

/* The facts so far (k may be NULL: then NULL). */
const struct kafka_facts *app_kafka_conn_facts(const struct app_kafka_conn *k);

/* True when the facts hold anything (a request was decoded). */
bool kafka_facts_any(const struct kafka_facts *f);

/*
 * The facts in one line for the summary's app column, raw, ASCII apart from
 * the names: "kafka client=rdkafka ApiVersions:2 Metadata:1 Fetch:9 seed/0 hw=17"
 * (requests in API key order, then each partition kept, "+N more" for the
 * others). Returns the length written, cut to fit n - 1 bytes.
 */
size_t kafka_facts_format(const struct kafka_facts *f, char *buf, size_t n);

/* Room enough for the summary's use of kafka_facts_format (a longer text is cut). */
#define KAFKA_FACTS_TEXT_MAX 1024

/*
 * The follower of a connection's state, or NULL (app_track.c; the state of
 * app_track.h). Declared here, with the facts it leads to.
 */
struct app_state;
const struct app_kafka_conn *app_track_kafka(const struct app_state *st);

#endif
