/* test_explain.c - the --explain sentence tables: complete in every language, same placeholders, safe output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/explain.h"
#include "tcpnote/tls_keylog.h"

static const struct explain_lang *const langs[] = {&explain_en, &explain_zh};

/* The placeholders of a template, in order, as a string: "{1}{s}{2}" -> "1s2". */
static void placeholders(const char *t, char *out, size_t n)
{
	size_t k = 0;

	for (; *t != '\0'; t++)
		if (t[0] == '{' && t[1] != '\0' && t[2] == '}' && k + 1 < n)
			out[k++] = t[1];
	out[k] = '\0';
}

/* Every sentence exists in every language, with only {1}..{4}, {s}, {r}, {c}. */
static void test_explain_tables_complete(void **state)
{
	size_t i, s;

	(void)state;
	for (i = 0; i < N_OF(langs); i++) {
		assert_non_null(langs[i]->role[0]);
		assert_non_null(langs[i]->role[1]);
		for (s = 0; s < EX_COUNT; s++) {
			const char *t = langs[i]->sentence[s], *b;

			case_begin("language %s, sentence %zu", langs[i]->code, s);
			assert_non_null(t);
			assert_true(strlen(t) > 10);
			for (b = strchr(t, '{'); b != NULL; b = strchr(b + 1, '{'))
				assert_true(b[2] == '}' && strchr("1234src", b[1]) != NULL);
		}
	}
	case_end();
}

/* A translation keeps every number: the same placeholders (the order may differ). */
static void test_explain_translations_keep_numbers(void **state)
{
	size_t s;

	(void)state;
	for (s = 0; s < EX_COUNT; s++) {
		char en[16], zh[16];
		int count_en[256] = {0}, count_zh[256] = {0};
		size_t k;

		case_begin("sentence %zu", s);
		placeholders(explain_en.sentence[s], en, sizeof(en));
		placeholders(explain_zh.sentence[s], zh, sizeof(zh));
		for (k = 0; en[k]; k++)
			count_en[(unsigned char)en[k]]++;
		for (k = 0; zh[k]; k++)
			count_zh[(unsigned char)zh[k]]++;
		/* {s}/{r} may be repeated or left out; the numbers and the chain may not. */
		for (k = '1'; k <= '4'; k++)
			assert_int_equal(count_en[k] > 0, count_zh[k] > 0);
		assert_int_equal(count_en['c'] > 0, count_zh['c'] > 0);
	}
	case_end();
}

static void test_explain_lang_find(void **state)
{
	(void)state;
	assert_ptr_equal(explain_lang_find("en"), &explain_en);
	assert_ptr_equal(explain_lang_find("zh"), &explain_zh);
	assert_null(explain_lang_find("fr"));
	assert_null(explain_lang_find(""));
}

/* A server's segment of a connection, no hints yet. */
static void server_segment(struct packet *p, struct app_hints *h, struct seg_context *ctx)
{
	memset(h, 0, sizeof(*h));
	memset(ctx, 0, sizeof(*ctx));
	ctx->valid = true;
	ctx->role = ROLE_SERVER;
	make_segment4(p, addr4_2, 443, addr4_1, 40000, TCPF_ACK | TCPF_PSH, 100, 200, 0, 0);
}

/* Names from the packet reach the line escaped; the template's own UTF-8 does not. */
static void test_explain_escapes_packet_text(void **state)
{
	struct packet p;
	struct labels l = {0, 0};
	struct app_hints h;
	struct seg_context ctx;
	struct sbuf s;
	char buf[2048];
	bool told = false;

	(void)state;
	server_segment(&p, &h, &ctx);
	h.bits = 1u << APP_HINT_CERTIFICATE;
	strcpy(h.cn, "evil\x1b[2J\x07");
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_zh, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_non_null(strstr(buf, "    # tls certificate: 服务器"));
	assert_non_null(strstr(buf, "evil\\x1b[2J\\x07"));
	assert_null(strchr(buf, '\x1b'));
	/* No connection: nothing said. */
	ctx.valid = false;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_en, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_int_equal(s.len, 0);
}

/* close_notify is the end of TLS, said as such; any other alert is a problem, by its names. */
static void test_explain_alerts(void **state)
{
	struct packet p;
	struct labels l = {0, 0};
	struct app_hints h;
	struct seg_context ctx;
	struct sbuf s;
	char buf[2048];
	bool told = false;

	(void)state;
	server_segment(&p, &h, &ctx);
	h.bits = 1u << APP_HINT_ALERT;
	h.alert_level = 1;
	h.alert_desc = 0;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_en, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_non_null(strstr(buf, "# tls alert: the server closes TLS (close_notify, no error)"));
	h.alert_level = 2;
	h.alert_desc = 48;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_en, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_non_null(strstr(buf, "reports a TLS problem: fatal alert unknown_ca."));
	h.alert_encrypted = true;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_zh, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_non_null(strstr(buf, "加密的告警"));
}

/* A certificate hint's chain ({c}) and the key-log label a decrypted hint was read with. */
static void test_explain_chain_and_keys(void **state)
{
	struct packet p;
	struct labels l = {0, 0};
	struct app_hints h;
	struct seg_context ctx;
	struct sbuf s;
	struct app_cert_chain *c = calloc(1, sizeof(*c) + 2 * sizeof(c->cert[0]));
	char buf[4096];
	bool told = false;

	(void)state;
	assert_non_null(c);
	server_segment(&p, &h, &ctx);
	c->sent = c->n = 2;
	strcpy(c->cert[0].subject_cn, "leaf.test");
	strcpy(c->cert[0].issuer_cn, "Inter CA");
	strcpy(c->cert[1].subject_cn, "Inter CA");
	strcpy(c->cert[1].issuer_cn, "Root \x1b CA");
	h.bits = 1u << APP_HINT_DEC_CERTIFICATE | 1u << APP_HINT_FINISHED;
	h.decrypted_bits = h.bits;
	h.chain = 2;
	strcpy(h.cn, "leaf.test");
	h.certs = c;
	h.keys[APP_HINT_DEC_CERTIFICATE].label = TLS_KL_SERVER_HS;
	h.keys[APP_HINT_FINISHED].label = TLS_KL_SERVER_AP0;
	h.keys[APP_HINT_FINISHED].updates = 3;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_en, &p, NULL, &l, &h, &ctx, 0, &told);
	/* The root was not sent: named from the last certificate's issuer, escaped. */
	assert_non_null(strstr(buf, "leaf first: leaf.test \xe2\x86\x90 Inter CA \xe2\x86\x90 Root \\x1b CA."));
	assert_non_null(strstr(buf, "key log's SERVER_HANDSHAKE_TRAFFIC_SECRET line.\n"));
	assert_non_null(strstr(buf, "key log's SERVER_TRAFFIC_SECRET_0 line, as updated by KeyUpdate (3 so far).\n"));
	/* More certificates sent than kept: the chain ends in "...". A self-signed one stands alone. */
	c->sent = 9;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_en, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_non_null(strstr(buf, "Inter CA \xe2\x86\x90 ...."));
	c->sent = c->n = 1;
	strcpy(c->cert[0].issuer_cn, "leaf.test");
	h.chain = 1;
	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, &explain_zh, &p, NULL, &l, &h, &ctx, 0, &told);
	assert_non_null(strstr(buf, "（leaf.test）"));
	assert_null(strstr(buf, "\xe2\x86\x90"));
	free(c);
}

/* A Kafka Fetch response's numbers, as the follower fills them in (app_kafka_conn.c). */
static struct app_kafka_hint *kafka_fetch_response(struct app_hints *h, int slot)
{
	struct app_kafka_hint *k = &h->kafka_info[slot];

	h->bits |= 1u << (APP_HINT_KAFKA_0 + slot);
	strcpy(h->kafka[slot], "kafka text explain must not read: 999");
	memset(k, 0, sizeof(*k));
	k->api_key = 1;
	k->api_version = 11;
	k->correlation_id = 10;
	k->response = true;
	k->has_partition = true;
	strcpy(k->topic, "seed\x1b");
	k->partition = 0;
	k->partitions = 1;
	k->offset = 17;
	k->fetch_offset = 0;
	k->prev = APP_KAFKA_PREV_KNOWN;
	k->prev_high_watermark = 0;
	k->last_stable = 17;
	k->log_start = 0;
	k->records = 17;
	return k;
}

/* What explain_packet says of the packet, without labels (valid until the next call). */
static const char *explained(const struct explain_lang *lang, const struct packet *p,
			     const struct app_hints *h, const struct seg_context *ctx)
{
	static char buf[8192];
	struct labels l = {0, 0};
	struct sbuf s;
	bool told = false;

	sbuf_init(&s, buf, sizeof(buf));
	explain_packet(&s, lang, p, NULL, &l, h, ctx, 0, &told);
	return buf;
}

/* Kafka: from struct app_kafka_hint alone (never the hint text); each added sentence when it applies. */
static void test_explain_kafka(void **state)
{
	struct packet p;
	struct app_hints h;
	struct seg_context ctx;
	struct app_kafka_hint *k;
	const char *buf;

	(void)state;
	server_segment(&p, &h, &ctx);
	k = kafka_fetch_response(&h, 0);
	buf = explained(&explain_en, &p, &h, &ctx);
	assert_null(strstr(buf, "999"));
	assert_non_null(strstr(buf, "    # kafka Fetch response: for seed\\x1b/0 the high watermark is 17: "));
	assert_non_null(strstr(buf, " It carries 17 records. The client asked from offset 0: it was 17 records behind"));
	assert_non_null(strstr(buf, " moved 0 -> 17. Last stable offset 17 "));
	assert_non_null(strstr(buf, "log start offset 0 (the oldest offset still kept).\n"));
	/* Behind the high watermark's past, too many partitions to know the last one, no log start */
	k->fetch_offset = 100;
	k->prev = APP_KAFKA_PREV_UNTRACKED;
	k->log_start = -1;
	k->topic_cut = true;
	k->error = 1;
	buf = explained(&explain_en, &p, &h, &ctx);
	assert_non_null(strstr(buf, "for seed\\x1b.../0 "));
	assert_non_null(strstr(buf, "It reports OFFSET_OUT_OF_RANGE: "));
	assert_non_null(strstr(buf, "from offset 100, past the high watermark"));
	assert_null(strstr(buf, "previous Fetch response"));
	assert_null(strstr(buf, "first Fetch response"));
	assert_non_null(strstr(buf, "stops there).\n"));
	/* No high watermark (-1, with an error): no lag nor movement; an error without a sentence by name */
	k->offset = -1;
	k->error = 70;
	k->prev = APP_KAFKA_PREV_FIRST;
	buf = explained(&explain_zh, &p, &h, &ctx);
	assert_non_null(strstr(buf, "broker 没有给出 seed\\x1b.../0 的高水位"));
	assert_non_null(strstr(buf, "它报告错误 FETCH_SESSION_ID_NOT_FOUND。"));
	assert_null(strstr(buf, "滞后"));
	assert_null(strstr(buf, "第一个 Fetch 应答"));
	/* A request of an API without a name, and a second message in the same segment */
	k = kafka_fetch_response(&h, 1);
	k->response = false;
	k->has_partition = false;
	k->api_key = 99;
	k->api_version = 2;
	k->correlation_id = 5;
	buf = explained(&explain_en, &p, &h, &ctx);
	assert_non_null(strstr(buf, "\n    # kafka api 99 request: the client sends the broker a request, api 99 v2, "
				  "with correlation id 5: the answer will carry the same id.\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_explain_tables_complete, case_teardown),
		cmocka_unit_test_teardown(test_explain_translations_keep_numbers, case_teardown),
		cmocka_unit_test(test_explain_lang_find),
		cmocka_unit_test(test_explain_escapes_packet_text),
		cmocka_unit_test(test_explain_chain_and_keys),
		cmocka_unit_test(test_explain_alerts),
		cmocka_unit_test(test_explain_kafka),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
