/* main.c - tcpnote's command line, wiring and exit codes: the only file that exits. */
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/capture.h"
#include "tcpnote/decode.h"
#include "tcpnote/pipeline.h"

#ifndef TCPNOTE_VERSION
#define TCPNOTE_VERSION "1.0.0"
#endif

enum exit_code { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* The capture the signal handler stops; a signal handler can reach nothing else. */
static struct capture *volatile running_capture;

static void on_signal(int sig)
{
	(void)sig;
	capture_break(running_capture);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpnote [-r FILE | -i IFACE] [-c COUNT] [-w FILE] [-S] [-v] [-n]\n"
		"               [-t|-tt|-ttt|-tttt|-ttttt] [-s SNAPLEN] [-l] [BPF expression ...]\n"
		"\n"
		"Print each TCP packet as tcpdump -n does, followed by what it means:\n"
		"  ... Flags [S], seq 3564383388, win 65495, ..., length 0  # handshake 1/3\n"
		"\n"
		"  -r FILE    read a pcap or pcapng file ('-' reads standard input)\n"
		"  -i IFACE   capture live on IFACE (lo, eth0, any); needs root or CAP_NET_RAW\n"
		"  -c COUNT   stop after COUNT packets that pass the filter\n"
		"  -w FILE    also save every captured packet, unchanged, to a pcap file\n"
		"  -S         print absolute sequence numbers\n"
		"  -v         verbose: IP header fields and TCP checksums, as tcpdump -v\n"
		"  -n         accepted for tcpdump compatibility (tcpnote never resolves names)\n"
		"  -t         no timestamp; -tt seconds since 1970; -ttt delta from previous;\n"
		"             -tttt date and time; -ttttt delta from the first packet\n"
		"  -s SNAPLEN capture at most SNAPLEN bytes of each packet (default 262144)\n"
		"  -l         line-buffer standard output\n"
		"  -h, --help show this help;  --version  show the version\n"
		"\n"
		"Exit status: 0 success, 1 runtime error, 2 usage error.\n");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Join the trailing words into one filter expression, as tcpdump does. */
static char *join_words(int argc, char **argv)
{
	size_t n = 1;
	int i;
	char *s;

	if (argc <= 0)
		return NULL;
	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = malloc(n);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {"version", no_argument, NULL, 'V'},
						 {NULL, 0, NULL, 0}};
	struct capture_opts copts = {NULL, NULL, NULL, NULL, 0};
	struct pipeline_opts popts;
	struct capture *cap = NULL;
	struct pipeline *pl = NULL;
	char err[PCAP_ERRBUF_SIZE + 512] = "";
	long count = 0, v;
	int tflag = 0, c, rc, status = EXIT_OK;
	bool line_buffered = false;
	char *filter = NULL;
	unsigned long captured, received, dropped;
	struct sigaction sa;

	memset(&popts, 0, sizeof(popts));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:i:c:w:s:SvntlhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			copts.read_file = optarg;
			break;
		case 'i':
			copts.iface = optarg;
			break;
		case 'c':
			if (parse_int(optarg, 1, 2147483647L, &count) < 0) {
				fprintf(stderr, "tcpnote: invalid packet count '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'w':
			copts.write_file = optarg;
			break;
		case 's':
			if (parse_int(optarg, 0, 262144, &v) < 0) {
				fprintf(stderr, "tcpnote: invalid snaplen '%s' (0 to 262144)\n", optarg);
				return EXIT_USAGE;
			}
			copts.snaplen = (int)v;
			break;
		case 'S':
			popts.absolute_seq = true;
			break;
		case 'v':
			popts.print.vflag++;
			break;
		case 'n':
			break;
		case 't':
			tflag++;
			break;
		case 'l':
			line_buffered = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("tcpnote %s\n%s\n", TCPNOTE_VERSION, pcap_lib_version());
			return EXIT_OK;
		default:
			if (optopt != 0 && strchr("ricws", optopt) != NULL)
				fprintf(stderr, "tcpnote: option -%c needs an argument\n", optopt);
			else
				fprintf(stderr, "tcpnote: unknown option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((copts.read_file == NULL) == (copts.iface == NULL)) {
		fprintf(stderr, "tcpnote: give exactly one of -r FILE or -i IFACE\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (tflag > 5) {
		fprintf(stderr, "tcpnote: at most five -t\n");
		return EXIT_USAGE;
	}
	if (copts.write_file != NULL && strcmp(copts.write_file, "-") == 0) {
		fprintf(stderr, "tcpnote: -w - would mix packets with the text on standard output\n");
		return EXIT_USAGE;
	}
	popts.print.ts = (enum ts_mode)tflag;
	filter = join_words(argc - optind, argv + optind);
	copts.filter = filter;

	rc = capture_open(&cap, &copts, err, sizeof(err));
	if (rc != CAPTURE_OK) {
		fprintf(stderr, "tcpnote: %s\n", err);
		free(filter);
		return rc == CAPTURE_ERR_FILTER ? EXIT_USAGE : EXIT_RUNTIME;
	}
	popts.dlt = capture_datalink(cap);
	if (!decode_link_supported(popts.dlt)) {
		fprintf(stderr,
			"tcpnote: link-type %s (%s) is not supported; tcpnote decodes EN10MB, "
			"LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4 and IPV6\n",
			capture_datalink_name(cap), capture_datalink_description(cap));
		capture_close(cap, err, sizeof(err));
		free(filter);
		return EXIT_RUNTIME;
	}
	if (line_buffered)
		setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "%s %s, link-type %s (%s), snapshot length %d%s\n",
		capture_is_live(cap) ? "listening on" : "reading from file",
		capture_is_live(cap) ? copts.iface : copts.read_file, capture_datalink_name(cap),
		capture_datalink_description(cap), capture_snaplen(cap),
		capture_is_live(cap) ? " bytes" : "");
	pl = pipeline_new(stdout, &popts);
	if (pl == NULL) {
		fprintf(stderr, "tcpnote: out of memory\n");
		capture_close(cap, err, sizeof(err));
		free(filter);
		return EXIT_RUNTIME;
	}

	running_capture = cap;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (capture_run(cap, (int)count, pipeline_frame, pl, err, sizeof(err)) != CAPTURE_OK) {
		fprintf(stderr, "tcpnote: %s\n", err);
		status = EXIT_RUNTIME;
	}
	running_capture = NULL;
	if (fflush(stdout) != 0 || pipeline_write_failed(pl)) {
		fprintf(stderr, "tcpnote: writing the output failed\n");
		status = EXIT_RUNTIME;
	}
	if (capture_stats(cap, &captured, &received, &dropped)) {
		fprintf(stderr, "%lu packet%s captured\n", captured, captured == 1 ? "" : "s");
		fprintf(stderr, "%lu packet%s received by filter\n", received, received == 1 ? "" : "s");
		fprintf(stderr, "%lu packet%s dropped by kernel\n", dropped, dropped == 1 ? "" : "s");
	}
	if (pipeline_other_packets(pl) > 0)
		fprintf(stderr, "tcpnote: %lu non-TCP packet%s not shown\n", pipeline_other_packets(pl),
			pipeline_other_packets(pl) == 1 ? "" : "s");
	if (pipeline_out_of_memory(pl))
		fprintf(stderr, "tcpnote: ran out of memory; some packets are unlabeled\n");
	if (!capture_close(cap, err, sizeof(err))) {
		fprintf(stderr, "tcpnote: %s\n", err);
		status = EXIT_RUNTIME;
	}
	pipeline_free(pl);
	free(filter);
	return status;
}
