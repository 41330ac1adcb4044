/* test_names.c - unit tests of names.c: services names, one resolver lookup per address, numeric -n. */
#include <arpa/inet.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tcpnote/names.h"

/* Ports get the services database's first tcp name (netbase's /etc/services), or none. */
static void test_names_tcp_ports(void **state)
{
	struct names *n = names_new(false);

	(void)state;
	assert_non_null(n);
	assert_string_equal(names_tcp_port(n, 443), "https");
	assert_string_equal(names_tcp_port(n, 80), "http");
	assert_string_equal(names_tcp_port(n, 22), "ssh");
	/* 7070 has no name: tcpdump prints the number, and so does names_put_tcp_port. */
	assert_null(names_tcp_port(n, 7070));
	names_free(n);
}

static void test_names_put_tcp_port(void **state)
{
	struct names *n = names_new(false);
	char buf[64];
	struct sbuf s;

	(void)state;
	sbuf_init(&s, buf, sizeof(buf));
	names_put_tcp_port(n, &s, 443);
	sbuf_putc(&s, ' ');
	names_put_tcp_port(n, &s, 7070);
	sbuf_putc(&s, ' ');
	names_put_tcp_port(NULL, &s, 443); /* -n */
	assert_string_equal(buf, "https 7070 443");
	names_free(n);
}

/*
 * 127.0.0.1 is in every /etc/hosts (no DNS query leaves the machine): its
 * name is the resolver's, and it is asked once however often it is printed.
 */
static void test_names_host_looked_up_once(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct names *n = names_new(false);
	struct hostent *he = gethostbyaddr((const void *)lo, 4, AF_INET);
	const char *want = he != NULL ? he->h_name : "127.0.0.1";
	char expected[256];
	int i;

	(void)state;
	assert_non_null(n);
	strncpy(expected, want, sizeof(expected) - 1);
	expected[sizeof(expected) - 1] = '\0';
	assert_int_equal(names_lookups(n), 0);
	for (i = 0; i < 1000; i++)
		assert_string_equal(names_host4(n, lo), expected);
	assert_int_equal(names_lookups(n), 1);
	names_free(n);
}

/* Without a table (-n) addresses are numeric, exactly inet_ntop's text. */
static void test_names_numeric(void **state)
{
	static const uint8_t v4[4] = {192, 0, 2, 1};
	uint8_t v6[16];
	char buf[128];
	struct sbuf s;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", v6), 1);
	sbuf_init(&s, buf, sizeof(buf));
	names_put_host(NULL, &s, AF_INET, v4);
	sbuf_putc(&s, ' ');
	names_put_host(NULL, &s, AF_INET6, v6);
	assert_string_equal(buf, "192.0.2.1 2001:db8::1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_tcp_ports),
		cmocka_unit_test(test_names_put_tcp_port),
		cmocka_unit_test(test_names_host_looked_up_once),
		cmocka_unit_test(test_names_numeric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
