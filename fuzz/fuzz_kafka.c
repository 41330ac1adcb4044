/* fuzz_kafka.c - libFuzzer harness: the Kafka decoder (sniff, one request or response, its hint text) on any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/app_kafka.h"

/*
 * Input: a mode byte (bit 0: a response), the API key and version a response
 * answers (folded into the ranges that exist, so most mutations stay decodable:
 * keys 0..95, versions 0..23), a byte choosing the size of a second, short text
 * buffer, then the message (the bytes after the length prefix). The seeds are
 * the messages of pcaps/kafka-*.pcap (make_seeds.py), responses with the key
 * and version of their requests. The message is also sniffed as a request with
 * its length prefix, the way a direction's first bytes are.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kafka_inflight inflight = {0};
	struct kafka_msg m;
	char text[2048], small[64];
	uint8_t framed[4096 + 4];
	size_t len, i;
	uint32_t n;
	int16_t key, version;
	bool ok;

	if (size < 4)
		return 0;
	len = size - 4;
	if (data[0] & 1)
		ok = kafka_decode_response(data + 4, len, (int16_t)(data[1] % 96),
					   (int16_t)(data[2] % 24), &m);
	else
		ok = kafka_decode_request(data + 4, len, &m);
	if (ok) {
		kafka_format(&m, text, sizeof(text));
		kafka_format(&m, small, data[3] % sizeof(small));
		kafka_inflight_add(&inflight, m.correlation_id, m.api_key, m.api_version);
		kafka_inflight_take(&inflight, m.correlation_id, &key, &version);
	}
	if (len <= sizeof(framed) - 4) {
		framed[0] = (uint8_t)(len >> 24);
		framed[1] = (uint8_t)(len >> 16);
		framed[2] = (uint8_t)(len >> 8);
		framed[3] = (uint8_t)len;
		for (i = 0; i < len; i++)
			framed[4 + i] = data[4 + i];
		kafka_sniff(framed, len + 4);
		kafka_frame(framed, len + 4, &n);
	}
	kafka_sniff(data + 4, len);
	return 0;
}
