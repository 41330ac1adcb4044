/* print_summary.h - the --summary table: one row per connection. */
#ifndef TCPNOTE_PRINT_SUMMARY_H
#define TCPNOTE_PRINT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/conn_summary.h"

/* One finished (or still open) connection, as the summary and --expect see it. */
struct flow_record {
	struct conn_summary sum;
	struct conn_endpoints ep;
	int64_t handshake_rtt_ns; /* 0: unknown */
	struct app_conn_facts *app; /* TLS/HTTP facts, or NULL (owned by whoever made the record) */
	char *kafka;                /* Kafka facts as kafka_facts_format writes them, or NULL (owned likewise) */
};

/* Write the table for n connections, in the order given. Returns 0, or -1 on a write error. */
int summary_print(FILE *out, const struct flow_record *flows, size_t n);

#endif
