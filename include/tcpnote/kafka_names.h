/* kafka_names.h - Kafka API keys (names, versions, flexible versions) and error codes, as the protocol guide spells them. */
#ifndef TCPNOTE_KAFKA_NAMES_H
#define TCPNOTE_KAFKA_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* The API keys tcpnote looks into (Apache Kafka protocol guide, "Api Keys"). */
enum kafka_api {
	KAFKA_PRODUCE = 0,
	KAFKA_FETCH = 1,
	KAFKA_LIST_OFFSETS = 2,
	KAFKA_METADATA = 3,
	KAFKA_OFFSET_COMMIT = 8,
	KAFKA_OFFSET_FETCH = 9,
	KAFKA_FIND_COORDINATOR = 10,
	KAFKA_JOIN_GROUP = 11,
	KAFKA_HEARTBEAT = 12,
	KAFKA_LEAVE_GROUP = 13,
	KAFKA_SYNC_GROUP = 14,
	KAFKA_SASL_HANDSHAKE = 17,
	KAFKA_API_VERSIONS = 18,
	KAFKA_CREATE_TOPICS = 19,
	KAFKA_INIT_PRODUCER_ID = 22,
	KAFKA_SASL_AUTHENTICATE = 36
};

/* The error code UNSUPPORTED_VERSION, which changes how an ApiVersions response is laid out. */
#define KAFKA_ERR_UNSUPPORTED_VERSION 35

/* "Produce", "Fetch", ... for keys 0..92, or NULL for a key the table does not have. */
const char *kafka_api_name(int16_t key);

/*
 * True when version is one a broker or client of Apache Kafka up to 4.1 may use for key
 * (0 up to the newest version): what a request header must carry to be taken for Kafka.
 * ApiVersions is allowed a few versions beyond the newest, since a client sends its own
 * newest first and the broker must answer whatever it is (KIP-511).
 */
bool kafka_api_valid(int16_t key, int16_t version);

/*
 * True when this version of the API uses the flexible encoding (KIP-482: compact strings
 * and arrays, tagged fields, request header v2, response header v1). The ApiVersions
 * response header stays v0 whatever the version (kafka_response_header_flexible).
 */
bool kafka_api_flexible(int16_t key, int16_t version);
bool kafka_response_header_flexible(int16_t key, int16_t version);

/* "OFFSET_OUT_OF_RANGE", ... (-1..129), or NULL for a code the table does not have. */
const char *kafka_error_name(int16_t code);

#endif
