/* print_json.c - JSON Lines output: packet records and connection (flow) records. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/community_id.h"
#include "tcpnote/kafka_names.h"
#include "tcpnote/print_json.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/tcp_flags.h"
#include "tcpnote/tun_names.h"

/* Labels are fixed ASCII names, addresses come from inet_ntop: nothing needs escaping. */
static void json_labels(struct sbuf *s, const struct labels *l, const struct app_hints *h)
{
	unsigned i;
	bool first = true;
	uint32_t bits = h != NULL ? h->bits : 0;
	enum app_hint_kind k;
	char text[APP_HINT_TEXT_MAX];

	sbuf_putc(s, '[');
	for (i = 0; i < LABEL_COUNT; i++) {
		if (!labels_has(l, (enum label)i))
			continue;
		if (!first)
			sbuf_putc(s, ',');
		sbuf_putc(s, '"');
		sbuf_puts(s, label_name((enum label)i));
		if (i == LABEL_DUP_ACK) {
			sbuf_puts(s, " #");
			sbuf_put_uint(s, l->dup_ack, 0);
		}
		sbuf_putc(s, '"');
		first = false;
	}
	/* The application hints, as the text printer spells them. */
	while ((k = app_hints_next(&bits)) != APP_HINT_COUNT) {
		app_hint_format(h, k, text, sizeof(text));
		if (!first)
			sbuf_putc(s, ',');
		sbuf_putc(s, '"');
		sbuf_put_json(s, text, sizeof(text));
		sbuf_putc(s, '"');
		first = false;
	}
	sbuf_putc(s, ']');
}

static void json_addr(struct sbuf *s, uint8_t version, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	sbuf_putc(s, '"');
	if (version == 4) {
		sbuf_put_ipv4(s, a);
	} else {
		if (inet_ntop(AF_INET6, a, buf, sizeof(buf)) == NULL)
			strcpy(buf, "?");
		sbuf_puts(s, buf);
	}
	sbuf_putc(s, '"');
}

static void json_ts(struct sbuf *s, int64_t sec, uint32_t usec)
{
	if (sec < 0) {
		sbuf_printf(s, "%lld.%06u", (long long)sec, usec);
		return;
	}
	sbuf_put_uint(s, (uint64_t)sec, 0);
	sbuf_putc(s, '.');
	sbuf_put_uint(s, usec, 6);
}

/* ,"community_id":"1:..." (null when the packet has no addresses to hash) */
static void json_community_id(struct sbuf *s, const char *cid)
{
	if (cid == NULL) {
		sbuf_puts(s, ",\"community_id\":null");
		return;
	}
	sbuf_puts(s, ",\"community_id\":\"");
	sbuf_puts(s, cid);
	sbuf_putc(s, '"');
}

/* ,"name":value */
static void json_uint(struct sbuf *s, const char *name, uint64_t v)
{
	sbuf_puts(s, name);
	sbuf_put_uint(s, v, 0);
}

size_t json_packet(char *buf, size_t cap, uint64_t frame, const struct packet *p, uint64_t flow,
		   const struct labels *l, const struct app_hints *h)
{
	const struct tcp_info *t = &p->tcp;
	char cid[COMMUNITY_ID_LEN + 1];
	struct sbuf s;

	if (cap < 2)
		return 0;
	sbuf_init(&s, buf, cap);
	json_uint(&s, "{\"type\":\"packet\",\"frame\":", frame);
	sbuf_puts(&s, ",\"ts\":");
	json_ts(&s, p->ts_sec, p->ts_nano ? p->ts_frac / 1000 : p->ts_frac);
	json_uint(&s, ",\"flow\":", flow);
	sbuf_puts(&s, ",\"src\":");
	json_addr(&s, p->ip.head.version, p->ip.head.src);
	if (packet_has_tcp(p) || p->stop == STOP_TCP_TRUNC_HDR || p->stop == STOP_TCP_HLEN_SHORT)
		json_uint(&s, ",\"sport\":", t->sport);
	sbuf_puts(&s, ",\"dst\":");
	json_addr(&s, p->ip.head.version, p->ip.head.dst);
	if (packet_has_tcp(p) || p->stop == STOP_TCP_TRUNC_HDR || p->stop == STOP_TCP_HLEN_SHORT)
		json_uint(&s, ",\"dport\":", t->dport);
	json_community_id(&s, community_id_packet(p, flow, cid) ? cid : NULL);
	if (packet_has_tcp(p)) {
		sbuf_puts(&s, ",\"flags\":\"");
		sbuf_put_tcp_flags(&s, t->flags);
		json_uint(&s, "\",\"seq\":", t->seq);
		json_uint(&s, ",\"ack\":", t->ack);
		json_uint(&s, ",\"win\":", t->win);
		json_uint(&s, ",\"len\":", p->stop == STOP_NONE ? t->paylen : 0u);
	}
	if (p->stop != STOP_NONE)
		sbuf_puts(&s, ",\"truncated\":true");
	sbuf_puts(&s, ",\"labels\":");
	json_labels(&s, l, h);
	sbuf_putc(&s, '}');
	return sbuf_end_line(&s);
}

void json_endpoint(char *buf, size_t cap, const struct conn_endpoints *e, int role)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(e->version == 6 ? AF_INET6 : AF_INET, e->addr[role], a, sizeof(a)) == NULL)
		strcpy(a, "?");
	snprintf(buf, cap, e->version == 6 ? "[%s]:%u" : "%s:%u", a, e->port[role]);
}

/* A string member, escaped, when the text is not empty. */
static void json_str_member(struct sbuf *s, const char *name, const char *text, size_t max)
{
	if (text[0] == '\0')
		return;
	sbuf_puts(s, ",\"");
	sbuf_puts(s, name);
	sbuf_puts(s, "\":\"");
	sbuf_put_json(s, text, max);
	sbuf_putc(s, '"');
}

/* ,"name":"HEX" (raw bytes in lower-case hex; "" for none) */
static void json_hex_member(struct sbuf *s, const char *name, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	sbuf_puts(s, ",\"");
	sbuf_puts(s, name);
	sbuf_puts(s, "\":\"");
	for (i = 0; i < n; i++) {
		sbuf_putc(s, hex[b[i] >> 4]);
		sbuf_putc(s, hex[b[i] & 15]);
	}
	sbuf_putc(s, '"');
}

/* "name":"TEXT", escaped; the first member of an object has no comma before it. */
static void json_field(struct sbuf *s, const char *name, const char *text, size_t max, bool first)
{
	if (!first)
		sbuf_putc(s, ',');
	sbuf_putc(s, '"');
	sbuf_puts(s, name);
	sbuf_puts(s, "\":\"");
	sbuf_put_json(s, text, max);
	sbuf_putc(s, '"');
}

/* One certificate of "cert_chain": {"subject_cn":..,"issuer_cn":..,"san":[..],...}. */
static void json_cert(struct sbuf *s, const struct app_cert *c)
{
	size_t at = 0;
	unsigned i;

	sbuf_putc(s, '{');
	json_field(s, "subject_cn", c->subject_cn, sizeof(c->subject_cn), true);
	json_field(s, "issuer_cn", c->issuer_cn, sizeof(c->issuer_cn), false);
	sbuf_puts(s, ",\"san\":[");
	for (i = 0; i < c->san_count && at < sizeof(c->san); i++) {
		size_t n = strnlen(c->san + at, sizeof(c->san) - at);

		if (i > 0)
			sbuf_putc(s, ',');
		sbuf_putc(s, '"');
		sbuf_put_json(s, c->san + at, n);
		sbuf_putc(s, '"');
		at += n + 1;
	}
	sbuf_putc(s, ']');
	if (c->san_truncated)
		sbuf_puts(s, ",\"san_truncated\":true");
	json_field(s, "not_before", c->not_before, sizeof(c->not_before), false);
	json_field(s, "not_after", c->not_after, sizeof(c->not_after), false);
	json_field(s, "key", c->key, sizeof(c->key), false);
	json_hex_member(s, "sha256", c->sha256, sizeof(c->sha256));
	sbuf_putc(s, '}');
}

void json_app_facts(struct sbuf *s, const struct app_conn_facts *f,
		    const struct app_cert_chain *chain)
{
	char tmp[16];
	unsigned i;

	if (f == NULL)
		return;
	json_str_member(s, "sni", f->sni, sizeof(f->sni));
	json_str_member(s, "alpn", f->alpn, sizeof(f->alpn));
	json_str_member(s, "alpn_offered", f->alpn_offered, sizeof(f->alpn_offered));
	if (f->tls_version != 0) {
		json_str_member(s, "tls_version", app_tls_version_text(f->tls_version, tmp, sizeof(tmp)),
				sizeof(tmp));
		json_str_member(s, "cipher", app_tls_cipher_text(f->tls_cipher, tmp, sizeof(tmp)),
				64);
		json_hex_member(s, "session_id", f->session_id, f->session_id_len);
	}
	if (f->flags & APP_FACT_TLS) {
		sbuf_puts(s, (f->flags & APP_FACT_DECRYPTED) ? ",\"decrypted\":true" : ",\"decrypted\":false");
		sbuf_puts(s, (f->flags & APP_FACT_RESUMED) ? ",\"resumed\":true" : ",\"resumed\":false");
	}
	if (chain != NULL) {
		sbuf_puts(s, ",\"cert_chain\":[");
		for (i = 0; i < chain->n; i++) {
			if (i > 0)
				sbuf_putc(s, ',');
			json_cert(s, &chain->cert[i]);
		}
		sbuf_putc(s, ']');
	}
	if (f->http_method[0] != '\0') {
		char line[APP_METHOD_MAX + APP_PATH_MAX + 8];

		snprintf(line, sizeof(line), "%s %s%s", f->http_method, f->http_path,
			 (f->flags & APP_FACT_PATH_TRUNCATED) ? "..." : "");
		json_str_member(s, "http_request", line, sizeof(line));
	}
	if (f->http_status != 0)
		json_uint(s, ",\"http_status\":", f->http_status);
}

/*
 * ,"kafka":{"client_id":..,"apis":{"Fetch":9,..},"high_watermarks":[{"topic":..,
 * "partition":0,"high_watermark":17},..]}: APIs in key order, partitions as first seen.
 */
static void json_kafka_facts(struct sbuf *s, const struct kafka_facts *f)
{
	bool first = true;
	unsigned i;

	if (!kafka_facts_any(f))
		return;
	sbuf_puts(s, ",\"kafka\":{");
	if (f->client_id[0] != '\0') {
		json_field(s, "client_id", f->client_id, sizeof(f->client_id), true);
		if (f->client_id_cut)
			sbuf_puts(s, ",\"client_id_truncated\":true");
		sbuf_putc(s, ',');
	}
	sbuf_puts(s, "\"apis\":{");
	for (i = 0; i < KAFKA_FACTS_API_KEYS; i++) {
		const char *name = kafka_api_name((int16_t)i);

		if (f->requests[i] == 0)
			continue;
		if (name != NULL)
			sbuf_printf(s, "%s\"%s\":%u", first ? "" : ",", name, f->requests[i]);
		else
			sbuf_printf(s, "%s\"api %u\":%u", first ? "" : ",", i, f->requests[i]);
		first = false;
	}
	if (f->requests_other > 0)
		sbuf_printf(s, "%s\"other\":%u", first ? "" : ",", f->requests_other);
	sbuf_puts(s, "},\"high_watermarks\":[");
	for (i = 0; i < f->n_partitions; i++) {
		const struct kafka_facts_partition *p = &f->partitions[i];

		if (i > 0)
			sbuf_putc(s, ',');
		sbuf_putc(s, '{');
		json_field(s, "topic", p->topic, sizeof(p->topic), true);
		if (p->topic_cut)
			sbuf_puts(s, ",\"topic_truncated\":true");
		sbuf_printf(s, ",\"partition\":%d,\"high_watermark\":%lld,\"fetches\":%u}",
			    p->partition, (long long)p->high_watermark, p->fetches);
	}
	sbuf_putc(s, ']');
	if (f->partitions_more > 0)
		json_uint(s, ",\"high_watermarks_not_kept\":", f->partitions_more);
	sbuf_putc(s, '}');
}

/* ,"tunnel":"vxlan vni 1": the innermost tunnel layer of the connection, when it has one. */
static void json_tunnel(struct sbuf *s, const struct flow_key *k)
{
	if (tun_name(k->tun_kind) == NULL)
		return;
	sbuf_puts(s, ",\"tunnel\":\"");
	tun_put_name(s, k->tun_kind, k->tun_id);
	sbuf_putc(s, '"');
}

size_t json_flow(char *buf, size_t cap, const struct conn *c, const struct flow_key *k)
{
	const struct conn_summary *sum = &c->sum;
	char history[HISTORY_MAX + 1];
	struct conn_endpoints eps;
	char ep[INET6_ADDRSTRLEN + 10];
	char cid[COMMUNITY_ID_LEN + 1];
	struct sbuf s;
	unsigned i;
	bool first = true;

	if (cap < 2)
		return 0;
	sbuf_init(&s, buf, cap);
	/* Without printf: a flow record per connection is a fifth of the tracking thread's --json time. */
	sbuf_puts(&s, "{\"type\":\"flow\",\"flow\":");
	sbuf_put_uint(&s, sum->id, 0);
	summary_endpoints(k, c->client_is_lo, &eps);
	json_endpoint(ep, sizeof(ep), &eps, 0);
	sbuf_puts(&s, ",\"client\":\"");
	sbuf_puts(&s, ep);
	json_endpoint(ep, sizeof(ep), &eps, 1);
	sbuf_puts(&s, "\",\"server\":\"");
	sbuf_puts(&s, ep);
	sbuf_putc(&s, '"');
	json_tunnel(&s, k);
	/* The inner 5-tuple's, inside a tunnel, as Zeek and Suricata key tunnelled connections. */
	community_id_flow(k, cid);
	json_community_id(&s, cid);
	sbuf_puts(&s, ",\"first_ts\":");
	json_ts(&s, sum->first_ns / 1000000000, (uint32_t)(sum->first_ns % 1000000000 / 1000));
	sbuf_puts(&s, ",\"last_ts\":");
	json_ts(&s, summary_last_ns(sum) / 1000000000,
		(uint32_t)(summary_last_ns(sum) % 1000000000 / 1000));
	sbuf_puts(&s, ",\"packets\":[");
	sbuf_put_uint(&s, summary_packets(sum, 0), 0);
	sbuf_putc(&s, ',');
	sbuf_put_uint(&s, summary_packets(sum, 1), 0);
	sbuf_puts(&s, "],\"bytes\":[");
	sbuf_put_uint(&s, summary_bytes(sum, 0), 0);
	sbuf_putc(&s, ',');
	sbuf_put_uint(&s, summary_bytes(sum, 1), 0);
	sbuf_puts(&s, "],\"handshake_rtt_ms\":");
	if (conn_rtt_us(c) > 0) { /* microseconds as milliseconds with 3 decimals: exact */
		sbuf_put_uint(&s, (uint64_t)conn_rtt_us(c) / 1000, 0);
		sbuf_putc(&s, '.');
		sbuf_put_uint(&s, (uint64_t)conn_rtt_us(c) % 1000, 3);
	} else
		sbuf_puts(&s, "null");
	summary_history(sum, history);
	sbuf_puts(&s, ",\"state\":\"");
	sbuf_puts(&s, summary_conn_state(sum));
	sbuf_puts(&s, "\",\"history\":\"");
	sbuf_puts(&s, history);
	sbuf_puts(&s, "\",\"close\":\"");
	sbuf_puts(&s, summary_close_kind(sum));
	sbuf_puts(&s, "\",\"labels\":{");
	for (i = 0; i < LABEL_COUNT; i++) {
		uint32_t n = summary_label_count(sum, (enum label)i);

		if (n == 0)
			continue;
		sbuf_puts(&s, first ? "\"" : ",\"");
		sbuf_puts(&s, label_name((enum label)i));
		sbuf_puts(&s, "\":");
		sbuf_put_uint(&s, n, 0);
		first = false;
	}
	sbuf_putc(&s, '}');
	json_app_facts(&s, app_track_facts(c->app), app_track_chain(c->app));
	json_kafka_facts(&s, app_kafka_conn_facts(app_track_kafka(c->app)));
	sbuf_putc(&s, '}');
	return sbuf_end_line(&s);
}

size_t json_late(char *buf, size_t cap, const struct app_late *l, int64_t at_sec, uint32_t at_usec)
{
	const struct app_origin *o = &l->from;
	struct labels none = {0, 0};
	struct sbuf s;

	if (cap < 2)
		return 0;
	sbuf_init(&s, buf, cap);
	json_uint(&s, "{\"type\":\"late\",\"frame\":", o->frame);
	sbuf_puts(&s, ",\"ts\":");
	json_ts(&s, o->ts_sec, o->ts_nano ? o->ts_frac / 1000 : o->ts_frac);
	json_uint(&s, ",\"flow\":", o->flow);
	sbuf_puts(&s, ",\"src\":");
	json_addr(&s, o->ip_version, o->src);
	json_uint(&s, ",\"sport\":", o->sport);
	sbuf_puts(&s, ",\"dst\":");
	json_addr(&s, o->ip_version, o->dst);
	json_uint(&s, ",\"dport\":", o->dport);
	sbuf_puts(&s, ",\"at\":");
	json_ts(&s, at_sec, at_usec);
	sbuf_puts(&s, ",\"labels\":");
	json_labels(&s, &none, &l->hints);
	sbuf_putc(&s, '}');
	return sbuf_end_line(&s);
}
