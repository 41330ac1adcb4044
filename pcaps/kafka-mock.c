/* kafka-mock.c - a one-broker Kafka cluster on 127.0.0.1 (librdkafka's mock), for pcaps/record-kafka.sh. */
/*
 * Debian has no Kafka broker, but librdkafka ships a mock cluster that speaks
 * the broker side of the protocol (rdkafka_mock.h). This starter runs one for
 * as long as its standard input stays open, so the clients (kcat) of several
 * scenarios talk to the same broker and see its offsets grow.
 *
 * Usage: kafka-mock [TOPIC:PARTITIONS | TOPIC! | API=MIN:MAX]...
 *   TOPIC:PARTITIONS  create the topic before any client connects (so a
 *                     consumer can fetch from it while it is still empty)
 *   TOPIC!            answer Metadata for TOPIC with UNKNOWN_TOPIC_OR_PARTITION
 *                     (the mock would otherwise create any topic asked for)
 *   API=MIN:MAX       advertise only versions MIN..MAX of API key API in the
 *                     ApiVersions response, so the clients fall back to older
 *                     request layouts
 *
 * The mock binds an ephemeral port on 127.0.0.1 (librdkafka 2.0 has no way to
 * choose it): the first line on standard output is the bootstrap string,
 * "127.0.0.1:PORT", which the recording script reads to filter its capture.
 * Built and run only by the recording script; not part of tcpnote.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static int setup(rd_kafka_mock_cluster_t *mc, const char *arg)
{
	const char *eq = strchr(arg, '='), *colon = strrchr(arg, ':');
	size_t n = strlen(arg);
	char topic[256];
	int lo, hi, key;

	if (n > 1 && arg[n - 1] == '!' && n - 1 < sizeof(topic)) {
		memcpy(topic, arg, n - 1);
		topic[n - 1] = '\0';
		rd_kafka_mock_topic_set_error(mc, topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
		return 0;
	}

	if (eq != NULL && sscanf(arg, "%d=%d:%d", &key, &lo, &hi) == 3)
		return rd_kafka_mock_set_apiversion(mc, (int16_t)key, (int16_t)lo, (int16_t)hi) ==
			       RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
	if (eq == NULL && colon != NULL && (size_t)(colon - arg) < sizeof(topic) &&
	    colon > arg) {
		memcpy(topic, arg, (size_t)(colon - arg));
		topic[colon - arg] = '\0';
		return rd_kafka_mock_topic_create(mc, topic, atoi(colon + 1), 1) ==
			       RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
	}
	return -1;
}

int main(int argc, char **argv)
{
	char errstr[512], buf[64];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_t *rk;
	int i;

	/* Quiet: this handle has no bootstrap.servers, which librdkafka would warn about. */
	rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));

	/* The mock needs an rd_kafka_t for its own bookkeeping; this one never connects. */
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (rk == NULL) {
		fprintf(stderr, "kafka-mock: %s\n", errstr);
		return 1;
	}
	mc = rd_kafka_mock_cluster_new(rk, 1);
	if (mc == NULL) {
		fprintf(stderr, "kafka-mock: cannot create the mock cluster\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (setup(mc, argv[i]) != 0) {
			fprintf(stderr, "kafka-mock: bad argument: %s\n", argv[i]);
			return 2;
		}
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	/* Serve until the script closes our standard input (or kills us). */
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
