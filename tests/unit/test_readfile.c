/* test_readfile.c - files read through readfile's buffer give libpcap's packets and libpcap's messages. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpnote/readfile.h"

/* Read a and b to their ends side by side: the same records, the same end. Returns the count. */
static unsigned long same_packets(pcap_t *a, pcap_t *b, const char *path)
{
	struct pcap_pkthdr *ha, *hb;
	const u_char *ba, *bb;
	unsigned long n = 0;
	int ra, rb;

	for (;;) {
		ra = pcap_next_ex(a, &ha, &ba);
		rb = pcap_next_ex(b, &hb, &bb);
		if (ra != rb)
			fail_msg("%s: packet %lu: libpcap says %d, readfile %d", path, n + 1, ra, rb);
		if (ra != 1)
			break;
		n++;
		assert_int_equal(ha->ts.tv_sec, hb->ts.tv_sec);
		assert_int_equal(ha->ts.tv_usec, hb->ts.tv_usec);
		assert_int_equal(ha->caplen, hb->caplen);
		assert_int_equal(ha->len, hb->len);
		assert_memory_equal(ba, bb, ha->caplen);
	}
	if (ra == PCAP_ERROR) /* a damaged record: the same words */
		assert_string_equal(pcap_geterr(a), pcap_geterr(b));
	return n;
}

/* Every capture of pcaps/, in both precisions, through buffers of several sizes (0: stdio's own). */
static void test_every_capture_reads_as_libpcap_reads_it(void **state)
{
	static const size_t sizes[] = {0, 100, 4096, 65536 + 7, READFILE_BUFFER_BYTES};
	static const u_int precisions[] = {PCAP_TSTAMP_PRECISION_MICRO, PCAP_TSTAMP_PRECISION_NANO};
	DIR *d = opendir(TCPNOTE_PCAPS);
	struct dirent *e;
	unsigned long files = 0, packets = 0;
	size_t s, q;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[4096], ea[PCAP_ERRBUF_SIZE], eb[PCAP_ERRBUF_SIZE];
		size_t len = strlen(e->d_name);

		if (!(len > 5 && strcmp(e->d_name + len - 5, ".pcap") == 0) &&
		    !(len > 7 && strcmp(e->d_name + len - 7, ".pcapng") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", TCPNOTE_PCAPS, e->d_name);
		for (q = 0; q < 2; q++)
			for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				pcap_t *a = pcap_open_offline_with_tstamp_precision(path, precisions[q], ea);
				struct readfile r;
				int rc = readfile_open(&r, path, precisions[q], sizes[s], eb);

				if (a == NULL) {
					assert_int_equal(rc, -1);
					assert_string_equal(ea, eb);
					continue;
				}
				assert_int_equal(rc, 0);
				assert_true(sizes[s] == 0 ? r.buf == NULL : r.buf != NULL);
				assert_int_equal(pcap_datalink(a), pcap_datalink(r.pcap));
				assert_int_equal(pcap_snapshot(a), pcap_snapshot(r.pcap));
				assert_int_equal(pcap_get_tstamp_precision(a), pcap_get_tstamp_precision(r.pcap));
				packets += same_packets(a, r.pcap, path);
				pcap_close(a);
				readfile_close(&r);
				assert_null(r.pcap);
				assert_null(r.buf);
			}
		files++;
	}
	closedir(d);
	assert_true(files >= 20);
	assert_true(packets > 10000);
	print_message("%lu captures, %lu packets compared\n", files, packets);
}

/* What cannot be opened or is not a capture: libpcap's own message, nothing left open. */
static void test_refusals_say_what_libpcap_says(void **state)
{
	const char *paths[] = {"/nonexistent/tcpnote-test.pcap", TCPNOTE_PCAPS, __FILE__, "/dev/null"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char ea[PCAP_ERRBUF_SIZE] = "", eb[PCAP_ERRBUF_SIZE] = "";
		pcap_t *a = pcap_open_offline_with_tstamp_precision(paths[i], PCAP_TSTAMP_PRECISION_MICRO, ea);
		struct readfile r;

		assert_null(a);
		assert_int_equal(readfile_open(&r, paths[i], PCAP_TSTAMP_PRECISION_MICRO, READFILE_BUFFER_BYTES, eb),
				 -1);
		assert_null(r.pcap);
		assert_null(r.buf);
		assert_string_equal(ea, eb);
		readfile_close(&r); /* nothing to close: harmless */
	}
}

/* Files read together share a bounded total: 1 MiB each for a few, less for many, 4 KiB at least. */
static void test_buffers_of_many_files_stay_bounded(void **state)
{
	static const size_t counts[] = {0, 1, 2, 16, 17, 100, 1000, 4096, 100000};
	size_t i;

	(void)state;
	assert_int_equal(readfile_share(1), READFILE_BUFFER_BYTES);
	assert_int_equal(readfile_share(16), READFILE_BUFFER_BYTES);
	assert_true(readfile_share(17) < READFILE_BUFFER_BYTES);
	assert_int_equal(readfile_share(100000), 4096);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		size_t n = counts[i], each = readfile_share(n);

		assert_true(each >= 4096 && each <= READFILE_BUFFER_BYTES);
		assert_true(n * each <= READFILE_BUFFERS_TOTAL || each == 4096);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capture_reads_as_libpcap_reads_it),
		cmocka_unit_test(test_refusals_say_what_libpcap_says),
		cmocka_unit_test(test_buffers_of_many_files_stay_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
