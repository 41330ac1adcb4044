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

/* Every sentence exists in every language, with only {1}..{4}, {s}, {r}. */
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
				assert_true(b[2] == '}' && strchr("1234sr", b[1]) != NULL);
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
		/* {s}/{r} may be repeated or left out; the numbers may not. */
		for (k = '1'; k <= '4'; k++)
			assert_int_equal(count_en[k] > 0, count_zh[k] > 0);
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
	memset(&h, 0, sizeof(h));
	memset(&ctx, 0, sizeof(ctx));
	ctx.valid = true;
	ctx.role = ROLE_SERVER;
	make_segment4(&p, addr4_2, 443, addr4_1, 40000, TCPF_ACK | TCPF_PSH, 100, 200, 0, 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_explain_tables_complete, case_teardown),
		cmocka_unit_test_teardown(test_explain_translations_keep_numbers, case_teardown),
		cmocka_unit_test(test_explain_lang_find),
		cmocka_unit_test(test_explain_escapes_packet_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
