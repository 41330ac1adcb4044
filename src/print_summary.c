/* print_summary.c - writes the per-connection summary table (--summary). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/print_json.h"
#include "tcpnote/print_summary.h"
#include "tcpnote/sbuf.h"

/* The labels worth a column: everything but the ordinary lifecycle steps. */
static void notable(const struct conn_summary *s, char *buf, size_t cap)
{
	static const enum label skip[] = {LABEL_HANDSHAKE_1, LABEL_HANDSHAKE_2, LABEL_HANDSHAKE_3,
					  LABEL_DATA,        LABEL_ACK,         LABEL_CLOSE_1,
					  LABEL_CLOSE_2,     LABEL_CLOSE_3,     LABEL_CLOSE_4,
					  LABEL_FIN_MERGED};
	size_t len = 0;
	unsigned i, j;

	buf[0] = '\0';
	for (i = 0; i < LABEL_COUNT; i++) {
		bool skipped = false;
		int n;

		for (j = 0; j < sizeof(skip) / sizeof(skip[0]); j++)
			skipped = skipped || skip[j] == (enum label)i;
		if (skipped || summary_label_count(s, (enum label)i) == 0)
			continue;
		n = snprintf(buf + len, cap - len, "%s%s %u", len ? ", " : "",
			     label_name((enum label)i), summary_label_count(s, (enum label)i));
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, cap, "-");
}

int summary_print(FILE *out, const struct flow_record *flows, size_t n)
{
	size_t i;

	fprintf(out, "\nconnections: %zu\n", n);
	if (n == 0)
		return ferror(out) ? -1 : 0;
	fprintf(out, "%4s  %-24s %-24s %10s %13s %17s %9s  %-6s %-10s %-12s %-24s %s\n", "#", "client",
		"server", "duration", "packets c/s", "bytes c/s", "rtt ms", "state", "history",
		"close", "notable", "app");
	for (i = 0; i < n; i++) {
		const struct conn_summary *s = &flows[i].sum;
		char cli[INET6_ADDRSTRLEN + 10], srv[INET6_ADDRSTRLEN + 10], pk[48], by[48], rtt[24];
		char history[HISTORY_MAX + 1], note[512], app[APP_SNI_MAX + APP_ALPN_MAX + APP_PATH_MAX + 64], app_safe[sizeof(app) * 4];
		struct sbuf as;
		double dur = (double)(s->last_ns - s->first_ns) / 1e9;

		json_endpoint(cli, sizeof(cli), &flows[i].ep, 0);
		json_endpoint(srv, sizeof(srv), &flows[i].ep, 1);
		snprintf(pk, sizeof(pk), "%u/%u", s->packets[0], s->packets[1]);
		snprintf(by, sizeof(by), "%llu/%llu", (unsigned long long)s->bytes[0],
			 (unsigned long long)s->bytes[1]);
		if (flows[i].handshake_rtt_ns > 0)
			snprintf(rtt, sizeof(rtt), "%.3f", (double)flows[i].handshake_rtt_ns / 1e6);
		else
			snprintf(rtt, sizeof(rtt), "-");
		notable(s, note, sizeof(note));
		summary_history(s, history);
		/* What the application said (TLS, HTTP), made safe for a terminal. */
		sbuf_init(&as, app_safe, sizeof(app_safe));
		if (flows[i].app != NULL && app_facts_format(flows[i].app, app, sizeof(app)) > 0)
			sbuf_put_safe(&as, app, sizeof(app));
		else
			sbuf_putc(&as, '-');
		fprintf(out, "%4llu  %-24s %-24s %9.3fs %13s %17s %9s  %-6s %-10s %-12s %-24s %s\n",
			(unsigned long long)s->id, cli, srv, dur, pk, by, rtt, summary_conn_state(s),
			history[0] ? history : "-", summary_close_kind(s), note, app_safe);
	}
	return ferror(out) ? -1 : 0;
}
