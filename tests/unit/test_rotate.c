/* test_rotate.c - the -w file split as tcpdump -C, -G, -W and -z split it: names, files, errors. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tcpnote/rotate.h"

/*
 * Every packet here has 100 captured bytes: a 116-byte record after the
 * 24-byte file header. A file of k packets is 24 + 116 k bytes; with a
 * limit of 1000 bytes the 9th packet takes it past (1068), so each file
 * holds 9 packets and the 10th starts the next.
 */
#define CAPLEN 100
#define T0 1764000000 /* 2025-11-24 16:00:00 UTC */

static char dir[] = "/tmp/test_rotate.XXXXXX";
static time_t fake_now;

static time_t fake_clock(void)
{
	return fake_now;
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* Packet i: timestamp T0 + i seconds, so a file's packets can be named by their index. */
static enum rotate_rc write_packet(struct rotate *r, int i)
{
	static unsigned char bytes[CAPLEN];
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = T0 + i;
	h.caplen = CAPLEN;
	h.len = CAPLEN;
	memset(bytes, i, sizeof(bytes));
	return rotate_write(r, &h, bytes);
}

static struct rotate *open_rotate(pcap_t *p, const char *name, const struct rotate_opts *o,
				  const char *input)
{
	char path[256], err[512] = "";
	struct rotate *r = NULL;

	path_of(path, sizeof(path), name);
	assert_int_equal(rotate_open(&r, p, path, o, &input, 1, false, err, sizeof(err)), 0);
	return r;
}

/* Save packets first..last-1 through r, each saved; then close without an error. */
static void save_all(struct rotate *r, int first, int last)
{
	char err[512] = "";
	int i;

	for (i = first; i < last; i++)
		assert_int_equal(write_packet(r, i), ROTATE_OK);
	assert_true(rotate_close(r, err, sizeof(err)));
}

/* The file NAME holds packets first..last-1, whole, in order. */
static void assert_holds(const char *name, int first, int last)
{
	char path[256], ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *bytes;
	pcap_t *p;
	int i = first, rc;

	path_of(path, sizeof(path), name);
	p = pcap_open_offline(path, ebuf);
	if (p == NULL)
		fail_msg("%s: %s", path, ebuf);
	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		assert_int_equal(h->ts.tv_sec, T0 + i);
		assert_int_equal(h->caplen, CAPLEN);
		i++;
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK); /* the end of the file, not a cut record */
	assert_int_equal(i, last);
	pcap_close(p);
}

/* The folder holds exactly the n files named (and the files the test itself put there, keep). */
static void assert_files(const char *const *names, size_t n, const char *keep)
{
	char cmd[512], list[1024] = "", want[1024] = "";
	FILE *f;
	size_t i, got;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -v -x -e '%s' | tr '\\n' ' '", dir,
		 keep != NULL ? keep : "");
	f = popen(cmd, "r");
	assert_non_null(f);
	got = fread(list, 1, sizeof(list) - 1, f);
	list[got] = '\0';
	pclose(f);
	for (i = 0; i < n; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s ", names[i]);
	assert_string_equal(list, want);
}

static void empty_dir(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -f %s/*", dir);
	assert_int_equal(system(cmd), 0);
}

/* -C alone: file, file1, file2, ...; each ends with the packet that took it past the size. */
static void test_size_names_grow(void **state)
{
	static const char *const names[] = {"w", "w1", "w2", "w3"};
	struct rotate_opts o = {1000, 0, 0, NULL, NULL};
	pcap_t *p = *state;

	save_all(open_rotate(p, "w", &o, NULL), 0, 30);
	assert_files(names, 4, NULL);
	assert_holds("w", 0, 9);
	assert_holds("w1", 9, 18);
	assert_holds("w2", 18, 27);
	assert_holds("w3", 27, 30);
	empty_dir();
}

/* -C with -W 3: w0, w1, w2, then w0 again: a ring of the last three. */
static void test_size_ring(void **state)
{
	static const char *const names[] = {"w0", "w1", "w2"};
	struct rotate_opts o = {1000, 0, 3, NULL, NULL};
	pcap_t *p = *state;

	save_all(open_rotate(p, "w", &o, NULL), 0, 30);
	assert_files(names, 3, NULL);
	assert_holds("w0", 27, 30);
	assert_holds("w1", 9, 18);
	assert_holds("w2", 18, 27);
	empty_dir();
}

/* -W pads the number to the digits of W - 1: two for 11 files, none for one. */
static void test_ring_widths(void **state)
{
	static const char *const eleven[] = {"w00", "w01", "w02", "w03"};
	static const char *const one[] = {"w"};
	struct rotate_opts o = {1000, 0, 11, NULL, NULL};
	pcap_t *p = *state;

	save_all(open_rotate(p, "w", &o, NULL), 0, 30);
	assert_files(eleven, 4, NULL);
	assert_holds("w03", 27, 30);
	empty_dir();
	o.files = 1;
	save_all(open_rotate(p, "w", &o, NULL), 0, 30);
	assert_files(one, 1, NULL);
	assert_holds("w", 27, 30);
	empty_dir();
}

/*
 * -G 10 with a clock the test moves: a packet 10 s after the file opened
 * starts the next, named by strftime at that moment; -W 2 then stops at
 * the third without saving it.
 */
static void test_time_names_and_limit(void **state)
{
	static const char *const names[] = {"t-160000", "t-160010", "t-160025"};
	struct rotate_opts o = {0, 10, 0, NULL, fake_clock};
	pcap_t *p = *state;
	char err[512] = "";
	struct rotate *r;

	fake_now = T0;
	r = open_rotate(p, "t-%H%M%S", &o, NULL);
	assert_int_equal(write_packet(r, 0), ROTATE_OK);
	fake_now = T0 + 9;
	assert_int_equal(write_packet(r, 1), ROTATE_OK);
	fake_now = T0 + 10;
	assert_int_equal(write_packet(r, 2), ROTATE_OK);
	fake_now = T0 + 19; /* 9 s after the second file, not after the first's deadline */
	assert_int_equal(write_packet(r, 3), ROTATE_OK);
	fake_now = T0 + 25;
	assert_int_equal(write_packet(r, 4), ROTATE_OK);
	assert_true(rotate_close(r, err, sizeof(err)));
	assert_files(names, 3, NULL);
	assert_holds("t-160000", 0, 2);
	assert_holds("t-160010", 2, 4);
	assert_holds("t-160025", 4, 5);
	empty_dir();

	o.files = 2;
	fake_now = T0;
	r = open_rotate(p, "t-%H%M%S", &o, NULL);
	assert_int_equal(write_packet(r, 0), ROTATE_OK);
	fake_now = T0 + 10;
	assert_int_equal(write_packet(r, 1), ROTATE_OK);
	fake_now = T0 + 20;
	assert_int_equal(write_packet(r, 2), ROTATE_LIMIT);
	assert_int_equal(write_packet(r, 3), ROTATE_LIMIT);
	assert_false(rotate_failed(r, err, sizeof(err)));
	assert_true(rotate_close(r, err, sizeof(err)));
	assert_files(names, 2, NULL);
	assert_holds("t-160000", 0, 1);
	assert_holds("t-160010", 1, 2);
	empty_dir();
}

/* -G with -C: the number counts again from 0 in each new time slot; -W only pads it. */
static void test_time_and_size(void **state)
{
	static const char *const names[] = {"s-160000-0", "s-160000-1", "s-160010-0", "s-160010-1"};
	struct rotate_opts o = {300, 10, 3, NULL, fake_clock};
	pcap_t *p = *state;
	struct rotate *r;

	fake_now = T0;
	r = open_rotate(p, "s-%H%M%S-", &o, NULL);
	assert_int_equal(write_packet(r, 0), ROTATE_OK);
	assert_int_equal(write_packet(r, 1), ROTATE_OK);
	assert_int_equal(write_packet(r, 2), ROTATE_OK); /* 256 bytes before it: not past 300 */
	assert_int_equal(write_packet(r, 3), ROTATE_OK); /* 372 before it: the next file */
	fake_now = T0 + 10;
	save_all(r, 4, 8);
	assert_files(names, 4, NULL);
	assert_holds("s-160000-0", 0, 3);
	assert_holds("s-160000-1", 3, 4);
	assert_holds("s-160010-0", 4, 7);
	assert_holds("s-160010-1", 7, 8);
	empty_dir();
}

/* Read the lines the -z script wrote, waiting up to 5 s for n of them. */
static size_t wait_lines(const char *log, size_t n, char lines[][256])
{
	size_t got = 0;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		FILE *f = fopen(log, "r");

		got = 0;
		while (f != NULL && got < 8 && fgets(lines[got], 256, f) != NULL)
			got++;
		if (f != NULL)
			fclose(f);
		if (got >= n)
			break;
		usleep(50000);
	}
	return got;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* -z: "command FILE" for each file a rotation closes, never the last one (as tcpdump). */
static void test_command_on_closed_files(void **state)
{
	static const char *const closed[] = {"w", "w1", "w2"};
	char script[256], log[256], want[256], lines[8][256];
	struct rotate_opts o = {1000, 0, 0, script, NULL};
	pcap_t *p = *state;
	FILE *f;
	size_t i, n;

	path_of(script, sizeof(script), "z.sh");
	path_of(log, sizeof(log), "z.log");
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\necho \"$1\" >> %s\n", log);
	fclose(f);
	assert_int_equal(chmod(script, 0755), 0);
	save_all(open_rotate(p, "w", &o, NULL), 0, 30);
	n = wait_lines(log, 3, lines);
	usleep(200000); /* time enough for a fourth, which must not come */
	n = wait_lines(log, n, lines);
	assert_int_equal(n, 3);
	qsort(lines, n, sizeof(lines[0]), by_text);
	for (i = 0; i < n; i++) {
		path_of(want, sizeof(want) - 1, closed[i]);
		strcat(want, "\n");
		assert_string_equal(lines[i], want);
	}
	empty_dir();
}

/* A name the rotation comes to that is the file being read: refused, the file untouched. */
static void test_never_over_the_input(void **state)
{
	struct rotate_opts o = {1000, 0, 0, NULL, NULL};
	pcap_t *p = *state;
	char input[256], err[512] = "";
	struct rotate *r;
	struct stat st;
	FILE *f;
	int i;

	path_of(input, sizeof(input), "w1");
	f = fopen(input, "w");
	assert_non_null(f);
	fputs("the capture being read", f);
	fclose(f);
	r = open_rotate(p, "w", &o, input);
	for (i = 0; i < 9; i++)
		assert_int_equal(write_packet(r, i), ROTATE_OK);
	assert_int_equal(write_packet(r, 9), ROTATE_ERR);
	assert_int_equal(write_packet(r, 10), ROTATE_ERR);
	assert_true(rotate_failed(r, err, sizeof(err)));
	assert_non_null(strstr(err, "w1: -w would overwrite the file being read"));
	assert_false(rotate_close(r, err, sizeof(err)));
	assert_non_null(strstr(err, "w1: -w would overwrite the file being read"));
	assert_int_equal(stat(input, &st), 0);
	assert_int_equal(st.st_size, 22);
	assert_holds("w", 0, 9);
	empty_dir();
}

/*
 * A file that cannot be written to its end (RLIMIT_FSIZE: 1050 bytes) fails
 * when the rotation closes it: the reason names it, it keeps its whole
 * packets, and no next file is made.
 */
static void test_failed_close_stops(void **state)
{
	static const char *const names[] = {"w"};
	struct rotate_opts o = {1000, 0, 0, NULL, NULL};
	pcap_t *p = *state;
	struct rlimit old, lim;
	char err[512] = "";
	struct rotate *r;
	int i;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1050;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = open_rotate(p, "w", &o, NULL);
	for (i = 0; i < 9; i++)
		assert_int_equal(write_packet(r, i), ROTATE_OK);
	assert_int_equal(write_packet(r, 9), ROTATE_ERR);
	assert_true(rotate_failed(r, err, sizeof(err)));
	assert_false(rotate_close(r, err, sizeof(err)));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_non_null(strstr(err, "/w: "));
	assert_non_null(strstr(err, strerror(EFBIG)));
	assert_files(names, 1, NULL);
	assert_holds("w", 0, 8);
	empty_dir();
}

/* The flags as tcpdump takes them, and what each needs. */
static void test_options(void **state)
{
	struct rotate_opts o;
	char err[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(rotate_parse_option(&o, 'C', "2", err, sizeof(err)), 0);
	assert_int_equal(o.bytes, 2000000);
	assert_int_equal(rotate_parse_option(&o, 'C', "0", err, sizeof(err)), -1);
	/* tcpdump 4.99.3 knows no unit (later versions take k, m, g) */
	assert_int_equal(rotate_parse_option(&o, 'C', "1k", err, sizeof(err)), -1);
	assert_int_equal(rotate_parse_option(&o, 'C', "9223372036855", err, sizeof(err)), -1);
	assert_int_equal(rotate_parse_option(&o, 'G', "0", err, sizeof(err)), 0);
	assert_int_equal(rotate_parse_option(&o, 'G', "-1", err, sizeof(err)), -1);
	assert_int_equal(rotate_parse_option(&o, 'W', "0", err, sizeof(err)), -1);
	assert_int_equal(rotate_parse_option(&o, 'z', "", err, sizeof(err)), -1);
	assert_int_equal(rotate_check_options(&o, false, err, sizeof(err)), -1);
	assert_int_equal(rotate_check_options(&o, true, err, sizeof(err)), 0);
	memset(&o, 0, sizeof(o));
	assert_int_equal(rotate_parse_option(&o, 'W', "3", err, sizeof(err)), 0);
	assert_int_equal(rotate_check_options(&o, true, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-C or -G"));
}

/* Each test starts from an empty folder, whatever the one before left. */
static int clean(void **state)
{
	(void)state;
	empty_dir();
	return 0;
}

static int setup(void **state)
{
	/* Past the limit a write fails with EFBIG instead of this signal ending the test. */
	signal(SIGXFSZ, SIG_IGN);
	setenv("TZ", "UTC", 1);
	*state = pcap_open_dead(DLT_EN10MB, 65536);
	return *state != NULL && mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	pcap_close(*state);
	empty_dir();
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_size_names_grow, clean),
	    cmocka_unit_test_setup(test_size_ring, clean),
	    cmocka_unit_test_setup(test_ring_widths, clean),
	    cmocka_unit_test_setup(test_time_names_and_limit, clean),
	    cmocka_unit_test_setup(test_time_and_size, clean),
	    cmocka_unit_test_setup(test_command_on_closed_files, clean),
	    cmocka_unit_test_setup(test_never_over_the_input, clean),
	    cmocka_unit_test_setup(test_failed_close_stops, clean),
	    cmocka_unit_test_setup(test_options, clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
