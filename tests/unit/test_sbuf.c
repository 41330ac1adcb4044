/* test_sbuf.c - the bounded line builder: cuts instead of overflowing, and escapes foreign text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/sbuf.h"

static void test_sbuf_cuts_at_capacity(void **state)
{
	char buf[8];
	char guard[4] = "ZZZ";
	struct sbuf s;

	(void)state;
	sbuf_init(&s, buf, sizeof(buf));
	sbuf_puts(&s, "abc");
	sbuf_printf(&s, "%d", 12345);
	assert_int_equal(s.len, 7);
	assert_string_equal(buf, "abc1234");
	assert_true(s.overflow);
	sbuf_putc(&s, 'x');
	assert_int_equal(s.len, 7);
	assert_string_equal(guard, "ZZZ");
}

static void test_sbuf_put_safe_escapes(void **state)
{
	char buf[128];
	struct sbuf s;

	(void)state;
	sbuf_init(&s, buf, sizeof(buf));
	/* ESC [ 2 J would clear a terminal; a bell, DEL, a high byte, a backslash. */
	sbuf_put_safe(&s, "e\x1b[2J\a\x7f\xc3z\\", 64);
	assert_string_equal(buf, "e\\x1b[2J\\x07\\x7f\\xc3z\\x5c");
	/* Plain names are unchanged, and max caps the length. */
	sbuf_init(&s, buf, sizeof(buf));
	sbuf_put_safe(&s, "eth0", 64);
	assert_string_equal(buf, "eth0");
	sbuf_init(&s, buf, sizeof(buf));
	sbuf_put_safe(&s, "abcdefgh", 3);
	assert_string_equal(buf, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbuf_cuts_at_capacity),
		cmocka_unit_test(test_sbuf_put_safe_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
