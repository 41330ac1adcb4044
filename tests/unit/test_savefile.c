/* test_savefile.c - the -w file when a write fails partway (RLIMIT_FSIZE): whole packets only. */
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
#include <unistd.h>

#include <cmocka.h>

#include "tcpnote/savefile.h"

#define PCAP_HEADER 24 /* pcap-savefile(5): the file header, then a 16-byte header per packet */
#define RECORD_HEADER 16

struct shape {
	size_t n;                  /* packets */
	uint32_t (*caplen)(size_t); /* packet i's captured length */
};

struct outcome {
	bool opened;
	size_t saved; /* savefile_write calls that returned true */
	bool closed;  /* savefile_close returned true */
	char err[512];
};

static char dir[] = "/tmp/test_savefile.XXXXXX";

/* Lengths 0 to 299, all mixed: a cut can fall anywhere in a header or in the bytes. */
static uint32_t mixed_len(size_t i)
{
	return (uint32_t)((i * 37) % 300);
}

/* Jumbo frames: 40 of them fill the 1 MiB buffer more than twice. */
static uint32_t jumbo_len(size_t i)
{
	return 60000 + (uint32_t)i;
}

/* Empty records: more of them than the ends remembered between two flushes (8192). */
static uint32_t empty_len(size_t i)
{
	(void)i;
	return 0;
}

/* Save sh's packets to path, files limited to limit bytes; each byte tells its packet and place. */
static void save(const char *path, rlim_t limit, bool each_packet, const struct shape *sh,
		 struct outcome *o)
{
	static unsigned char bytes[65536];
	struct rlimit old, lim;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65536);
	struct savefile *s = NULL;
	size_t i, k;

	assert_non_null(p);
	memset(o, 0, sizeof(*o));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = limit;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	o->opened = savefile_open(&s, p, path, each_packet, o->err, sizeof(o->err)) == 0;
	for (i = 0; o->opened && i < sh->n; i++) {
		struct pcap_pkthdr h;

		h.ts.tv_sec = 1764000000 + (time_t)i;
		h.ts.tv_usec = (suseconds_t)i;
		h.caplen = sh->caplen(i);
		h.len = h.caplen + 4;
		for (k = 0; k < h.caplen; k++)
			bytes[k] = (unsigned char)(i * 31 + k);
		if (!savefile_write(s, &h, bytes))
			break;
		o->saved++;
	}
	if (o->opened)
		o->closed = savefile_close(s, o->err, sizeof(o->err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	pcap_close(p);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/*
 * Save sh with each limit from first to last (every step bytes): the file
 * must be the unlimited file cut at its last packet end <= limit, and the
 * failure said with the path and the reason.
 */
static void sweep(const struct shape *sh, bool each_packet, size_t first, size_t last, size_t step)
{
	char ref_path[64], path[64];
	struct outcome o;
	unsigned char *ref, *got;
	size_t ref_len, got_len, limit, i, whole, end;

	snprintf(ref_path, sizeof(ref_path), "%s/ref.pcap", dir);
	snprintf(path, sizeof(path), "%s/cut.pcap", dir);
	save(ref_path, RLIM_INFINITY, each_packet, sh, &o);
	assert_true(o.opened && o.closed);
	assert_int_equal(o.saved, sh->n);
	ref = slurp(ref_path, &ref_len);
	for (i = 0, end = PCAP_HEADER; i < sh->n; i++)
		end += RECORD_HEADER + sh->caplen(i);
	assert_int_equal(ref_len, end);
	for (limit = first; limit <= last && limit <= ref_len; limit += step) {
		save(path, (rlim_t)limit, each_packet, sh, &o);
		got = slurp(path, &got_len);
		/* The packets that fit whole, and where the last of them ends. */
		for (whole = 0, end = PCAP_HEADER; whole < sh->n; whole++) {
			size_t next = end + RECORD_HEADER + sh->caplen(whole);

			if (next > limit)
				break;
			end = next;
		}
		if (limit < PCAP_HEADER) {
			assert_false(o.opened);
			assert_int_equal(got_len, 0);
		} else {
			assert_true(o.opened);
			assert_int_equal(got_len, end);
			assert_memory_equal(got, ref, got_len);
			assert_int_equal(o.closed, whole == sh->n);
			/* Packet by packet: the one that failed is the first not in the file. */
			if (each_packet)
				assert_int_equal(o.saved, whole);
		}
		if (!o.closed) {
			assert_non_null(strstr(o.err, path));
			assert_non_null(strstr(o.err, strerror(EFBIG)));
			assert_null(strstr(o.err, "cut short"));
		}
		free(got);
	}
	free(ref);
}

static const struct shape mixed = {16, mixed_len};

/* Replaying: the file is written at the end here (it is smaller than the buffer), cut anywhere. */
static void test_cut_in_blocks(void **state)
{
	(void)state;
	sweep(&mixed, false, 0, 400, 1); /* every byte of the file header and the first packets */
	sweep(&mixed, false, 401, SIZE_MAX, 3);
}

/* Live: each packet is written at once; the one that does not fit stops the saving. */
static void test_cut_each_packet(void **state)
{
	(void)state;
	sweep(&mixed, true, 0, 400, 1);
	sweep(&mixed, true, 401, SIZE_MAX, 3);
}

/* Larger than the buffer: flushes in the middle of the run, the failure in the second or third. */
static void test_cut_after_good_flushes(void **state)
{
	static const struct shape jumbo = {40, jumbo_len};

	(void)state;
	sweep(&jumbo, false, (1 << 20) - 70000, 40 * 60100, 29989);
}

/* More packets than ends remembered: a flush comes before they run out. */
static void test_cut_many_small(void **state)
{
	static const struct shape empty = {20000, empty_len};

	(void)state;
	sweep(&empty, false, PCAP_HEADER + 8192 * RECORD_HEADER - 40,
	      PCAP_HEADER + 20000 * RECORD_HEADER, 4099);
}

/* A pipe has nothing to cut; its failure is still said. */
static void test_pipe_fails_cleanly(void **state)
{
	static const struct shape one = {1, mixed_len};
	char path[64];
	struct outcome o;
	int fd[2];

	(void)state;
	assert_int_equal(pipe(fd), 0);
	close(fd[0]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fd[1]);
	save(path, RLIM_INFINITY, true, &one, &o);
	close(fd[1]);
	assert_false(o.opened);
	assert_non_null(strstr(o.err, strerror(EPIPE)));
}

static int setup(void **state)
{
	(void)state;
	/* Past the limit a write fails with EFBIG instead of this signal ending the test. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "%s/ref.pcap", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cut.pcap", dir);
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cut_in_blocks),
	    cmocka_unit_test(test_cut_each_packet),
	    cmocka_unit_test(test_cut_after_good_flushes),
	    cmocka_unit_test(test_cut_many_small),
	    cmocka_unit_test(test_pipe_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
