/* test_kafka.c - unit tests of the Kafka decoder: real messages, every flexible layout built by hand, truncation, lying lengths and counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/app_kafka.h"
#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/kafka_names.h"

/* ------------------------------------------------------------------ */
/* Real messages: the bytes after the length prefix, from pcaps/kafka-*.pcap */

struct recorded {
	bool response;
	const char *hint; /* tshark agrees (tests/oracle/tshark_kafka.py) */
	const char *hex;
};

/*
 * The first message of each API, version and direction in the captures (and a few
 * more: an error, records, every Metadata request form), as librdkafka 2.0.2 (kcat
 * 1.7.1) and its mock broker sent them. Member ids are the mock's ("0x7fee0c003ab0").
 */
static const struct recorded recorded[] = {
	/* kafka-errors.pcap frame 4 */
	{false, "kafka ApiVersions v3 request librdkafka 2.0.2",
	 "0012000300000001000e7463706e6f74652d6572726f7273000b6c696272646b61666b6106322e302e3200"
	},
	/* kafka-errors.pcap frame 6 */
	{true, "kafka ApiVersions v3 response UNSUPPORTED_VERSION",
	 "0000000100230100120000000200000000"
	},
	/* kafka-errors.pcap frame 8 */
	{false, "kafka ApiVersions v0 request",
	 "0012000000000002000e7463706e6f74652d6572726f7273"
	},
	/* kafka-errors.pcap frame 9 */
	{true, "kafka ApiVersions v0 response 17 apis",
	 "0000000200000000001100000000000700010000000b00020000000500030000000200080000000700090000"
	 "0005000a00000002000b00000005000c00000003000d00000001000e00000003001200000002001600000004"
	 "001800000001001900000001001a00000001001c00000002"
	},
	/* kafka-errors.pcap frame 10 */
	{false, "kafka Metadata v2 request no topics",
	 "0003000200000003000e7463706e6f74652d6572726f727300000000"
	},
	/* kafka-errors.pcap frame 11 */
	{true, "kafka Metadata v2 response brokers 1=127.0.0.1:43101 no topics",
	 "00000003000000010000000100093132372e302e302e310000a85dffff00176d6f636b436c75737465723135"
	 "353938323738393861380000000000000000"
	},
	/* kafka-errors.pcap frame 13 */
	{true, "kafka Metadata v2 response brokers 1=127.0.0.1:43101 topics nosuch(UNKNOWN_TOPIC_OR_PARTITION)",
	 "00000004000000010000000100093132372e302e302e310000a85dffff00176d6f636b436c75737465723135"
	 "353938323738393861380000000000000001000300066e6f737563680000000000"
	},
	/* kafka-errors.pcap frame 50 */
	{false, "kafka Fetch v11 request seed/0 from offset 100",
	 "0001000b00000005000e7463706e6f74652d6572726f7273ffffffff000001f4000000010320000001000000"
	 "00ffffffff000000010004736565640000000100000000ffffffff0000000000000064ffffffffffffffff00"
	 "100000000000000000"
	},
	/* kafka-errors.pcap frame 52 */
	{true, "kafka Fetch v11 response seed/0 OFFSET_OUT_OF_RANGE high watermark 17 (0 records)",
	 "0000000500000000000000000000000000010004736565640000000100000000000100000000000000110000"
	 "000000000011000000000000000000000000ffffffff00000000"
	},
	/* kafka-errors.pcap frame 54 */
	{false, "kafka ListOffsets v2 request seed/0 latest",
	 "0002000200000006000e7463706e6f74652d6572726f7273ffffffff01000000010004736565640000000100"
	 "000000ffffffffffffffff"
	},
	/* kafka-errors.pcap frame 56 */
	{true, "kafka ListOffsets v2 response seed/0 offset 17",
	 "00000006000000000000000100047365656400000001000000000000ffffffffffffffff0000000000000011"
	},
	/* kafka-group.pcap frame 12 */
	{false, "kafka FindCoordinator v2 request group tcpnote-group",
	 "000a000200000004000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f757000"
	},
	/* kafka-group.pcap frame 13 */
	{true, "kafka FindCoordinator v2 response node 1 127.0.0.1:43101",
	 "00000004000000000000ffff0000000100093132372e302e302e310000a85d"
	},
	/* kafka-group.pcap frame 29 */
	{false, "kafka JoinGroup v5 request group tcpnote-group",
	 "000b000500000004000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f75700000afc80004"
	 "93e00000ffff0008636f6e73756d657200000002000572616e67650000001400010000000100047365656400"
	 "00000000000000000a726f756e64726f62696e000000140001000000010004736565640000000000000000"
	},
	/* kafka-group.pcap frame 32 */
	{true, "kafka JoinGroup v5 response generation 2 member 0x7fee0c003ab0",
	 "0000000400000000000000000002000572616e6765000e3078376665653063303033616230000e3078376665"
	 "65306330303361623000000001000e3078376665653063303033616230ffff00000014000100000001000473"
	 "6565640000000000000000"
	},
	/* kafka-group.pcap frame 36 */
	{false, "kafka SyncGroup v3 request group tcpnote-group generation 2 member 0x7fee0c003ab0",
	 "000e000300000006000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f757000000002000e"
	 "3078376665653063303033616230ffff00000001000e30783766656530633030336162300000001800000000"
	 "0001000473656564000000010000000000000000"
	},
	/* kafka-group.pcap frame 37 */
	{true, "kafka SyncGroup v3 response",
	 "0000000600000000000000000018000000000001000473656564000000010000000000000000"
	},
	/* kafka-group.pcap frame 38 */
	{false, "kafka Heartbeat v3 request group tcpnote-group generation 2 member 0x7fee0c003ab0",
	 "000c000300000007000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f757000000002000e"
	 "3078376665653063303033616230ffff"
	},
	/* kafka-group.pcap frame 39 */
	{true, "kafka Heartbeat v3 response",
	 "00000007000000000000"
	},
	/* kafka-group.pcap frame 40 */
	{false, "kafka OffsetFetch v5 request group tcpnote-group seed/0",
	 "0009000500000008000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f7570000000010004"
	 "736565640000000100000000"
	},
	/* kafka-group.pcap frame 41 */
	{true, "kafka OffsetFetch v5 response seed/0 offset none",
	 "0000000800000000000000010004736565640000000100000000ffffffffffffffffffffffffffff00000000"
	},
	/* kafka-group.pcap frame 47 */
	{true, "kafka Fetch v11 response seed/0 high watermark 17 (17 records)",
	 "0000000800000000000000000000000000010004736565640000000100000000000000000000000000110000"
	 "000000000011000000000000000000000000ffffffff00000155000000000000000000000149000000000215"
	 "f707ad000000000010000001a22eae85c6000001a22eae85c6ffffffffffffffffffffffffffff000000111e"
	 "00000001126d6573736167652031001e00000201126d6573736167652032001e00000401126d657373616765"
	 "2033001e00000601126d6573736167652034001e00000801126d6573736167652035001e00000a01126d6573"
	 "736167652036001e00000c01126d6573736167652037001e00000e01126d6573736167652038001e00001001"
	 "126d6573736167652039002000001201146d657373616765203130002000001401146d657373616765203131"
	 "002000001601146d657373616765203132002000001801146d657373616765203133002000001a01146d6573"
	 "73616765203134002000001c01146d657373616765203135002000001e01146d657373616765203136002000"
	 "002001146d65737361676520313700"
	},
	/* kafka-group.pcap frame 49 */
	{false, "kafka OffsetCommit v7 request group tcpnote-group member 0x7fee0c003ab0 seed/0 offset 17",
	 "0008000700000009000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f757000000002000e"
	 "3078376665653063303033616230ffff0000000100047365656400000001000000000000000000000011ffff"
	 "ffff0000"
	},
	/* kafka-group.pcap frame 50 */
	{true, "kafka OffsetCommit v7 response seed/0",
	 "00000009000000000000000100047365656400000001000000000000"
	},
	/* kafka-group.pcap frame 52 */
	{false, "kafka LeaveGroup v1 request group tcpnote-group member 0x7fee0c003ab0",
	 "000d00010000000a000d7463706e6f74652d67726f7570000d7463706e6f74652d67726f7570000e30783766"
	 "65653063303033616230"
	},
	/* kafka-group.pcap frame 53 */
	{true, "kafka LeaveGroup v1 response",
	 "0000000a000000000000"
	},
	/* kafka-large.pcap frame 26 */
	{true, "kafka Produce v7 response big/0 base offset 0",
	 "0000000400000001000362696700000001000000000000000000000000000000000000000004d20000000000"
	 "00000000000000"
	},
	/* kafka-old.pcap frame 10 */
	{false, "kafka Metadata v0 request old",
	 "000300000000000300107463706e6f74652d636f6e73756d65720000000100036f6c64"
	},
	/* kafka-old.pcap frame 11 */
	{true, "kafka Metadata v0 response brokers 1=127.0.0.1:44191 topics old",
	 "00000003000000010000000100093132372e302e302e310000ac9f00000001000000036f6c64000000010000"
	 "000000000000000100000001000000010000000100000001"
	},
	/* kafka-old.pcap frame 14 */
	{false, "kafka ListOffsets v1 request old/0 earliest",
	 "000200010000000500107463706e6f74652d636f6e73756d6572ffffffff0000000100036f6c640000000100"
	 "000000fffffffffffffffe"
	},
	/* kafka-old.pcap frame 15 */
	{true, "kafka ListOffsets v1 response old/0 offset 0",
	 "000000050000000100036f6c6400000001000000000000ffffffffffffffff0000000000000000"
	},
	/* kafka-old.pcap frame 16 */
	{false, "kafka Fetch v4 request old/0 from offset 0",
	 "000100040000000600107463706e6f74652d636f6e73756d6572ffffffff000001f400000001032000000100"
	 "00000100036f6c640000000100000000000000000000000000100000"
	},
	/* kafka-old.pcap frame 18 */
	{true, "kafka Fetch v4 response old/0 high watermark 0 (0 records)",
	 "00000006000000000000000100036f6c64000000010000000000000000000000000000000000000000000000"
	 "00000000000000"
	},
	/* kafka-old.pcap frame 35 */
	{false, "kafka Produce v3 request old/0 17 records",
	 "000000030000000400107463706e6f74652d70726f6475636572ffffffff000075300000000100036f6c6400"
	 "00000100000000000001550000000000000000000001490000000002b2db49b5000000000010000001a22eae"
	 "b527000001a22eaeb527ffffffffffffffffffffffffffff000000111e00000001126d657373616765203100"
	 "1e00000201126d6573736167652032001e00000401126d6573736167652033001e00000601126d6573736167"
	 "652034001e00000801126d6573736167652035001e00000a01126d6573736167652036001e00000c01126d65"
	 "73736167652037001e00000e01126d6573736167652038001e00001001126d65737361676520390020000012"
	 "01146d657373616765203130002000001401146d657373616765203131002000001601146d65737361676520"
	 "3132002000001801146d657373616765203133002000001a01146d657373616765203134002000001c01146d"
	 "657373616765203135002000001e01146d657373616765203136002000002001146d65737361676520313700"
	},
	/* kafka-old.pcap frame 36 */
	{true, "kafka Produce v3 response old/0 base offset 0",
	 "000000040000000100036f6c6400000001000000000000000000000000000000000000000004d200000000"
	},
	/* kafka-old.pcap frame 43 */
	{true, "kafka Fetch v4 response old/0 high watermark 17 (17 records)",
	 "00000009000000000000000100036f6c64000000010000000000000000000000000011000000000000001100"
	 "000000000001550000000000000000000001490000000002b2db49b5000000000010000001a22eaeb5270000"
	 "01a22eaeb527ffffffffffffffffffffffffffff000000111e00000001126d6573736167652031001e000002"
	 "01126d6573736167652032001e00000401126d6573736167652033001e00000601126d657373616765203400"
	 "1e00000801126d6573736167652035001e00000a01126d6573736167652036001e00000c01126d6573736167"
	 "652037001e00000e01126d6573736167652038001e00001001126d6573736167652039002000001201146d65"
	 "7373616765203130002000001401146d657373616765203131002000001601146d6573736167652031320020"
	 "00001801146d657373616765203133002000001a01146d657373616765203134002000001c01146d65737361"
	 "6765203135002000001e01146d657373616765203136002000002001146d65737361676520313700"
	},
	/* kafka-old.pcap frame 57 */
	{false, "kafka Metadata v0 request all topics",
	 "0003000000000003000d7463706e6f74652d67726f757000000000"
	},
	/* kafka-old.pcap frame 59 */
	{false, "kafka FindCoordinator v0 request group tcpnote-group-old",
	 "000a000000000004000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c64"
	},
	/* kafka-old.pcap frame 60 */
	{true, "kafka FindCoordinator v0 response node 1 127.0.0.1:44191",
	 "0000000400000000000100093132372e302e302e310000ac9f"
	},
	/* kafka-old.pcap frame 74 */
	{false, "kafka JoinGroup v0 request group tcpnote-group-old",
	 "000b000000000004000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c640000"
	 "afc800000008636f6e73756d657200000002000572616e67650000001300010000000100036f6c6400000000"
	 "00000000000a726f756e64726f62696e0000001300010000000100036f6c640000000000000000"
	},
	/* kafka-old.pcap frame 77 */
	{true, "kafka JoinGroup v0 response generation 2 member 0x7fa01c002f70",
	 "00000004000000000002000572616e6765000e3078376661303163303032663730000e307837666130316330"
	 "303266373000000001000e30783766613031633030326637300000001300010000000100036f6c6400000000"
	 "00000000"
	},
	/* kafka-old.pcap frame 81 */
	{false, "kafka SyncGroup v0 request group tcpnote-group-old generation 2 member 0x7fa01c002f70",
	 "000e000000000006000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c640000"
	 "0002000e307837666130316330303266373000000001000e3078376661303163303032663730000000170000"
	 "0000000100036f6c64000000010000000000000000"
	},
	/* kafka-old.pcap frame 82 */
	{true, "kafka SyncGroup v0 response",
	 "0000000600000000001700000000000100036f6c64000000010000000000000000"
	},
	/* kafka-old.pcap frame 83 */
	{false, "kafka Heartbeat v0 request group tcpnote-group-old generation 2 member 0x7fa01c002f70",
	 "000c000000000007000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c640000"
	 "0002000e3078376661303163303032663730"
	},
	/* kafka-old.pcap frame 84 */
	{true, "kafka Heartbeat v0 response",
	 "000000070000"
	},
	/* kafka-old.pcap frame 85 */
	{false, "kafka OffsetFetch v1 request group tcpnote-group-old old/0",
	 "0009000100000008000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c640000"
	 "000100036f6c640000000100000000"
	},
	/* kafka-old.pcap frame 86 */
	{true, "kafka OffsetFetch v1 response old/0 offset none",
	 "000000080000000100036f6c640000000100000000ffffffffffffffffffff0000"
	},
	/* kafka-old.pcap frame 94 */
	{false, "kafka OffsetCommit v2 request group tcpnote-group-old member 0x7fa01c002f70 old/0 offset 17",
	 "0008000200000009000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c640000"
	 "0002000e3078376661303163303032663730ffffffffffffffff0000000100036f6c64000000010000000000"
	 "000000000000110000"
	},
	/* kafka-old.pcap frame 95 */
	{true, "kafka OffsetCommit v2 response old/0",
	 "000000090000000100036f6c6400000001000000000000"
	},
	/* kafka-old.pcap frame 97 */
	{false, "kafka LeaveGroup v0 request group tcpnote-group-old member 0x7fa01c002f70",
	 "000d00000000000a000d7463706e6f74652d67726f757000117463706e6f74652d67726f75702d6f6c64000e"
	 "3078376661303163303032663730"
	},
	/* kafka-old.pcap frame 98 */
	{true, "kafka LeaveGroup v0 response",
	 "0000000a0000"
	},
	/* kafka-seed.pcap frame 38 */
	{false, "kafka Produce v7 request seed/0 17 records",
	 "000000070000000400107463706e6f74652d70726f6475636572ffffffff0000753000000001000473656564"
	 "000000010000000000000155000000000000000000000149000000000215f707ad000000000010000001a22e"
	 "ae85c6000001a22eae85c6ffffffffffffffffffffffffffff000000111e00000001126d6573736167652031"
	 "001e00000201126d6573736167652032001e00000401126d6573736167652033001e00000601126d65737361"
	 "67652034001e00000801126d6573736167652035001e00000a01126d6573736167652036001e00000c01126d"
	 "6573736167652037001e00000e01126d6573736167652038001e00001001126d657373616765203900200000"
	 "1201146d657373616765203130002000001401146d657373616765203131002000001601146d657373616765"
	 "203132002000001801146d657373616765203133002000001a01146d657373616765203134002000001c0114"
	 "6d657373616765203135002000001e01146d657373616765203136002000002001146d657373616765203137"
	 "00"
	},
};

/* ------------------------------------------------------------------ */
/* Decoding, and what every message must survive */

/* The API key whose name starts the hint ("kafka Fetch v11 ..."). */
static int16_t key_of(const char *hint)
{
	const char *name = hint + strlen("kafka ");
	size_t n = strcspn(name, " ");
	int16_t k;

	for (k = 0; k < 128; k++)
		if (kafka_api_name(k) != NULL && strlen(kafka_api_name(k)) == n &&
		    strncmp(kafka_api_name(k), name, n) == 0)
			return k;
	fail_msg("no API named in %s", hint);
	return -1;
}

static int16_t version_of(const char *hint)
{
	const char *v = strstr(hint, " v");

	assert_non_null(v);
	return (int16_t)atoi(v + 2);
}

/*
 * Decode len bytes from a heap block of exactly that size (so AddressSanitizer
 * catches a read past them) and format the hint; the decoder's answer.
 */
static bool decode(bool response, int16_t key, int16_t version, const uint8_t *p, size_t len,
		   struct kafka_msg *m, char *text, size_t n)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	bool ok;

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, p, len);
	ok = response ? kafka_decode_response(copy, len, key, version, m)
		      : kafka_decode_request(copy, len, m);
	free(copy);
	if (ok) {
		size_t written = kafka_format(m, text, n);

		assert_int_equal(written, strlen(text));
	} else if (n > 0) {
		text[0] = '\0';
	}
	return ok;
}

/*
 * The message decodes to want; every prefix of it either fails or gives the same
 * hint (the decoder reads in order, so a prefix that holds all it read is the same
 * message to it); and with any byte or run of four bytes changed to a hostile value
 * the decoder still returns, within the message. Returns the decoded message in *out.
 */
static void check(bool response, const uint8_t *p, size_t len, const char *want,
		  struct kafka_msg *out)
{
	static const uint8_t hostile[] = {0xff, 0x7f, 0x80, 0x00, 0x01};
	int16_t key = key_of(want), version = version_of(want);
	struct kafka_msg m;
	char text[1024];
	uint8_t *mut;
	size_t i, j, k;

	case_begin("%s (%zu bytes)", want, len);
	assert_true(decode(response, key, version, p, len, &m, text, sizeof(text)));
	assert_string_equal(text, want);
	assert_int_not_equal(m.body, KAFKA_BODY_BAD);
	if (out != NULL)
		*out = m;
	for (i = 0; i < len; i++) {
		case_begin("%s cut at %zu of %zu bytes", want, i, len);
		if (decode(response, key, version, p, i, &m, text, sizeof(text)) &&
		    m.body != KAFKA_BODY_BAD)
			assert_string_equal(text, want);
	}
	mut = malloc(len);
	assert_non_null(mut);
	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(hostile); k++) {
			case_begin("%s, byte %zu set to 0x%02x", want, i, hostile[k]);
			memcpy(mut, p, len);
			mut[i] = hostile[k];
			if (decode(response, key, version, mut, len, &m, text, sizeof(text)))
				assert_memory_equal(text, "kafka ", 6);
			for (j = i; j < i + 4 && j < len; j++)
				mut[j] = j == i ? 0x7f : 0xff;
			if (decode(response, key, version, mut, len, &m, text, sizeof(text)))
				assert_memory_equal(text, "kafka ", 6);
		}
	}
	free(mut);
	case_end();
}

static void test_kafka_recorded(void **state)
{
	uint8_t buf[1024];
	size_t i, n;

	(void)state;
	for (i = 0; i < N_OF(recorded); i++) {
		n = strlen(recorded[i].hex) / 2;
		assert_true(n <= sizeof(buf));
		unhex(recorded[i].hex, buf, n);
		check(recorded[i].response, buf, n, recorded[i].hint, NULL);
	}
}

/* ------------------------------------------------------------------ */
/* Messages built by hand, field by field, from the protocol guide */

struct wb {
	uint8_t b[4096];
	size_t n;
};

static void w_be(struct wb *w, uint64_t v, unsigned bytes)
{
	unsigned i;

	assert_true(w->n + bytes <= sizeof(w->b));
	for (i = 0; i < bytes; i++)
		w->b[w->n++] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static void w8(struct wb *w, int v)
{
	w_be(w, (uint8_t)v, 1);
}

static void w16(struct wb *w, int v)
{
	w_be(w, (uint16_t)v, 2);
}

static void w32(struct wb *w, int64_t v)
{
	w_be(w, (uint32_t)v, 4);
}

static void w64(struct wb *w, int64_t v)
{
	w_be(w, (uint64_t)v, 8);
}

static void wraw(struct wb *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* An unsigned varint (protobuf's base-128, as Kafka's ByteUtils writes it). */
static void wuv(struct wb *w, uint32_t v)
{
	while (v >= 0x80) {
		w8(w, (int)((v & 0x7f) | 0x80));
		v >>= 7;
	}
	w8(w, (int)v);
}

/* A string: INT16 length (-1 for NULL) in a classic version, uvarint length + 1 (0 for NULL) in a flexible one. */
static void wstr(struct wb *w, bool flex, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (flex)
		wuv(w, s != NULL ? (uint32_t)n + 1 : 0);
	else
		w16(w, s != NULL ? (int)n : -1);
	if (s != NULL)
		wraw(w, s, n);
}

/* An array count (-1 for null), and bytes with their length. */
static void warr(struct wb *w, bool flex, int32_t n)
{
	if (flex)
		wuv(w, (uint32_t)(n + 1));
	else
		w32(w, n);
}

static void wbytes(struct wb *w, bool flex, const struct wb *data)
{
	if (flex)
		wuv(w, (uint32_t)data->n + 1);
	else
		w32(w, (int64_t)data->n);
	wraw(w, data->b, data->n);
}

/* No tagged fields. */
static void wtags(struct wb *w)
{
	w8(w, 0);
}

/* A request header: v2 (tagged fields) for a flexible version. */
static void wreq(struct wb *w, int key, int version, const char *client)
{
	w->n = 0;
	w16(w, key);
	w16(w, version);
	w32(w, 7); /* correlation id */
	wstr(w, false, client);
	if (kafka_api_flexible((int16_t)key, (int16_t)version))
		wtags(w);
}

/* A response header: v1 for a flexible version (but ApiVersions). */
static void wresp(struct wb *w, int key, int version)
{
	w->n = 0;
	w32(w, 7);
	if (kafka_response_header_flexible((int16_t)key, (int16_t)version))
		wtags(w);
}

/* A record batch (magic 2) of count records: the 61-byte header and a 3-byte stand-in body. */
static void wbatch(struct wb *w, int64_t base, int32_t count, int attributes)
{
	w64(w, base);
	w32(w, 49 + 3); /* batchLength: from partitionLeaderEpoch to the end */
	w32(w, 0);      /* partitionLeaderEpoch */
	w8(w, 2);       /* magic */
	w32(w, 0);      /* crc (not checked) */
	w16(w, attributes);
	w32(w, count - 1); /* lastOffsetDelta */
	w64(w, 0);
	w64(w, 0);
	w64(w, -1); /* producerId */
	w16(w, -1);
	w32(w, -1);
	w32(w, count);
	w8(w, 0);
	w8(w, 0);
	w8(w, 0);
}

/* A message of an old message set (magic 0 or 1) with a 1-byte value. */
static void wmessage(struct wb *w, int64_t offset, int magic)
{
	w64(w, offset);
	w32(w, magic == 0 ? 15 : 23); /* message_size */
	w32(w, 0);                    /* crc */
	w8(w, magic);
	w8(w, 0); /* attributes */
	if (magic == 1)
		w64(w, 0); /* timestamp */
	w32(w, -1);        /* key: null */
	w32(w, 1);         /* value */
	w8(w, 'x');
}

static void check_req(const struct wb *w, const char *want)
{
	check(false, w->b, w->n, want, NULL);
}

static void check_resp(const struct wb *w, const char *want)
{
	check(true, w->b, w->n, want, NULL);
}

/* A topic id, and how Kafka prints it (Uuid.toString: base64url, no padding). */
static const uint8_t uuid[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
				 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21};
#define UUID_TEXT "EjRWeJq83vAP7cuph2VDIQ"

/* A topic: its name, or from version `from_id` on, the topic id above. */
static void wtopic(struct wb *w, bool flex, int version, int from_id, const char *name)
{
	if (version >= from_id)
		wraw(w, uuid, sizeof(uuid));
	else
		wstr(w, flex, name);
}

/* Fetch requests v12 (flexible) to v18: topic ids from v13, no replica_id from v15. */
static void test_kafka_fetch_request_flexible(void **state)
{
	static const char *const want[] = {
	    "kafka Fetch v12 request t/3 from offset 42, t/4 from offset 43",
	    "kafka Fetch v13 request " UUID_TEXT "/3 from offset 42, " UUID_TEXT "/4 from offset 43",
	};
	struct wb w;
	int v, p;

	(void)state;
	for (v = 12; v <= 18; v++) {
		char text[256];

		wreq(&w, 1, v, "c");
		if (v <= 14)
			w32(&w, -1); /* replica_id */
		w32(&w, 500);        /* max_wait_ms */
		w32(&w, 1);          /* min_bytes */
		w32(&w, 1 << 20);    /* max_bytes */
		w8(&w, 0);           /* isolation_level */
		w32(&w, 0);          /* session_id */
		w32(&w, -1);         /* session_epoch */
		warr(&w, true, 1);
		wtopic(&w, true, v, 13, "t");
		warr(&w, true, 2);
		for (p = 3; p <= 4; p++) {
			w32(&w, p);        /* partition */
			w32(&w, -1);       /* current_leader_epoch */
			w64(&w, 39 + p);   /* fetch_offset */
			w32(&w, -1);       /* last_fetched_epoch */
			w64(&w, -1);       /* log_start_offset */
			w32(&w, 1 << 20);  /* partition_max_bytes */
			wtags(&w);
		}
		wtags(&w);
		warr(&w, true, 0); /* forgotten_topics_data */
		wstr(&w, true, "");
		wtags(&w);
		snprintf(text, sizeof(text), "%s", want[v == 12 ? 0 : 1]);
		if (v > 13) /* the same but for the version */
			text[strlen("kafka Fetch v1")] = (char)('0' + v - 10);
		check_req(&w, text);
	}
}

/* Fetch responses v12 (flexible), v13 (topic ids): high watermark, records, aborted transactions. */
static void test_kafka_fetch_response_flexible(void **state)
{
	struct wb w, rs;
	int v;

	(void)state;
	rs.n = 0;
	wbatch(&rs, 10, 5, 0);
	wbatch(&rs, 15, 2, 0x10);  /* transactional: counted */
	wbatch(&rs, 17, 1, 0x30);  /* a control batch (commit marker): not a record for the consumer */
	w64(&rs, 18);              /* a batch cut by the broker's size limit: not counted */
	w32(&rs, 500);
	w32(&rs, 0);
	for (v = 12; v <= 13; v++) {
		wresp(&w, 1, v);
		w32(&w, 0);  /* throttle_time_ms */
		w16(&w, 0);  /* error_code */
		w32(&w, 77); /* session_id */
		warr(&w, true, 1);
		wtopic(&w, true, v, 13, "t");
		warr(&w, true, 1);
		w32(&w, 3);  /* partition_index */
		w16(&w, 0);
		w64(&w, 17); /* high_watermark */
		w64(&w, 16); /* last_stable_offset */
		w64(&w, 2);  /* log_start_offset */
		warr(&w, true, 1); /* aborted_transactions */
		w64(&w, 9);
		w64(&w, 12);
		wtags(&w);
		w32(&w, -1); /* preferred_read_replica */
		wbytes(&w, true, &rs);
		wtags(&w);
		wtags(&w);
		wtags(&w);
		if (v == 12) {
			struct kafka_msg m;

			check(true, w.b, w.n, "kafka Fetch v12 response t/3 high watermark 17 (7 records)", &m);
			assert_int_equal(m.items[0].last_stable, 16);
			assert_int_equal(m.items[0].log_start, 2);
			assert_int_equal(m.items[0].records, 7);
		} else {
			check_resp(&w, "kafka Fetch v13 response " UUID_TEXT "/3 high watermark 17 (7 records)");
		}
	}
	/* Top-level error (v7+), and a partition error with null records */
	wresp(&w, 1, 12);
	w32(&w, 0);
	w16(&w, 70); /* FETCH_SESSION_ID_NOT_FOUND */
	w32(&w, 0);
	warr(&w, true, 1);
	wstr(&w, true, "t");
	warr(&w, true, 1);
	w32(&w, 0);
	w16(&w, 6); /* NOT_LEADER_OR_FOLLOWER */
	w64(&w, -1);
	w64(&w, -1);
	w64(&w, -1);
	warr(&w, true, -1);
	w32(&w, -1);
	wuv(&w, 0); /* records: null */
	wtags(&w);
	wtags(&w);
	wtags(&w);
	check_resp(&w, "kafka Fetch v12 response FETCH_SESSION_ID_NOT_FOUND t/0 NOT_LEADER_OR_FOLLOWER "
		       "high watermark -1 (0 records)");
}

/* Fetch v0 and v1 (no last stable offset, log start offset or aborted transactions), message sets. */
static void test_kafka_fetch_old(void **state)
{
	struct wb w, rs;
	struct kafka_msg m;

	(void)state;
	rs.n = 0;
	wmessage(&rs, 0, 0);
	wmessage(&rs, 1, 1);
	wmessage(&rs, 2, 1);
	wresp(&w, 1, 1);
	w32(&w, 0); /* throttle_time_ms (v1+) */
	warr(&w, false, 1);
	wstr(&w, false, "old");
	warr(&w, false, 1);
	w32(&w, 0);
	w16(&w, 0);
	w64(&w, 3);
	wbytes(&w, false, &rs);
	check(true, w.b, w.n, "kafka Fetch v1 response old/0 high watermark 3 (3 records)", &m);
	assert_int_equal(m.items[0].last_stable, -1);
	assert_int_equal(m.items[0].log_start, -1);

	wreq(&w, 1, 0, NULL);
	w32(&w, -1);
	w32(&w, 100);
	w32(&w, 1);
	warr(&w, false, 1);
	wstr(&w, false, "old");
	warr(&w, false, 1);
	w32(&w, 0);
	w64(&w, 3);
	w32(&w, 1 << 20);
	check(false, w.b, w.n, "kafka Fetch v0 request old/0 from offset 3", &m);
	assert_true(m.client_id.null);
}

/* Produce v9 (flexible) and v13 (topic ids); v2 with an old message set. */
static void test_kafka_produce_layouts(void **state)
{
	struct wb w, rs;
	int v;

	(void)state;
	rs.n = 0;
	wbatch(&rs, 0, 3, 0);
	wbatch(&rs, 3, 4, 0x01); /* gzip: the count is in the header all the same */
	for (v = 9; v <= 13; v += 4) {
		wreq(&w, 0, v, "p");
		wstr(&w, true, NULL); /* transactional_id */
		w16(&w, -1);          /* acks */
		w32(&w, 30000);
		warr(&w, true, 1);
		wtopic(&w, true, v, 13, "t");
		warr(&w, true, 1);
		w32(&w, 0);
		wbytes(&w, true, &rs);
		wtags(&w);
		wtags(&w);
		wtags(&w);
		check_req(&w, v == 9 ? "kafka Produce v9 request t/0 7 records"
				     : "kafka Produce v13 request " UUID_TEXT "/0 7 records");

		wresp(&w, 0, v);
		warr(&w, true, 1);
		wtopic(&w, true, v, 13, "t");
		warr(&w, true, 2);
		w32(&w, 0);
		w16(&w, 0);
		w64(&w, 100); /* base_offset */
		w64(&w, -1);  /* log_append_time_ms */
		w64(&w, 5);   /* log_start_offset */
		warr(&w, true, 0);
		wstr(&w, true, NULL);
		wtags(&w);
		w32(&w, 1);
		w16(&w, 10); /* MESSAGE_TOO_LARGE */
		w64(&w, -1);
		w64(&w, -1);
		w64(&w, -1);
		warr(&w, true, 1); /* record_errors */
		w32(&w, 0);
		wstr(&w, true, "too big");
		wtags(&w);
		wstr(&w, true, "batch too big");
		wtags(&w);
		wtags(&w);
		w32(&w, 0); /* throttle_time_ms */
		wtags(&w);
		check_resp(&w, v == 9 ? "kafka Produce v9 response t/0 base offset 100, t/1 MESSAGE_TOO_LARGE "
					"base offset -1"
				      : "kafka Produce v13 response " UUID_TEXT "/0 base offset 100, " UUID_TEXT
					"/1 MESSAGE_TOO_LARGE base offset -1");
	}
	rs.n = 0;
	wmessage(&rs, 0, 1);
	wmessage(&rs, 1, 1);
	wreq(&w, 0, 2, "p");
	w16(&w, 1);
	w32(&w, 1000);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 1);
	w32(&w, 0);
	wbytes(&w, false, &rs);
	check_req(&w, "kafka Produce v2 request t/0 2 records");
	wresp(&w, 0, 0);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 1);
	w32(&w, 0);
	w16(&w, 0);
	w64(&w, 8);
	check_resp(&w, "kafka Produce v0 response t/0 base offset 8");
}

/* Metadata v9 (flexible), v10 (topic ids), v12 (nullable names), v13 (top-level error). */
static void test_kafka_metadata_layouts(void **state)
{
	struct wb w;
	int v;

	(void)state;
	wreq(&w, 3, 9, "m");
	warr(&w, true, 2);
	wstr(&w, true, "a");
	wtags(&w);
	wstr(&w, true, "b");
	wtags(&w);
	w8(&w, 1); /* allow_auto_topic_creation */
	w8(&w, 0); /* include_cluster_authorized_operations */
	w8(&w, 0); /* include_topic_authorized_operations */
	wtags(&w);
	check_req(&w, "kafka Metadata v9 request a,b");

	wreq(&w, 3, 10, "m");
	warr(&w, true, 2);
	wraw(&w, uuid, sizeof(uuid));
	wstr(&w, true, NULL); /* by id */
	wtags(&w);
	wraw(&w, (const uint8_t[16]){0}, 16);
	wstr(&w, true, "named");
	wtags(&w);
	w8(&w, 0);
	w8(&w, 0);
	w8(&w, 0);
	wtags(&w);
	check_req(&w, "kafka Metadata v10 request " UUID_TEXT ",named");

	wreq(&w, 3, 12, "m");
	warr(&w, true, -1); /* every topic */
	w8(&w, 0);
	w8(&w, 0);
	wtags(&w);
	check_req(&w, "kafka Metadata v12 request all topics");

	for (v = 9; v <= 13; v++) {
		char want[256];

		wresp(&w, 3, v);
		w32(&w, 0);
		warr(&w, true, 2);
		w32(&w, 1);
		wstr(&w, true, "k1.example");
		w32(&w, 9092);
		wstr(&w, true, NULL); /* rack */
		wtags(&w);
		w32(&w, 2);
		wstr(&w, true, "k2.example");
		w32(&w, 9093);
		wstr(&w, true, "r2");
		wtags(&w);
		wstr(&w, true, "cluster");
		w32(&w, 1); /* controller_id */
		warr(&w, true, 2);
		w16(&w, 0);
		wstr(&w, true, v >= 12 ? NULL : "x"); /* v12+: a topic known by id only */
		if (v >= 10)
			wraw(&w, uuid, sizeof(uuid));
		w8(&w, 0); /* is_internal */
		warr(&w, true, 1);
		w16(&w, 0);
		w32(&w, 0);
		w32(&w, 1);
		w32(&w, 0); /* leader_epoch */
		warr(&w, true, 1);
		w32(&w, 1);
		warr(&w, true, 1);
		w32(&w, 1);
		warr(&w, true, 0); /* offline_replicas */
		wtags(&w);
		w32(&w, 0); /* topic_authorized_operations */
		wtags(&w);
		w16(&w, 3);
		wstr(&w, true, "gone");
		if (v >= 10)
			wraw(&w, (const uint8_t[16]){0}, 16);
		w8(&w, 0);
		warr(&w, true, 0);
		w32(&w, 0);
		wtags(&w);
		if (v <= 10)
			w32(&w, 0); /* cluster_authorized_operations */
		if (v >= 13)
			w16(&w, 0); /* error_code */
		wtags(&w);
		snprintf(want, sizeof(want),
			 "kafka Metadata v%d response brokers 1=k1.example:9092,2=k2.example:9093 topics "
			 "%s,gone(UNKNOWN_TOPIC_OR_PARTITION)",
			 v, v >= 12 ? UUID_TEXT : "x");
		check_resp(&w, want);
	}
}

/* ListOffsets v0 (old_style_offsets, max_num_offsets), v6 (flexible), v10 (timeout_ms). */
static void test_kafka_list_offsets_layouts(void **state)
{
	struct wb w;
	int v;

	(void)state;
	wreq(&w, 2, 0, "l");
	w32(&w, -1);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 2);
	w32(&w, 0);
	w64(&w, -2);
	w32(&w, 1); /* max_num_offsets */
	w32(&w, 1);
	w64(&w, 1700000000000);
	w32(&w, 1);
	check_req(&w, "kafka ListOffsets v0 request t/0 earliest, t/1 timestamp 1700000000000");
	wresp(&w, 2, 0);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 2);
	w32(&w, 0);
	w16(&w, 0);
	warr(&w, false, 2);
	w64(&w, 5);
	w64(&w, 0);
	w32(&w, 1);
	w16(&w, 78); /* OFFSET_NOT_AVAILABLE */
	warr(&w, false, 0);
	check_resp(&w, "kafka ListOffsets v0 response t/0 offset 5, t/1 OFFSET_NOT_AVAILABLE offset -1");

	for (v = 6; v <= 10; v += 4) {
		wreq(&w, 2, v, "l");
		w32(&w, -1);
		w8(&w, 1);
		warr(&w, true, 1);
		wstr(&w, true, "t");
		warr(&w, true, 1);
		w32(&w, 0);
		w32(&w, -1); /* current_leader_epoch */
		w64(&w, -3);
		wtags(&w);
		wtags(&w);
		if (v >= 10)
			w32(&w, 30000); /* timeout_ms */
		wtags(&w);
		check_req(&w, v == 6 ? "kafka ListOffsets v6 request t/0 max timestamp"
				     : "kafka ListOffsets v10 request t/0 max timestamp");
		wresp(&w, 2, v);
		w32(&w, 0);
		warr(&w, true, 1);
		wstr(&w, true, "t");
		warr(&w, true, 1);
		w32(&w, 0);
		w16(&w, 0);
		w64(&w, 1700000000000);
		w64(&w, 41);
		w32(&w, 0); /* leader_epoch */
		wtags(&w);
		wtags(&w);
		wtags(&w);
		check_resp(&w, v == 6 ? "kafka ListOffsets v6 response t/0 offset 41"
				      : "kafka ListOffsets v10 response t/0 offset 41");
	}
}

/* OffsetCommit v8 (flexible) and v10 (topic ids); OffsetFetch v6 (flexible), v8 (groups), v10. */
static void test_kafka_offsets_layouts(void **state)
{
	struct wb w;
	int v;

	(void)state;
	for (v = 8; v <= 10; v += 2) {
		wreq(&w, 8, v, "o");
		wstr(&w, true, "g");
		w32(&w, 4);             /* generation_id_or_member_epoch */
		wstr(&w, true, "m-1");  /* member_id */
		wstr(&w, true, NULL);   /* group_instance_id */
		warr(&w, true, 1);
		wtopic(&w, true, v, 10, "t");
		warr(&w, true, 1);
		w32(&w, 2);
		w64(&w, 99);
		w32(&w, -1);
		wstr(&w, true, "");
		wtags(&w);
		wtags(&w);
		wtags(&w);
		check_req(&w, v == 8 ? "kafka OffsetCommit v8 request group g member m-1 t/2 offset 99"
				     : "kafka OffsetCommit v10 request group g member m-1 " UUID_TEXT
				       "/2 offset 99");
		wresp(&w, 8, v);
		w32(&w, 0);
		warr(&w, true, 1);
		wtopic(&w, true, v, 10, "t");
		warr(&w, true, 1);
		w32(&w, 2);
		w16(&w, 22); /* ILLEGAL_GENERATION */
		wtags(&w);
		wtags(&w);
		wtags(&w);
		check_resp(&w, v == 8 ? "kafka OffsetCommit v8 response t/2 ILLEGAL_GENERATION"
				      : "kafka OffsetCommit v10 response " UUID_TEXT "/2 ILLEGAL_GENERATION");
	}

	wreq(&w, 9, 6, "o");
	wstr(&w, true, "g");
	warr(&w, true, -1); /* every topic */
	wtags(&w);
	check_req(&w, "kafka OffsetFetch v6 request group g all topics");
	wresp(&w, 9, 6);
	w32(&w, 0);
	warr(&w, true, 1);
	wstr(&w, true, "t");
	warr(&w, true, 2);
	w32(&w, 0);
	w64(&w, 12);
	w32(&w, -1);
	wstr(&w, true, NULL);
	w16(&w, 0);
	wtags(&w);
	w32(&w, 1);
	w64(&w, -1);
	w32(&w, -1);
	wstr(&w, true, "");
	w16(&w, 0);
	wtags(&w);
	wtags(&w);
	w16(&w, 0);
	wtags(&w);
	check_resp(&w, "kafka OffsetFetch v6 response t/0 offset 12, t/1 offset none");

	for (v = 8; v <= 10; v++) {
		char want[256];

		wreq(&w, 9, v, "o");
		warr(&w, true, 1);
		wstr(&w, true, "g");
		if (v >= 9) {
			wstr(&w, true, "m-1");
			w32(&w, 3);
		}
		warr(&w, true, 1);
		wtopic(&w, true, v, 10, "t");
		warr(&w, true, 2);
		w32(&w, 0);
		w32(&w, 1);
		wtags(&w);
		wtags(&w);
		w8(&w, 1); /* require_stable */
		wtags(&w);
		snprintf(want, sizeof(want), "kafka OffsetFetch v%d request group g %s/0, %s/1", v,
			 v >= 10 ? UUID_TEXT : "t", v >= 10 ? UUID_TEXT : "t");
		check_req(&w, want);
		wresp(&w, 9, v);
		w32(&w, 0);
		warr(&w, true, 1);
		wstr(&w, true, "g");
		warr(&w, true, 1);
		wtopic(&w, true, v, 10, "t");
		warr(&w, true, 1);
		w32(&w, 0);
		w64(&w, 17);
		w32(&w, -1);
		wstr(&w, true, NULL);
		w16(&w, 0);
		wtags(&w);
		wtags(&w);
		w16(&w, 88); /* UNSTABLE_OFFSET_COMMIT */
		wtags(&w);
		wtags(&w);
		snprintf(want, sizeof(want), "kafka OffsetFetch v%d response UNSTABLE_OFFSET_COMMIT %s/0 offset 17",
			 v, v >= 10 ? UUID_TEXT : "t");
		check_resp(&w, want);
	}
}

/* FindCoordinator v3 (flexible) and v4 (several keys); the group APIs in their flexible versions. */
static void test_kafka_group_layouts(void **state)
{
	struct wb w;

	(void)state;
	wreq(&w, 10, 3, "f");
	wstr(&w, true, "tx-1");
	w8(&w, 1); /* transaction */
	wtags(&w);
	check_req(&w, "kafka FindCoordinator v3 request transaction tx-1");
	wresp(&w, 10, 3);
	w32(&w, 0);
	w16(&w, 15); /* COORDINATOR_NOT_AVAILABLE */
	wstr(&w, true, "not yet");
	w32(&w, -1);
	wstr(&w, true, "");
	w32(&w, -1);
	wtags(&w);
	check_resp(&w, "kafka FindCoordinator v3 response COORDINATOR_NOT_AVAILABLE");

	wreq(&w, 10, 4, "f");
	w8(&w, 0);
	warr(&w, true, 2);
	wstr(&w, true, "g1");
	wstr(&w, true, "g2");
	wtags(&w);
	check_req(&w, "kafka FindCoordinator v4 request group g1,g2");
	wresp(&w, 10, 6);
	w32(&w, 0);
	warr(&w, true, 1);
	wstr(&w, true, "g1");
	w32(&w, 2);
	wstr(&w, true, "k2.example");
	w32(&w, 9093);
	w16(&w, 0);
	wstr(&w, true, NULL);
	wtags(&w);
	wtags(&w);
	check_resp(&w, "kafka FindCoordinator v6 response node 2 k2.example:9093");

	wreq(&w, 11, 9, "j");
	wstr(&w, true, "g");
	w32(&w, 45000);
	w32(&w, 300000);
	wstr(&w, true, "");
	wstr(&w, true, NULL);
	wstr(&w, true, "consumer");
	warr(&w, true, 1);
	wstr(&w, true, "range");
	wuv(&w, 1); /* metadata: empty bytes */
	wtags(&w);
	wstr(&w, true, NULL); /* reason */
	wtags(&w);
	check_req(&w, "kafka JoinGroup v9 request group g");
	wresp(&w, 11, 9);
	w32(&w, 0);
	w16(&w, 79); /* MEMBER_ID_REQUIRED */
	w32(&w, -1);
	wstr(&w, true, "consumer");
	wstr(&w, true, NULL);
	wstr(&w, true, "");
	w8(&w, 0); /* skip_assignment */
	wstr(&w, true, "c-1-abc");
	warr(&w, true, 0);
	wtags(&w);
	check_resp(&w, "kafka JoinGroup v9 response MEMBER_ID_REQUIRED member c-1-abc");

	wreq(&w, 14, 5, "s");
	wstr(&w, true, "g");
	w32(&w, 3);
	wstr(&w, true, "c-1-abc");
	wstr(&w, true, NULL);
	wstr(&w, true, "consumer");
	wstr(&w, true, "range");
	warr(&w, true, 0);
	wtags(&w);
	check_req(&w, "kafka SyncGroup v5 request group g generation 3 member c-1-abc");
	wresp(&w, 14, 5);
	w32(&w, 0);
	w16(&w, 27); /* REBALANCE_IN_PROGRESS */
	wstr(&w, true, NULL);
	wstr(&w, true, NULL);
	wuv(&w, 1);
	wtags(&w);
	check_resp(&w, "kafka SyncGroup v5 response REBALANCE_IN_PROGRESS");

	wreq(&w, 12, 4, "h");
	wstr(&w, true, "g");
	w32(&w, 3);
	wstr(&w, true, "c-1-abc");
	wstr(&w, true, NULL);
	wtags(&w);
	check_req(&w, "kafka Heartbeat v4 request group g generation 3 member c-1-abc");
	wresp(&w, 12, 4);
	w32(&w, 0);
	w16(&w, 25); /* UNKNOWN_MEMBER_ID */
	wtags(&w);
	check_resp(&w, "kafka Heartbeat v4 response UNKNOWN_MEMBER_ID");

	wreq(&w, 13, 5, "q");
	wstr(&w, true, "g");
	warr(&w, true, 1);
	wstr(&w, true, "c-1-abc");
	wstr(&w, true, NULL);
	wstr(&w, true, "the consumer is closing");
	wtags(&w);
	wtags(&w);
	check_req(&w, "kafka LeaveGroup v5 request group g member c-1-abc");
}

/* ApiVersions v3 and v4 (flexible body, response header v0), SASL, InitProducerId, CreateTopics. */
static void test_kafka_other_layouts(void **state)
{
	struct wb w;

	(void)state;
	wreq(&w, 18, 4, "a");
	wstr(&w, true, "apache-kafka-java");
	wstr(&w, true, "3.9.0");
	wtags(&w);
	check_req(&w, "kafka ApiVersions v4 request apache-kafka-java 3.9.0");
	wresp(&w, 18, 3);
	w16(&w, 0);
	warr(&w, true, 2);
	w16(&w, 0);
	w16(&w, 0);
	w16(&w, 11);
	wtags(&w);
	w16(&w, 1);
	w16(&w, 4);
	w16(&w, 17);
	wtags(&w);
	w32(&w, 0);
	wtags(&w);
	check_resp(&w, "kafka ApiVersions v3 response 2 apis");
	/* As Apache Kafka answers a version it does not know: v0, UNSUPPORTED_VERSION */
	wresp(&w, 18, 4);
	w16(&w, 35);
	warr(&w, false, 1);
	w16(&w, 18);
	w16(&w, 0);
	w16(&w, 3);
	check_resp(&w, "kafka ApiVersions v4 response UNSUPPORTED_VERSION");

	wreq(&w, 17, 1, "x");
	wstr(&w, false, "SCRAM-SHA-512");
	check_req(&w, "kafka SaslHandshake v1 request mechanism SCRAM-SHA-512");
	wresp(&w, 17, 1);
	w16(&w, 33); /* UNSUPPORTED_SASL_MECHANISM */
	warr(&w, false, 2);
	wstr(&w, false, "PLAIN");
	wstr(&w, false, "GSSAPI");
	check_resp(&w, "kafka SaslHandshake v1 response UNSUPPORTED_SASL_MECHANISM mechanisms PLAIN,GSSAPI");
	wresp(&w, 36, 2);
	w16(&w, 58); /* SASL_AUTHENTICATION_FAILED */
	wstr(&w, true, "bad password");
	wuv(&w, 1);
	w64(&w, 0);
	wtags(&w);
	check_resp(&w, "kafka SaslAuthenticate v2 response SASL_AUTHENTICATION_FAILED");

	wreq(&w, 22, 4, "i");
	wstr(&w, true, "tx-1");
	w32(&w, 60000);
	w64(&w, -1);
	w16(&w, -1);
	wtags(&w);
	check_req(&w, "kafka InitProducerId v4 request transactional id tx-1");
	wresp(&w, 22, 4);
	w32(&w, 0);
	w16(&w, 0);
	w64(&w, 4001);
	w16(&w, 0);
	wtags(&w);
	check_resp(&w, "kafka InitProducerId v4 response producer id 4001");

	wreq(&w, 19, 5, "t");
	warr(&w, true, 1);
	wstr(&w, true, "new-topic");
	w32(&w, 3);
	w16(&w, 1);
	warr(&w, true, 1); /* assignments */
	w32(&w, 0);
	warr(&w, true, 1);
	w32(&w, 1);
	wtags(&w);
	warr(&w, true, 1); /* configs */
	wstr(&w, true, "retention.ms");
	wstr(&w, true, "1000");
	wtags(&w);
	wtags(&w);
	w32(&w, 30000);
	w8(&w, 0);
	wtags(&w);
	check_req(&w, "kafka CreateTopics v5 request new-topic");
	wresp(&w, 19, 7);
	w32(&w, 0);
	warr(&w, true, 1);
	wstr(&w, true, "new-topic");
	wraw(&w, uuid, sizeof(uuid));
	w16(&w, 36); /* TOPIC_ALREADY_EXISTS */
	wstr(&w, true, "exists");
	w32(&w, 3);
	w16(&w, 1);
	warr(&w, true, 1);
	wstr(&w, true, "retention.ms");
	wstr(&w, true, "1000");
	w8(&w, 0);
	w8(&w, 1);
	w8(&w, 0);
	wtags(&w);
	wtags(&w);
	wtags(&w);
	check_resp(&w, "kafka CreateTopics v7 response new-topic(TOPIC_ALREADY_EXISTS)");

	/* An API whose body tcpnote does not read: the header only */
	wreq(&w, 15, 5, "d");
	warr(&w, true, 1);
	wstr(&w, true, "g");
	w8(&w, 0);
	wtags(&w);
	check_req(&w, "kafka DescribeGroups v5 request");
	wresp(&w, 15, 5);
	w32(&w, 0);
	warr(&w, true, 0);
	wtags(&w);
	check_resp(&w, "kafka DescribeGroups v5 response");
}

/* Lists longer than KAFKA_ITEMS_MAX, strings longer than KAFKA_STR_MAX or with a NUL. */
static void test_kafka_cut(void **state)
{
	char name[400], want[600];
	struct kafka_msg m;
	struct wb w;
	int p;

	(void)state;
	wreq(&w, 1, 11, "c");
	w32(&w, -1);
	w32(&w, 500);
	w32(&w, 1);
	w32(&w, 1 << 20);
	w8(&w, 0);
	w32(&w, 0);
	w32(&w, -1);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 6);
	for (p = 0; p < 6; p++) {
		w32(&w, p);
		w32(&w, -1);
		w64(&w, p * 10);
		w64(&w, -1);
		w32(&w, 1 << 20);
	}
	warr(&w, false, 0);
	wstr(&w, false, "");
	check(false, w.b, w.n,
	      "kafka Fetch v11 request t/0 from offset 0, t/1 from offset 10, t/2 from offset 20, "
	      "t/3 from offset 30,...", &m);
	assert_int_equal(m.n_items, 6);

	memset(name, 'n', 300);
	name[300] = '\0';
	wreq(&w, 3, 2, "c");
	warr(&w, false, 6);
	for (p = 0; p < 6; p++)
		wstr(&w, false, p == 0 ? name : "short");
	snprintf(want, sizeof(want), "kafka Metadata v2 request %.*s...,short,short,short,...",
		 KAFKA_STR_MAX, name);
	check(false, w.b, w.n, want, &m);
	assert_true(m.items[0].name.cut);
	assert_int_equal(strlen(m.items[0].name.s), KAFKA_STR_MAX);

	wreq(&w, 3, 2, "c");
	warr(&w, false, 1);
	wstr(&w, false, "ab");
	w.b[w.n - 1] = '\0'; /* "a\0" */
	check(false, w.b, w.n, "kafka Metadata v2 request a...", NULL);
}

/* Lengths and counts that lie, varints that never end, tagged fields without end. */
static void test_kafka_hostile(void **state)
{
	struct kafka_msg m;
	char text[512];
	struct wb w;
	size_t at;

	(void)state;
	/* A topic count of 2^31 - 1 in a Fetch response: rejected at the count */
	wresp(&w, 1, 11);
	w32(&w, 0);
	w16(&w, 0);
	w32(&w, 0);
	w32(&w, 0x7fffffff);
	wstr(&w, false, "t");
	assert_true(decode(true, 1, 11, w.b, w.n, &m, text, sizeof(text)));
	assert_int_equal(m.body, KAFKA_BODY_BAD);
	assert_int_equal(m.n_items, 0);
	assert_string_equal(text, "kafka Fetch v11 response [|kafka]");

	/* A partition count that fits the bytes left, but whose partitions do not */
	wresp(&w, 1, 11);
	w32(&w, 0);
	w16(&w, 0);
	w32(&w, 0);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 2);
	w32(&w, 0);
	w16(&w, 0);
	w64(&w, 17);
	w64(&w, 17);
	w64(&w, 0);
	warr(&w, false, 0);
	w32(&w, -1);
	w32(&w, 0);
	assert_true(decode(true, 1, 11, w.b, w.n, &m, text, sizeof(text)));
	assert_int_equal(m.body, KAFKA_BODY_BAD);
	/* The partition read whole is kept; the one cut short is not shown (it would show zeros) */
	assert_string_equal(text, "kafka Fetch v11 response t/0 high watermark 17 (0 records) [|kafka]");
	assert_int_equal(m.n_items, 1);

	/* Records whose length runs past the message; a string length of -2 */
	wresp(&w, 1, 4);
	w32(&w, 0);
	warr(&w, false, 1);
	wstr(&w, false, "t");
	warr(&w, false, 1);
	w32(&w, 0);
	w16(&w, 0);
	w64(&w, 1);
	w64(&w, 1);
	warr(&w, false, 0);
	w32(&w, 1000);
	w64(&w, 0);
	assert_true(decode(true, 1, 4, w.b, w.n, &m, text, sizeof(text)));
	assert_int_equal(m.body, KAFKA_BODY_BAD);
	wreq(&w, 3, 2, "c");
	warr(&w, false, 1);
	w16(&w, -2);
	assert_true(decode(false, 0, 0, w.b, w.n, &m, text, sizeof(text)));
	assert_string_equal(text, "kafka Metadata v2 request [|kafka]");

	/* A compact length of 2^32 - 1, a varint of six bytes, 2^31 tagged fields */
	wreq(&w, 3, 9, "c");
	w8(&w, 0xff);
	w8(&w, 0xff);
	w8(&w, 0xff);
	w8(&w, 0xff);
	w8(&w, 0x0f);
	assert_true(decode(false, 0, 0, w.b, w.n, &m, text, sizeof(text)));
	assert_int_equal(m.body, KAFKA_BODY_BAD);
	wreq(&w, 3, 9, "c");
	for (at = 0; at < 6; at++)
		w8(&w, 0x81);
	w8(&w, 0x01);
	assert_true(decode(false, 0, 0, w.b, w.n, &m, text, sizeof(text)));
	assert_int_equal(m.body, KAFKA_BODY_BAD);
	w.n = 0;
	w16(&w, 3);
	w16(&w, 9);
	w32(&w, 1);
	wstr(&w, false, "c");
	wuv(&w, 0x7fffffff); /* header tagged fields */
	assert_false(decode(false, 0, 0, w.b, w.n, &m, text, sizeof(text)));

	/* Record batches that lie about their size: counted only while they fit */
	{
		struct wb rs;

		rs.n = 0;
		wbatch(&rs, 0, 2, 0);
		at = rs.n;
		wbatch(&rs, 2, 1000000, 0);
		rs.b[at + 8] = 0x7f; /* batchLength past the set */
		wreq(&w, 0, 7, "p");
		wstr(&w, false, NULL);
		w16(&w, 1);
		w32(&w, 1000);
		warr(&w, false, 1);
		wstr(&w, false, "t");
		warr(&w, false, 1);
		w32(&w, 0);
		wbytes(&w, false, &rs);
		check_req(&w, "kafka Produce v7 request t/0 2 records");
		rs.b[8] = 0; /* the first batch shorter than a batch header */
		rs.b[11] = 10;
		w.n -= rs.n;
		wraw(&w, rs.b, rs.n);
		check_req(&w, "kafka Produce v7 request t/0 0 records");
	}
}

/* ------------------------------------------------------------------ */
/* Sniffing, framing, requests in flight, names, bounded text */

static void test_kafka_sniff(void **state)
{
	static const struct {
		const char *hex;
		enum kafka_sniff want;
	} cases[] = {
	    /* kafka-seed.pcap frame 4: ApiVersions v3 (header v2), and its prefixes */
	    {"0000002d001200030000000100107463706e6f74652d636f6e73756d6572000b6c696272646b61666b6106322e302e3200",
	     KAFKA_SNIFF_YES},
	    {"0000002d001200030000000100107463706e6f74652d636f6e73756d6572", KAFKA_SNIFF_MORE},
	    {"0000002d00120003000000010010746370", KAFKA_SNIFF_MORE},
	    {"0000002d0012000300000001", KAFKA_SNIFF_MORE},
	    {"0000002d00", KAFKA_SNIFF_MORE},
	    {"000000", KAFKA_SNIFF_MORE},
	    {"", KAFKA_SNIFF_MORE},
	    /* ApiVersions v0, null client id; a request whose body is not here yet */
	    {"0000000a001200000000000effff", KAFKA_SNIFF_YES},
	    {"00000100000300020000000300047263", KAFKA_SNIFF_MORE},
	    /* Not Kafka: HTTP, TLS, SSH, a length too large or too small */
	    {"474554202f20485454502f312e310d0a", KAFKA_SNIFF_NO},
	    {"160301020001", KAFKA_SNIFF_NO},
	    {"5353482d322e30", KAFKA_SNIFF_NO},
	    {"07000000", KAFKA_SNIFF_NO},
	    {"00000009001200000000000effff", KAFKA_SNIFF_NO},
	    {"0700", KAFKA_SNIFF_NO},
	    /* Cleartext prefixes starting with 0 (app_parser_kafka.c: never both parsers'):
	     * PostgreSQL's SSLRequest, a MySQL greeting of 768 bytes */
	    {"0000000804d2162f", KAFKA_SNIFF_NO},
	    {"000300000a352e372e3432000800000061626364", KAFKA_SNIFF_NO},
	    /* An unknown key, a version too new, a negative correlation id */
	    {"0000000a005d00000000000effff", KAFKA_SNIFF_NO},
	    {"0000000a000100130000000effff", KAFKA_SNIFF_NO},
	    {"0000000a0001000b8000000effff", KAFKA_SNIFF_NO},
	    {"0000000a0001", KAFKA_SNIFF_MORE},
	    {"0000000a0101", KAFKA_SNIFF_NO},
	    {"0000000a00010000ff", KAFKA_SNIFF_NO},
	    /* ApiVersions a few versions past the newest: a newer client */
	    {"0000000b001200070000000effff00", KAFKA_SNIFF_YES},
	    /* A client id with a control byte, or longer than the message */
	    {"0000000d000100000000000e00036101620000", KAFKA_SNIFF_NO},
	    {"0000000d000100000000000e00ff61", KAFKA_SNIFF_NO},
	    /* Header v2 whose tagged fields do not fit in the message */
	    {"0000000b001200030000000effff05", KAFKA_SNIFF_NO},
	};
	uint8_t buf[128];
	size_t i, n;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		uint8_t *copy;

		case_begin("sniff %s", cases[i].hex);
		n = strlen(cases[i].hex) / 2;
		unhex(cases[i].hex, buf, n);
		copy = malloc(n > 0 ? n : 1);
		assert_non_null(copy);
		memcpy(copy, buf, n);
		assert_int_equal(kafka_sniff(copy, n), cases[i].want);
		free(copy);
	}
	case_end();
	/* Every recorded request sniffs as Kafka, and every prefix of it as Kafka or "more" */
	for (i = 0; i < N_OF(recorded); i++) {
		uint8_t msg[1024 + 4];
		size_t j;

		if (recorded[i].response)
			continue;
		n = strlen(recorded[i].hex) / 2;
		msg[0] = (uint8_t)(n >> 24);
		msg[1] = (uint8_t)(n >> 16);
		msg[2] = (uint8_t)(n >> 8);
		msg[3] = (uint8_t)n;
		unhex(recorded[i].hex, msg + 4, n);
		case_begin("sniff %s", recorded[i].hint);
		assert_int_equal(kafka_sniff(msg, n + 4), KAFKA_SNIFF_YES);
		for (j = 0; j < n + 4; j++)
			assert_int_not_equal(kafka_sniff(msg, j), KAFKA_SNIFF_NO);
	}
	case_end();
}

static void test_kafka_frame_inflight(void **state)
{
	static const uint8_t ok[] = {0, 0, 1, 0}, big[] = {0x06, 0x40, 0x00, 0x01};
	struct kafka_inflight t;
	uint32_t n = 0;
	int16_t key, version;
	int i;

	(void)state;
	assert_int_equal(kafka_frame(ok, 3, &n), 0);
	assert_int_equal(kafka_frame(ok, 4, &n), 1);
	assert_int_equal(n, 256);
	assert_int_equal(kafka_frame(big, 4, &n), -1);

	memset(&t, 0, sizeof(t));
	assert_false(kafka_inflight_take(&t, 0, &key, &version));
	kafka_inflight_add(&t, 5, 1, 11);
	kafka_inflight_add(&t, 6, 3, 2);
	assert_true(kafka_inflight_take(&t, 6, &key, &version));
	assert_int_equal(key, 3);
	assert_int_equal(version, 2);
	assert_false(kafka_inflight_take(&t, 6, &key, &version));
	assert_true(kafka_inflight_take(&t, 5, &key, &version));
	assert_int_equal(key, 1);
	/* A full table forgets the oldest request */
	for (i = 0; i <= KAFKA_INFLIGHT_MAX; i++)
		kafka_inflight_add(&t, 100 + i, 0, 7);
	assert_false(kafka_inflight_take(&t, 100, &key, &version));
	assert_true(kafka_inflight_take(&t, 101, &key, &version));
	assert_true(kafka_inflight_take(&t, 100 + KAFKA_INFLIGHT_MAX, &key, &version));
}

/* ------------------------------------------------------------------ */
/* The follower's facts and explain numbers, fed whole messages in order */

/* A correlation id written over the one wreq/wresp put at offset `at`. */
static void set_corr(struct wb *w, size_t at, int32_t corr)
{
	size_t n = w->n;

	w->n = at;
	w32(w, corr);
	w->n = n;
}

/* A Fetch v12 request for topic/part from offset. */
static void wfetch_req(struct wb *w, int32_t corr, const char *client, const char *topic,
		       int32_t part, int64_t offset)
{
	wreq(w, 1, 12, client);
	set_corr(w, 4, corr);
	w32(w, -1);       /* replica_id */
	w32(w, 500);      /* max_wait_ms */
	w32(w, 1);        /* min_bytes */
	w32(w, 1 << 20);  /* max_bytes */
	w8(w, 0);         /* isolation_level */
	w32(w, 0);        /* session_id */
	w32(w, -1);       /* session_epoch */
	warr(w, true, 1);
	wstr(w, true, topic);
	warr(w, true, 1);
	w32(w, part);
	w32(w, -1);       /* current_leader_epoch */
	w64(w, offset);   /* fetch_offset */
	w32(w, -1);       /* last_fetched_epoch */
	w64(w, -1);       /* log_start_offset */
	w32(w, 1 << 20);  /* partition_max_bytes */
	wtags(w);
	wtags(w);
	warr(w, true, 0); /* forgotten_topics_data */
	wstr(w, true, "");
	wtags(w);
}

/* A Fetch v12 response for topic/part: the high watermark (also the last stable offset), no records. */
static void wfetch_resp(struct wb *w, int32_t corr, const char *topic, int32_t part, int error,
			int64_t hw)
{
	wresp(w, 1, 12);
	set_corr(w, 0, corr);
	w32(w, 0);  /* throttle_time_ms */
	w16(w, 0);  /* error_code */
	w32(w, 0);  /* session_id */
	warr(w, true, 1);
	wstr(w, true, topic);
	warr(w, true, 1);
	w32(w, part);
	w16(w, error);
	w64(w, hw);
	w64(w, hw); /* last_stable_offset */
	w64(w, 0);  /* log_start_offset */
	warr(w, true, -1); /* aborted_transactions: null */
	w32(w, -1); /* preferred_read_replica */
	wuv(w, 0);  /* records: null */
	wtags(w);
	wtags(w);
	wtags(w);
}

struct follow {
	struct app_kafka_conn *k;
	uint32_t seq[2];
	struct app_hints out;
};

/* One message of role, with its length prefix, in one segment; the hints it gives in f->out. */
static void feed_msg(struct follow *f, int role, const struct wb *w)
{
	static uint8_t seg[4 + sizeof(((struct wb *)0)->b)];

	seg[0] = (uint8_t)(w->n >> 24);
	seg[1] = (uint8_t)(w->n >> 16);
	seg[2] = (uint8_t)(w->n >> 8);
	seg[3] = (uint8_t)w->n;
	memcpy(seg + 4, w->b, w->n);
	f->out.bits = 0;
	app_kafka_conn_feed(f->k, role, f->seq[role], seg, w->n + 4, &f->out);
	f->seq[role] += (uint32_t)w->n + 4;
	assert_true(app_hints_has(&f->out, APP_HINT_KAFKA_0));
}

static void follow_begin(struct follow *f)
{
	memset(f, 0, sizeof(*f));
	f->k = app_kafka_conn_new();
	assert_non_null(f->k);
	f->seq[0] = 1000;
	f->seq[1] = 5000;
	app_kafka_conn_anchor(f->k, 0, f->seq[0]);
	app_kafka_conn_anchor(f->k, 1, f->seq[1]);
}

/* A Fetch request and its response: the response's explain numbers. */
static const struct app_kafka_hint *fetch(struct follow *f, int32_t corr, const char *topic,
					  int32_t part, int64_t from, int64_t hw)
{
	struct wb w;

	wfetch_req(&w, corr, "c", topic, part, from);
	feed_msg(f, 0, &w);
	wfetch_resp(&w, corr, topic, part, 0, hw);
	feed_msg(f, 1, &w);
	return &f->out.kafka_info[0];
}

/* The last high watermark, the lag and the movement: up, unchanged, down, and -1 (an error) ignored. */
static void test_kafka_facts_high_watermark(void **state)
{
	static struct follow f;
	const struct kafka_facts *facts;
	const struct app_kafka_hint *h;
	char text[KAFKA_FACTS_TEXT_MAX];
	struct wb w;

	(void)state;
	follow_begin(&f);
	h = fetch(&f, 1, "seed", 0, 0, 0);
	assert_true(h->response);
	assert_int_equal(h->api_key, KAFKA_FETCH);
	assert_int_equal(h->api_version, 12);
	assert_int_equal(h->correlation_id, 1);
	assert_string_equal(h->topic, "seed");
	assert_int_equal(h->offset, 0);
	assert_int_equal(h->fetch_offset, 0);
	assert_int_equal(h->prev, APP_KAFKA_PREV_FIRST);
	h = fetch(&f, 2, "seed", 0, 0, 17);
	assert_int_equal(h->prev, APP_KAFKA_PREV_KNOWN);
	assert_int_equal(h->prev_high_watermark, 0);
	assert_int_equal(h->offset, 17);
	assert_int_equal(h->fetch_offset, 0);
	assert_int_equal(h->last_stable, 17);
	h = fetch(&f, 3, "seed", 0, 17, 17);
	assert_int_equal(h->prev_high_watermark, 17);
	assert_int_equal(h->fetch_offset, 17);
	/* Down: a new leader whose log was truncated. The last one is kept, not the highest. */
	h = fetch(&f, 4, "seed", 0, 17, 5);
	assert_int_equal(h->prev_high_watermark, 17);
	assert_int_equal(h->offset, 5);
	/* An error with -1: the hint has it, the facts keep 5 */
	wfetch_req(&w, 5, "c", "seed", 0, 5);
	feed_msg(&f, 0, &w);
	wfetch_resp(&w, 5, "seed", 0, 6, -1);
	feed_msg(&f, 1, &w);
	h = &f.out.kafka_info[0];
	assert_int_equal(h->offset, -1);
	assert_int_equal(h->error, 6);
	facts = app_kafka_conn_facts(f.k);
	assert_int_equal(facts->n_partitions, 1);
	assert_int_equal(facts->partitions[0].high_watermark, 5);
	assert_int_equal(facts->partitions[0].fetches, 4);
	assert_int_equal(facts->requests[KAFKA_FETCH], 5);
	kafka_facts_format(facts, text, sizeof(text));
	assert_string_equal(text, "kafka client=c Fetch:5 seed/0 hw=5");
	/* Two requests in flight, answered in the other order: each response has its own request's offset */
	wfetch_req(&w, 10, "c", "seed", 0, 3);
	feed_msg(&f, 0, &w);
	wfetch_req(&w, 11, "c", "seed", 0, 4);
	feed_msg(&f, 0, &w);
	wfetch_resp(&w, 11, "seed", 0, 0, 9);
	feed_msg(&f, 1, &w);
	assert_int_equal(f.out.kafka_info[0].fetch_offset, 4);
	wfetch_resp(&w, 10, "seed", 0, 0, 9);
	feed_msg(&f, 1, &w);
	assert_int_equal(f.out.kafka_info[0].fetch_offset, 3);
	/* A response to a request for another partition: no offset asked for this one */
	wfetch_req(&w, 12, "c", "seed", 1, 4);
	feed_msg(&f, 0, &w);
	wfetch_resp(&w, 12, "seed", 0, 0, 9);
	feed_msg(&f, 1, &w);
	assert_int_equal(f.out.kafka_info[0].fetch_offset, -1);
	app_kafka_conn_free(f.k);
}

/* More topic-partitions than kept: the first KAFKA_FACTS_PARTITIONS, the rest counted. */
static void test_kafka_facts_bounds(void **state)
{
	static struct follow f;
	const struct kafka_facts *facts;
	const struct app_kafka_hint *h;
	char text[KAFKA_FACTS_TEXT_MAX];
	int i;

	(void)state;
	follow_begin(&f);
	for (i = 0; i < KAFKA_FACTS_PARTITIONS + 4; i++) {
		h = fetch(&f, i, "t", i, 0, 100 + i);
		assert_int_equal(h->prev, i < KAFKA_FACTS_PARTITIONS ? APP_KAFKA_PREV_FIRST
								       : APP_KAFKA_PREV_UNTRACKED);
	}
	/* Again: the kept ones know their previous value, the others still do not. */
	h = fetch(&f, 100, "t", 0, 0, 200);
	assert_int_equal(h->prev, APP_KAFKA_PREV_KNOWN);
	assert_int_equal(h->prev_high_watermark, 100);
	h = fetch(&f, 101, "t", KAFKA_FACTS_PARTITIONS, 0, 200);
	assert_int_equal(h->prev, APP_KAFKA_PREV_UNTRACKED);
	facts = app_kafka_conn_facts(f.k);
	assert_int_equal(facts->n_partitions, KAFKA_FACTS_PARTITIONS);
	assert_int_equal(facts->partitions_more, 5);
	assert_int_equal(facts->partitions[0].high_watermark, 200);
	assert_int_equal(facts->partitions[KAFKA_FACTS_PARTITIONS - 1].partition,
			 KAFKA_FACTS_PARTITIONS - 1);
	assert_int_equal(facts->requests[KAFKA_FETCH], KAFKA_FACTS_PARTITIONS + 6);
	kafka_facts_format(facts, text, sizeof(text));
	assert_non_null(strstr(text, " t/15 hw=115 +5 hw not kept"));
	/* A text cut to fit its buffer */
	assert_true(kafka_facts_format(facts, text, 20) == 19);
	assert_int_equal(strlen(text), 19);
	app_kafka_conn_free(f.k);
}

/* A client id longer than kept, a topic name longer than kept, and requests by API. */
static void test_kafka_facts_strings(void **state)
{
	static struct follow f;
	const struct kafka_facts *facts;
	char client[301], topic[300];
	char text[KAFKA_FACTS_TEXT_MAX];
	struct wb w;

	(void)state;
	memset(client, 'c', sizeof(client) - 1);
	client[sizeof(client) - 1] = '\0';
	memset(topic, 't', sizeof(topic) - 1); /* longer than Kafka allows: a lying peer */
	topic[sizeof(topic) - 1] = '\0';
	follow_begin(&f);
	facts = app_kafka_conn_facts(f.k);
	assert_false(kafka_facts_any(facts));
	wreq(&w, 18, 0, NULL); /* ApiVersions v0, a null client id: none kept yet */
	feed_msg(&f, 0, &w);
	assert_true(kafka_facts_any(facts));
	assert_string_equal(facts->client_id, "");
	wreq(&w, 18, 0, client);
	feed_msg(&f, 0, &w);
	assert_int_equal(strlen(facts->client_id), KAFKA_FACTS_CLIENT_MAX);
	assert_true(facts->client_id_cut);
	wreq(&w, 18, 0, "other"); /* the first client id stays */
	feed_msg(&f, 0, &w);
	assert_int_equal(facts->client_id[0], 'c');
	assert_int_equal(facts->requests[KAFKA_API_VERSIONS], 3);
	fetch(&f, 8, topic, 2, 0, 7);
	assert_int_equal(strlen(facts->partitions[0].topic), KAFKA_FACTS_TOPIC_MAX);
	assert_true(facts->partitions[0].topic_cut);
	assert_true(f.out.kafka_info[0].topic_cut);
	fetch(&f, 9, topic, 2, 7, 8); /* the same cut name finds its entry again */
	assert_int_equal(facts->n_partitions, 1);
	assert_int_equal(facts->partitions[0].high_watermark, 8);
	kafka_facts_format(facts, text, sizeof(text));
	assert_non_null(strstr(text, "kafka client=ccc"));
	assert_non_null(strstr(text, "c... Fetch:2 ApiVersions:3 ttt"));
	assert_non_null(strstr(text, "t.../2 hw=8"));
	assert_null(app_kafka_conn_facts(NULL));
	app_kafka_conn_free(f.k);
}

static void test_kafka_names(void **state)
{
	(void)state;
	assert_string_equal(kafka_api_name(0), "Produce");
	assert_string_equal(kafka_api_name(18), "ApiVersions");
	assert_string_equal(kafka_api_name(36), "SaslAuthenticate");
	assert_string_equal(kafka_api_name(75), "DescribeTopicPartitions");
	assert_string_equal(kafka_api_name(92), "DeleteShareGroupOffsets");
	assert_null(kafka_api_name(93));
	assert_null(kafka_api_name(-1));
	assert_true(kafka_api_valid(1, 0));
	assert_true(kafka_api_valid(1, 18));
	assert_false(kafka_api_valid(1, 19));
	assert_false(kafka_api_valid(1, -1));
	assert_true(kafka_api_valid(18, 8));
	assert_false(kafka_api_valid(18, 9));
	assert_false(kafka_api_valid(93, 0));
	assert_true(kafka_api_flexible(1, 12));
	assert_false(kafka_api_flexible(1, 11));
	assert_false(kafka_api_flexible(17, 1));
	assert_true(kafka_api_flexible(18, 3));
	assert_false(kafka_response_header_flexible(18, 3));
	assert_true(kafka_response_header_flexible(3, 9));
	assert_string_equal(kafka_error_name(-1), "UNKNOWN_SERVER_ERROR");
	assert_string_equal(kafka_error_name(0), "NONE");
	assert_string_equal(kafka_error_name(6), "NOT_LEADER_OR_FOLLOWER");
	assert_string_equal(kafka_error_name(35), "UNSUPPORTED_VERSION");
	assert_string_equal(kafka_error_name(129), "REBOOTSTRAP_REQUIRED");
	assert_null(kafka_error_name(130));
	assert_null(kafka_error_name(-2));
}

/* kafka_format never writes past n bytes, and says what it wrote; unknown keys and errors by number. */
static void test_kafka_format_bounds(void **state)
{
	struct kafka_msg m;
	char full[512], buf[512 + 8];
	size_t len, n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.response = true;
	m.api_key = 1;
	m.api_version = 11;
	m.body = KAFKA_BODY_OK;
	m.error = 200;
	m.n_items = 1;
	strcpy(m.items[0].name.s, "seed");
	m.items[0].partition = 0;
	m.items[0].offset = 17;
	m.items[0].records = 1;
	len = kafka_format(&m, full, sizeof(full));
	assert_string_equal(full, "kafka Fetch v11 response error 200 seed/0 high watermark 17 (1 record)");
	assert_int_equal(len, strlen(full));
	for (n = 0; n <= len + 1; n++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(kafka_format(&m, buf, n), n > 0 ? (n - 1 < len ? n - 1 : len) : 0);
		if (n > 0) {
			assert_int_equal(buf[n - 1 < len ? n - 1 : len], '\0');
			assert_memory_equal(buf, full, n - 1 < len ? n - 1 : len);
		}
		assert_int_equal(buf[n], n <= len ? 'Z' : buf[n]);
	}
	m.api_key = 93;
	m.body = KAFKA_BODY_SKIPPED;
	m.response = false;
	kafka_format(&m, full, sizeof(full));
	assert_string_equal(full, "kafka api 93 v11 request");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kafka_recorded, case_teardown),
		cmocka_unit_test_teardown(test_kafka_fetch_request_flexible, case_teardown),
		cmocka_unit_test_teardown(test_kafka_fetch_response_flexible, case_teardown),
		cmocka_unit_test_teardown(test_kafka_fetch_old, case_teardown),
		cmocka_unit_test_teardown(test_kafka_produce_layouts, case_teardown),
		cmocka_unit_test_teardown(test_kafka_metadata_layouts, case_teardown),
		cmocka_unit_test_teardown(test_kafka_list_offsets_layouts, case_teardown),
		cmocka_unit_test_teardown(test_kafka_offsets_layouts, case_teardown),
		cmocka_unit_test_teardown(test_kafka_group_layouts, case_teardown),
		cmocka_unit_test_teardown(test_kafka_other_layouts, case_teardown),
		cmocka_unit_test_teardown(test_kafka_cut, case_teardown),
		cmocka_unit_test_teardown(test_kafka_hostile, case_teardown),
		cmocka_unit_test_teardown(test_kafka_sniff, case_teardown),
		cmocka_unit_test(test_kafka_frame_inflight),
		cmocka_unit_test(test_kafka_facts_high_watermark),
		cmocka_unit_test(test_kafka_facts_bounds),
		cmocka_unit_test(test_kafka_facts_strings),
		cmocka_unit_test(test_kafka_names),
		cmocka_unit_test(test_kafka_format_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
