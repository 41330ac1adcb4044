/* test_cells.c - text width in terminal cells and line breaking for the ladder's labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/cells.h"

static size_t width(const char *s)
{
	return cells_width(s, strlen(s));
}

static void test_cells_width(void **state)
{
	(void)state;
	assert_int_equal(width("handshake 1/3"), 13);
	/* The ladder's strokes: three bytes each, one cell each. */
	assert_int_equal(width("\u2502\u2500\u25b6\u25c0\u22ee\u00d7\u2192\u2190\u2026"), 9);
	assert_int_equal(width("caf\u00e9"), 4);       /* precomposed */
	assert_int_equal(width("cafe\u0301"), 4);      /* e and a combining acute */
	assert_int_equal(width("\u4e2d\u6587x"), 5);   /* CJK: two cells each */
	assert_int_equal(width("\U0001f642"), 2);      /* an emoji */
	assert_int_equal(width("a\u200bb"), 2);        /* zero width space */
	assert_int_equal(width("\x1b"), 0);            /* a control byte moves nothing */
	assert_int_equal(width("\xff\xfe"), 2);        /* not UTF-8: a replacement mark each */
	assert_int_equal(width("\xe2\x94"), 2);        /* a cut sequence: each byte one */
	assert_int_equal(width("\xc0\xaf"), 2);        /* overlong '/', refused */
	assert_int_equal(width("\xed\xa0\x80"), 3);    /* a surrogate, refused */
	assert_int_equal(cells_width("abcdef", 3), 3); /* only n bytes */
	assert_int_equal(cells_width("\u2502", 2), 2); /* a sequence cut by n */
}

static void test_cells_fit(void **state)
{
	(void)state;
	assert_int_equal(cells_fit("abc", 3, 10), 3);
	assert_int_equal(cells_fit("abcdef", 6, 4), 4);
	assert_int_equal(cells_fit("\u2502\u2500\u25b6", 9, 2), 6);
	/* A wide character that would pass the width is left out whole. */
	assert_int_equal(cells_fit("\u4e2d\u6587x", 7, 3), 3);
	/* A combining mark stays with the character it marks. */
	assert_int_equal(cells_fit("ae\u0301b", 5, 2), 4);
	assert_int_equal(cells_fit("abc", 3, 0), 0);
}

/* The first line of s broken at cols: its text and where the next one starts. */
static void expect_break(const char *s, size_t cols, const char *line, size_t next)
{
	size_t got_next, len = cells_break(s, strlen(s), cols, &got_next);

	assert_int_equal(len, strlen(line));
	assert_memory_equal(s, line, len);
	assert_int_equal(got_next, next);
}

static void test_cells_break(void **state)
{
	(void)state;
	/* What fits is one line. */
	expect_break("ack", 10, "ack", 3);
	expect_break("handshake 2/3, retransmission", 29, "handshake 2/3, retransmission", 29);
	/* Between labels, the comma kept, the space dropped; the last ", " that fits. */
	expect_break("handshake 2/3, retransmission", 20, "handshake 2/3,", 15);
	expect_break("close 1/4, ack, previous segment", 20, "close 1/4, ack,", 16);
	/* A label wider than the line is broken at a space of its own... */
	expect_break("previous segment not captured", 12, "previous", 9);
	/* ...and starts beside the label before it rather than leave that line short. */
	expect_break("data, tls client hello sni=tcpnote.test alpn=h2", 30,
	             "data, tls client hello", 23);
	/* ...unless it has no space to break at before the width. */
	expect_break("data, tls_client_hello_sni=tcpnote.test", 20, "data,", 6);
	/* A word wider than the line is cut between characters, not inside an escape. */
	expect_break("sni=evil\\x1b]0;title", 10, "sni=evil", 8);
	expect_break("sni=evil\\x1b]0;title", 12, "sni=evil\\x1b", 12);
	expect_break("\\x5c\\x5c\\x5c", 6, "\\x5c", 4);
	expect_break("\u4e2d\u6587\u4e2d\u6587", 5, "\u4e2d\u6587", 6);
	/* Always a character, or an escape, even when none fits: a caller's loop ends. */
	expect_break("abc", 0, "a", 1);
	expect_break("\\x1b\\x07", 2, "\\x1b", 4);
	expect_break("\u4e2dx", 1, "\u4e2d", 3);
}

/*
 * Broken at every width, a long line of notes comes back whole: the lines
 * and the separators dropped between them (one space, or none) are the text,
 * and no line is wider than the width.
 */
static void test_cells_break_loses_nothing(void **state)
{
	static const char notes[] =
	    "data, tls server hello TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "
	    "http request GET /\\x1b[2J\\x1b]0;owned\\x07\"quote\"\\x5cback\\xff\\xfe, "
	    "caf\u00e9 \u4e2d\u6587\u4e2d\u6587\u4e2d\u6587, previous segment not captured";
	size_t n = strlen(notes), cols;

	(void)state;
	for (cols = 4; cols <= 120; cols++) {
		char back[sizeof(notes)];
		size_t off = 0, blen = 0, lines = 0;

		while (off < n) {
			size_t next, len = cells_break(notes + off, n - off, cols, &next);

			assert_true(len > 0 && next >= len && next - len <= 1);
			assert_true(cells_width(notes + off, len) <= cols);
			assert_true(next == len || notes[off + len] == ' ');
			memcpy(back + blen, notes + off, next);
			blen += next;
			off += next;
			lines++;
		}
		assert_int_equal(blen, n);
		assert_memory_equal(back, notes, n);
		assert_true(cols < width(notes) ? lines > 1 : lines == 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cells_width),
	    cmocka_unit_test(test_cells_fit),
	    cmocka_unit_test(test_cells_break),
	    cmocka_unit_test(test_cells_break_loses_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
