/* app_kafka.h - Kafka requests and responses: a sniff, a decoder of one complete message into a struct, and its hint text. */
#ifndef TCPNOTE_APP_KAFKA_H
#define TCPNOTE_APP_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The Kafka wire protocol (Apache Kafka protocol guide): every message is a
 * 4-byte big-endian length and that many bytes. A request starts with a header
 * (api key, api version, correlation id, client id; v2 adds tagged fields); the
 * response starts with the same correlation id and, for flexible versions other
 * than ApiVersions, tagged fields, and carries neither key nor version: they
 * are the request's, which the caller finds by correlation id (kafka_inflight).
 *
 * Nothing here keeps state between messages or allocates: kafka_decode_* read
 * one complete message (the bytes after the length), through the bounds-checked
 * readers of bytes.h, into a struct kafka_msg of fixed size; kafka_format writes
 * its hint text ("kafka Fetch v11 response seed/0 high watermark 17 (17 records)").
 * Strings are copied raw, as app_hints.h's are: the printers escape them.
 */

/* The largest message taken for Kafka: the broker's socket.request.max.bytes default (100 MiB). */
#define KAFKA_MESSAGE_MAX (100u * 1024u * 1024u)

/* The smallest request: key, version, correlation id and a null client id. */
#define KAFKA_REQUEST_MIN 10u

/* Strings kept (without the NUL): topic names are at most 249 characters in Kafka. */
#define KAFKA_STR_MAX 249

/* Topic-partitions (or topics, brokers) kept per message; the others are counted. */
#define KAFKA_ITEMS_MAX 4

/* ------------------------------------------------------------------ */
/* Sniffing and framing */

enum kafka_sniff {
	KAFKA_SNIFF_NO = 0, /* not a Kafka request */
	KAFKA_SNIFF_MORE,   /* every byte so far fits; more are needed to be sure */
	KAFKA_SNIFF_YES     /* a length within bounds and a whole sane request header */
};

/*
 * Does a direction's first bytes look like a Kafka request? The length at least
 * KAFKA_REQUEST_MIN and at most KAFKA_MESSAGE_MAX, a valid api key and version
 * (kafka_api_valid), a correlation id >= 0, a client id that is null or printable
 * ASCII inside the message, and, for a flexible header, its tagged fields.
 */
enum kafka_sniff kafka_sniff(const uint8_t *p, size_t len);

/*
 * The length of the message that starts at p (the 4-byte prefix not counted):
 * 1 and *msg_len set when the prefix is there and within KAFKA_MESSAGE_MAX,
 * 0 when fewer than 4 bytes are there, -1 when the length is out of bounds.
 */
int kafka_frame(const uint8_t *p, size_t len, uint32_t *msg_len);

/* ------------------------------------------------------------------ */
/* Requests waiting for their response, matched by correlation id */

struct kafka_pending {
	int32_t correlation_id;
	int16_t api_key;
	int16_t api_version;
	bool used;
};

/* A connection's requests in flight: a fixed table, the oldest overwritten when it is full. */
#define KAFKA_INFLIGHT_MAX 32
struct kafka_inflight {
	struct kafka_pending p[KAFKA_INFLIGHT_MAX];
	uint32_t next; /* where the next request goes */
};

void kafka_inflight_add(struct kafka_inflight *t, int32_t correlation_id, int16_t api_key,
			int16_t api_version);
/* The request with this correlation id, removed from the table: false when none is waiting. */
bool kafka_inflight_take(struct kafka_inflight *t, int32_t correlation_id, int16_t *api_key,
			 int16_t *api_version);

/* ------------------------------------------------------------------ */
/* One decoded message */

struct kafka_str {
	char s[KAFKA_STR_MAX + 1]; /* raw bytes, cut at KAFKA_STR_MAX or at a NUL; "" when absent */
	bool cut;                  /* the string went on past s */
	bool null;                 /* a null (nullable) string */
};

/*
 * One entry of a per-topic-partition list. Which fields are set depends on the
 * API (see struct kafka_msg); offsets not in the message are -1.
 */
struct kafka_item {
	struct kafka_str name; /* topic (a topic id as Kafka prints it, base64url), or broker host */
	int32_t partition;     /* partition index, or broker node id */
	int32_t port;          /* broker port (Metadata response) */
	int16_t error;         /* partition or topic error code */
	int64_t offset;        /* see below */
	int64_t last_stable;   /* Fetch response v4+ */
	int64_t log_start;     /* Fetch response v5+, Produce response v5+ */
	int64_t records;       /* records in the record set (Produce request, Fetch response), else -1 */
};

enum kafka_body {
	KAFKA_BODY_SKIPPED = 0, /* an API (or version) whose body tcpnote does not look into */
	KAFKA_BODY_OK,          /* decoded */
	KAFKA_BODY_BAD          /* the body ended early or held a length or count that does not fit */
};

/*
 * A request or response. `offset` in the items means: the fetch offset (Fetch
 * request), the base offset (Produce response), the timestamp asked (ListOffsets
 * request: -1 latest, -2 earliest, ...), the offset found (ListOffsets response),
 * the high watermark (Fetch response), the committed offset (OffsetCommit request,
 * OffsetFetch response). For Metadata responses `items` are the topics (with
 * `partition` the number of partitions) and `brokers` the brokers.
 */
struct kafka_msg {
	bool response;
	bool flexible;          /* the flexible encoding (compact strings, tagged fields) */
	int16_t api_key;
	int16_t api_version;
	int32_t correlation_id;
	enum kafka_body body;
	int16_t error;          /* the response's top-level error code, 0 when none */
	struct kafka_str client_id;  /* request header */
	struct kafka_str group;      /* group or other coordinator key, SaslHandshake mechanism */
	struct kafka_str member;     /* member id */
	struct kafka_str text;       /* ApiVersions request: client software name and version;
					FindCoordinator response: coordinator host */
	int32_t generation;     /* JoinGroup response, SyncGroup and Heartbeat requests; -1 none */
	int32_t node_id;        /* FindCoordinator response; -1 none */
	int32_t port;           /* FindCoordinator response */
	int8_t key_type;        /* FindCoordinator request: 0 group, 1 transaction, ... */
	bool all_topics;        /* Metadata request for every topic */
	uint32_t n_apis;        /* ApiVersions response: API keys listed */
	int64_t producer_id;    /* InitProducerId response; -1 none */
	uint32_t n_items;       /* entries on the wire (items keeps the first KAFKA_ITEMS_MAX) */
	uint32_t n_brokers;
	struct kafka_item items[KAFKA_ITEMS_MAX];
	struct kafka_item brokers[KAFKA_ITEMS_MAX];
};

/*
 * Decode the request in p[0..len) (the bytes after the length prefix). Returns
 * false, with m only partly set, when the header is not a Kafka request header
 * (too short, an unknown key or version, a client id that does not fit); true
 * otherwise, with m->body telling whether the body was decoded.
 */
bool kafka_decode_request(const uint8_t *p, size_t len, struct kafka_msg *m);

/*
 * Decode the response in p[0..len) to a request of api_key and api_version.
 * False when even the correlation id is not there (or the key and version are
 * not valid); true otherwise, m->body as above.
 */
bool kafka_decode_response(const uint8_t *p, size_t len, int16_t api_key, int16_t api_version,
			   struct kafka_msg *m);

/*
 * The hint text: "kafka NAME vN request|response" (NAME from the protocol guide,
 * "api K" for a key without one), then what matters for the API; error codes by
 * name (NONE not shown), lists of more than KAFKA_ITEMS_MAX entries cut with ",...".
 * Returns the length written: the text is cut to fit n - 1 bytes, and buf is
 * always NUL-terminated when n > 0.
 */
size_t kafka_format(const struct kafka_msg *m, char *buf, size_t n);

#endif
