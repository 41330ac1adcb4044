/* main.c - tcpnote's command line, wiring and exit codes: the only file that exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpnote/capture.h"
#include "tcpnote/decode.h"
#include "tcpnote/explain.h"
#include "tcpnote/io_error.h"
#include "tcpnote/pipeline.h"
#include "tcpnote/print_svg.h"
#include "tcpnote/privdrop.h"
#include "tcpnote/progress.h"
#include "tcpnote/shard.h"
#include "tcpnote/tls_keylog.h"
#include "tcpnote/tls_keylog_tail.h"

#ifndef TCPNOTE_VERSION
#define TCPNOTE_VERSION "1.0.0"
#endif

enum exit_code { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_EXPECT = 3 };

#define MAX_EXPECT 64

/* The capture the signal handler stops; a signal handler can reach nothing else. */
static struct capture *volatile running_capture;

static void on_signal(int sig)
{
	(void)sig;
	capture_break(running_capture);
}

/* Every -r, in the order named (argv's strings; static: reachable, never a leak). */
static const char **read_files;

/* Several -r: the files that fail are said at once and the rest read; the progress line. */
struct reading {
	struct capture *cap;
	struct pipeline *pl;       /* NULL until made: its lines before a file's message */
	struct progress *progress; /* NULL: none shown */
	bool file_failed;          /* a file could not be read whole: exit 1 at the end */
};

static void on_file_error(void *ctx, const char *msg)
{
	struct reading *r = ctx;

	if (r->pl != NULL)
		pipeline_sync(r->pl); /* two threads: the lines of the packets before it, first */
	progress_clear(r->progress);
	fprintf(stderr, "tcpnote: %s\n", msg);
	r->file_failed = true;
}

static void on_progress(void *ctx)
{
	struct reading *r = ctx;
	struct capture_position pos;

	capture_position(r->cap, &pos);
	progress_update(r->progress, &pos);
}

/*
 * After -r, words that all name existing files (not folders) are more files
 * to read, so that a shell glob works: tcpnote -r trace-*.pcap. Anything else
 * is the filter, as in tcpdump (whose filter words never name a file).
 */
static bool words_are_files(int argc, char **argv)
{
	struct stat st;
	int i;

	for (i = 0; i < argc; i++)
		if (stat(argv[i], &st) != 0 || S_ISDIR(st.st_mode))
			return false;
	return argc > 0;
}

/* Lines of the key log that did not parse: counted, never quoted (a key log holds secrets). */
static void tell_keylog_skipped(const char *path, unsigned long bad)
{
	if (bad > 0)
		fprintf(stderr, "tcpnote: --keylog %s: %lu line%s skipped (not the NSS key log format)\n",
			path, bad, bad == 1 ? "" : "s");
}

/* Standard output's buffer when replaying a file (glibc ignores a size without a buffer). */
static char out_buffer[1 << 20];

/* Said once: what fails after the first failure (the same full disk) follows from it. */
static void tell_failure(bool *told, const char *msg)
{
	if (!*told)
		fprintf(stderr, "tcpnote: %s\n", msg);
	*told = true;
}

/* Writing NAME failed with errno e (0: it did not): "tcpnote: out.svg: No space left on device". */
static void tell_write_error(bool *told, int *status, const char *name, int e)
{
	char msg[512];

	if (e == 0)
		return;
	snprintf(msg, sizeof(msg), "%s: %s", name, strerror(e));
	tell_failure(told, msg);
	*status = EXIT_RUNTIME;
}

/* --help and --version: their output is checked like any other. */
static int stdout_status(void)
{
	bool told = false;
	int status = EXIT_OK;

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		tell_write_error(&told, &status, "standard output", errno_or_eio());
	return status;
}

static void usage(FILE *f)
{
	/* One screen: tcpdump's flags grouped by what they are for; tcpnote(1) has each in full. */
	fprintf(f,
		"Usage: tcpnote [-r FILE... | -V LIST | -i IFACE] [options] [BPF | -F FILE]\n"
		"Print TCP packets as tcpdump does, each followed by what it means (# labels).\n"
		"Input:  -r FILE (- = stdin; again: merged by time)  -V LIST (of files)\n"
		"        -i IFACE (lo, any, N of -D)  --immediate-mode  --no-progress\n"
		"        -c N (packets)  -s SNAPLEN  -F FILE (filter)  -D -L -J (list devices,\n"
		"        link types, time stamp types)  -y TYPE  -j TYPE  -p  -Q in|out  -B KiB\n"
		"Save:   -w FILE  -U (each packet)  -C MB -G SEC -W N -z CMD (rotate)  -Z USER\n"
		"Lines:  -n (numbers)  -N (no domain)  -S (absolute seq)  -v (IP fields)  -K  -l\n"
		"        -q (quick)  -t ... -ttttt  --nano  -# (numbers)  -e (link header)\n"
		"        -A -x -X (payload: text, hex, both; -AA -xx -XX from the link header)\n"
		"  --json         JSON Lines: packet records, then a flow record per connection\n"
		"  --summary      a table of the connections after the packets; --quiet: no lines\n"
		"  --explain      each label in plain words with its numbers; --lang en|zh\n"
		"  --ladder       draw each connection as a ladder (--ascii); --svg FILE: ladder\n"
		"                 and time-sequence graph as SVG; --flow ID: only that connection\n"
		"  --expect EXPR  check at the end, exit 3 if false: LABEL, !LABEL, LABEL=N,\n"
		"                 LABEL>=N, LABEL<=N, state:CODE=N (Zeek conn_state), flows=N\n"
		"  --keylog FILE  decrypt TLS 1.3 and 1.2 with an NSS key log (SSLKEYLOGFILE)\n"
		"  --color=WHEN   colour the labels: auto (default), always, never (NO_COLOR)\n"
		"  --max-flows N  connections tracked at once (1000000); --idle-timeout S (300)\n"
		"  --shard K/N    only the connections whose 5-tuple hashes to K of N (0 <= K < N)\n"
		"  --threads 1|2  2: a second thread writes the lines (default with 2+ CPUs)\n"
		"  BPF            a libpcap filter expression, e.g. tcp port 7070\n"
		"Exit: 0 ok, 1 runtime error, 2 usage error, 3 --expect failed. See tcpnote(1).\n");
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

/* tcpdump's capture flags that tcpnote keeps beside capture_opts. */
struct capture_flags {
	bool list_devices, list_datalinks, list_tstamps; /* -D, -L, -J */
	const char *filter_file;                        /* -F */
};

/* One of -DLJpUFVQBjy, as tcpdump reads it; -1 (said on stderr) if its argument is wrong. */
static int capture_flag(int c, const char *arg, struct capture_opts *o, struct capture_flags *f)
{
	long v;

	switch (c) {
	case 'D':
		f->list_devices = true;
		break;
	case 'L':
		f->list_datalinks = true;
		break;
	case 'J':
		f->list_tstamps = true;
		break;
	case 'p':
		o->no_promisc = true;
		break;
	case 'U':
		o->packet_buffered = true;
		break;
	case 'F':
		f->filter_file = arg;
		break;
	case 'V':
		o->read_list = arg;
		break;
	case 'Q': /* case-insensitive, as tcpdump's ascii_strcasecmp */
		o->direction = strcasecmp(arg, "in") == 0      ? PCAP_D_IN
			       : strcasecmp(arg, "out") == 0   ? PCAP_D_OUT
			       : strcasecmp(arg, "inout") == 0 ? PCAP_D_INOUT
							       : -1;
		if (o->direction < 0)
			fprintf(stderr, "tcpnote: unknown capture direction '%s' (in, out or inout)\n", arg);
		return o->direction < 0 ? -1 : 0;
	case 'B': /* KiB, as tcpdump: the bytes must fit an int */
		if (parse_int(arg, 1, INT_MAX / 1024, &v) < 0) {
			fprintf(stderr, "tcpnote: invalid packet buffer size %s (KiB, 1 to %d)\n", arg,
				INT_MAX / 1024);
			return -1;
		}
		o->buffer_kib = (int)v;
		break;
	case 'j':
		o->tstamp_type = pcap_tstamp_type_name_to_val(arg);
		if (o->tstamp_type < 0)
			fprintf(stderr, "tcpnote: invalid time stamp type %s (-J lists them)\n", arg);
		return o->tstamp_type < 0 ? -1 : 0;
	case 'y':
		o->linktype = pcap_datalink_name_to_val(arg);
		if (o->linktype < 0)
			fprintf(stderr, "tcpnote: invalid data link type %s (-L lists them)\n", arg);
		return o->linktype < 0 ? -1 : 0;
	}
	return 0;
}

/* -D, and live -J or -L: the list tcpdump prints, then the exit status. */
static int list_and_exit(const struct capture_flags *f, const struct capture_opts *o)
{
	char err[PCAP_ERRBUF_SIZE + 512] = "";
	int rc;

	/* -D on standard output; -J and -L on standard error, as tcpdump 4.99 prints them. */
	if (f->list_devices)
		rc = capture_list_devices(stdout, err, sizeof(err));
	else if (f->list_tstamps)
		rc = capture_list_tstamp_types(stderr, o->iface, err, sizeof(err));
	else
		rc = capture_list_datalinks(stderr, o, decode_link_supported, err, sizeof(err));
	if (rc < 0) {
		fflush(stdout);
		fprintf(stderr, "tcpnote: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (rc > 0) /* the device has no time stamp types to choose from */
		fprintf(stderr, "%s\n", err);
	return stdout_status();
}

/* tcpdump's line on stderr before the packets: "reading from file F, link-type ..." or "listening on ...". */
static void say_source(struct capture *cap)
{
	bool live = capture_is_live(cap);

	fprintf(stderr, "%s %s, link-type %s (%s), snapshot length %d%s\n",
		live ? "listening on" : "reading from file", capture_source(cap),
		capture_datalink_name(cap), capture_datalink_description(cap), capture_snaplen(cap),
		live ? " bytes" : "");
}

/* False, said on stderr, when tcpnote cannot decode the capture's link type. */
static bool link_supported(struct capture *cap)
{
	if (decode_link_supported(capture_datalink(cap)))
		return true;
	fprintf(stderr,
		"tcpnote: link-type %s (%s) is not supported; tcpnote decodes EN10MB, "
		"LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4 and IPV6\n",
		capture_datalink_name(cap), capture_datalink_description(cap));
	return false;
}

/* Check every --expect; one line on stderr for each that fails. */
static bool check_expectations(const struct pipeline *pl, const struct expectation *e, size_t n)
{
	size_t i, j;
	bool ok = true;

	for (i = 0; i < n; i++) {
		char want[64], where[160] = "";
		uint64_t counted = 0;
		const uint64_t *frames = NULL;
		size_t nframes = 0, len = 0;
		const char *what = "";

		if (e[i].kind == EXPECT_LABEL) {
			counted = pipeline_label_count(pl, e[i].label, &frames, &nframes);
			what = counted == 1 ? " packet" : " packets";
		} else if (e[i].kind == EXPECT_STATE) {
			counted = pipeline_state_count(pl, e[i].state);
			what = counted == 1 ? " connection" : " connections";
		} else {
			counted = pipeline_flow_count(pl);
			what = counted == 1 ? " connection" : " connections";
		}
		if (expect_holds(&e[i], counted))
			continue;
		ok = false;
		expect_describe(&e[i], want, sizeof(want));
		for (j = 0; j < nframes && len < sizeof(where) - 24; j++)
			len += (size_t)snprintf(where + len, sizeof(where) - len, "%s%llu",
						j ? ", " : " (frames ", (unsigned long long)frames[j]);
		if (nframes > 0)
			snprintf(where + len, sizeof(where) - len, "%s)", counted > nframes ? ", ..." : "");
		fprintf(stderr, "tcpnote: expectation failed: '%s': expected %s, counted %llu%s%s\n",
			e[i].text, want, (unsigned long long)counted, what, where);
	}
	return ok;
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_SUMMARY, OPT_EXPECT, OPT_COLOR, OPT_MAX_FLOWS, OPT_IDLE, OPT_EXPLAIN,
	       OPT_LANG, OPT_LADDER, OPT_ASCII, OPT_FLOW, OPT_SVG, OPT_VERSION, OPT_QUIET, OPT_NANO,
	       OPT_MICRO, OPT_TSPREC, OPT_KEYLOG, OPT_NO_PROGRESS, OPT_SHARD, OPT_THREADS,
	       OPT_IMMEDIATE };
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {"version", no_argument, NULL, OPT_VERSION},
						 /* tcpdump's long names of its capture flags */
						 {"interface", required_argument, NULL, 'i'},
						 {"list-interfaces", no_argument, NULL, 'D'},
						 {"list-data-link-types", no_argument, NULL, 'L'},
						 {"list-time-stamp-types", no_argument, NULL, 'J'},
						 {"no-promiscuous-mode", no_argument, NULL, 'p'},
						 {"packet-buffered", no_argument, NULL, 'U'},
						 {"direction", required_argument, NULL, 'Q'},
						 {"buffer-size", required_argument, NULL, 'B'},
						 {"immediate-mode", no_argument, NULL, OPT_IMMEDIATE},
						 {"time-stamp-type", required_argument, NULL, 'j'},
						 {"linktype", required_argument, NULL, 'y'},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"quiet", no_argument, NULL, OPT_QUIET},
						 {"summary", no_argument, NULL, OPT_SUMMARY},
						 {"expect", required_argument, NULL, OPT_EXPECT},
						 {"color", optional_argument, NULL, OPT_COLOR},
						 {"colour", optional_argument, NULL, OPT_COLOR},
						 {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
						 {"idle-timeout", required_argument, NULL, OPT_IDLE},
						 {"explain", no_argument, NULL, OPT_EXPLAIN},
						 {"lang", required_argument, NULL, OPT_LANG},
						 {"ladder", no_argument, NULL, OPT_LADDER},
						 {"ascii", no_argument, NULL, OPT_ASCII},
						 {"flow", required_argument, NULL, OPT_FLOW},
						 {"svg", required_argument, NULL, OPT_SVG},
						 {"number", no_argument, NULL, '#'},
						 {"nano", no_argument, NULL, OPT_NANO},
						 {"micro", no_argument, NULL, OPT_MICRO},
						 {"time-stamp-precision", required_argument, NULL, OPT_TSPREC},
						 {"keylog", required_argument, NULL, OPT_KEYLOG},
						 {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
						 {"shard", required_argument, NULL, OPT_SHARD},
						 {"threads", required_argument, NULL, OPT_THREADS},
						 {NULL, 0, NULL, 0}};
	static struct expectation expects[MAX_EXPECT];
	size_t nexpect = 0;
	bool summary = false, explain = false;
	const char *svg_path = NULL;
	const char *keylog_path = NULL;
	struct tls_keylog *keylog = NULL;
	struct tls_keylog_tail *keylog_tail = NULL;
	FILE *svg = NULL;
	const struct explain_lang *lang = NULL;
	const char *color = "auto";
	const char *drop_user = NULL;
	struct capture_opts copts;
	struct capture_flags cflags = {false, false, false, NULL};
	struct pipeline_opts popts;
	struct capture *cap = NULL;
	struct pipeline *pl = NULL;
	char err[PCAP_ERRBUF_SIZE + 512] = "";
	long count = 0, v;
	int tflag = 0, xflag = 0, Xflag = 0, Aflag = 0, c, rc, status = EXIT_OK;
	int out_err;      /* errno of the first failed write to standard output; 0 while none */
	bool told = false; /* a failure has been said: it alone is (tell_failure) */
	bool line_buffered = false, numeric = false, more = false, no_progress = false;
	struct reading reading = {NULL, NULL, NULL, false};
	size_t nread = 0, i;
	char *filter = NULL;
	unsigned long captured, received, dropped;
	struct sigaction sa;

	capture_opts_init(&copts);
	read_files = calloc((size_t)argc, sizeof(*read_files));
	if (read_files == NULL) {
		fprintf(stderr, "tcpnote: out of memory\n");
		return EXIT_RUNTIME;
	}
	memset(&popts, 0, sizeof(popts));
	popts.max_flows = 1000000;
	popts.idle_ns = 300LL * 1000000000LL;
	/* Reading and tracking on one core, formatting and writing on another, when there are two. */
	popts.threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:i:c:w:s:Z:C:G:W:z:SvntlqehDLJpUF:V:Q:B:j:y:AxXKN#",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'Z':
			drop_user = optarg;
			break;
		case 'D': case 'L': case 'J': case 'p': case 'U': /* capture flags, as tcpdump's */
		case 'F': case 'V': case 'Q': case 'B': case 'j': case 'y':
			if (capture_flag(c, optarg, &copts, &cflags) < 0)
				return EXIT_USAGE;
			break;
		case 'C': /* rotation of the -w file, as tcpdump's */
		case 'G':
		case 'W':
		case 'z':
			if (rotate_parse_option(&copts.rotate, c, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "tcpnote: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			popts.json = true;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_EXPLAIN:
			explain = true;
			break;
		case OPT_LADDER:
			popts.ladder = true;
			break;
		case OPT_ASCII:
			popts.ladder_opts.ascii = true;
			break;
		case OPT_FLOW:
			if (parse_int(optarg, 1, 2147483647L, &v) < 0) {
				fprintf(stderr, "tcpnote: --flow takes a connection number (1, 2, ...)\n");
				return EXIT_USAGE;
			}
			popts.only_flow = (uint64_t)v;
			break;
		case OPT_SVG:
			svg_path = optarg;
			break;
		case OPT_KEYLOG:
			keylog_path = optarg;
			break;
		case OPT_SHARD:
			if (shard_parse(optarg, &popts.shard_k, &popts.shard_n, err, sizeof(err)) < 0) {
				fprintf(stderr, "tcpnote: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case OPT_THREADS:
			if (parse_int(optarg, 1, 2, &v) < 0) {
				fprintf(stderr, "tcpnote: --threads takes 1 or 2\n");
				return EXIT_USAGE;
			}
			popts.threads = (int)v;
			break;
		case OPT_LANG:
			lang = explain_lang_find(optarg);
			if (lang == NULL) {
				fprintf(stderr, "tcpnote: --lang takes en or zh\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_FLOWS:
			if (parse_int(optarg, 1, 100000000L, &v) < 0) {
				fprintf(stderr, "tcpnote: --max-flows takes 1 to 100000000\n");
				return EXIT_USAGE;
			}
			popts.max_flows = (size_t)v;
			break;
		case OPT_IDLE:
			if (parse_int(optarg, 0, 100000000L, &v) < 0) {
				fprintf(stderr, "tcpnote: --idle-timeout takes seconds, 0 for never\n");
				return EXIT_USAGE;
			}
			popts.idle_ns = (int64_t)v * 1000000000LL;
			break;
		case 'q':
			popts.print.quick = true;
			break;
		case OPT_QUIET:
			popts.quiet = true;
			break;
		case OPT_EXPECT:
			if (nexpect == MAX_EXPECT) {
				fprintf(stderr, "tcpnote: at most %d --expect\n", MAX_EXPECT);
				return EXIT_USAGE;
			}
			if (expect_parse(optarg, &expects[nexpect], err, sizeof(err)) < 0) {
				fprintf(stderr, "tcpnote: --expect %s\n", err);
				return EXIT_USAGE;
			}
			nexpect++;
			break;
		case OPT_COLOR:
			color = optarg != NULL ? optarg : "always";
			if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 &&
			    strcmp(color, "never") != 0) {
				fprintf(stderr, "tcpnote: --color takes auto, always or never\n");
				return EXIT_USAGE;
			}
			break;
		case 'r': /* more than once: read together, in packet-time order */
			for (i = 0; strcmp(optarg, "-") == 0 && i < nread; i++)
				if (strcmp(read_files[i], "-") == 0) {
					fprintf(stderr, "tcpnote: -r - reads standard input: once\n");
					return EXIT_USAGE;
				}
			read_files[nread++] = optarg;
			copts.read_file = read_files[0];
			break;
		case OPT_NO_PROGRESS:
			no_progress = true;
			break;
		case OPT_IMMEDIATE:
			copts.immediate = true;
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
		case 'e':
			popts.print.eflag = true;
			break;
		case OPT_TSPREC: /* tcpdump's --time-stamp-precision=micro|nano, --micro, --nano */
			if (strcmp(optarg, "micro") != 0 && strcmp(optarg, "nano") != 0) {
				fprintf(stderr, "tcpnote: --time-stamp-precision takes micro or nano\n");
				return EXIT_USAGE;
			}
			/* fall through */
		case OPT_NANO:
		case OPT_MICRO:
			copts.nano = c == OPT_NANO || (c == OPT_TSPREC && strcmp(optarg, "nano") == 0);
			break;
		case 'v':
			popts.print.vflag++;
			break;
		case 'n':
			numeric = true;
			break;
		case 't':
			tflag++;
			break;
		case 'l':
			line_buffered = true;
			break;
		case 'x': /* tcpdump's payload dumps: repeated, from the link header on */
			xflag++;
			break;
		case 'X':
			Xflag++;
			break;
		case 'A':
			Aflag++;
			break;
		case 'K':
			popts.no_checksums = true;
			break;
		case 'N':
			popts.print.short_names = true;
			break;
		case '#':
			popts.print.number = true;
			break;
		case 'h':
			usage(stdout);
			return stdout_status();
		case OPT_VERSION:
			printf("tcpnote %s\n%s\n", TCPNOTE_VERSION, pcap_lib_version());
			return stdout_status();
		default:
			if (optopt != 0 && strchr("ricwsZCGWzFVQBjy", optopt) != NULL)
				fprintf(stderr, "tcpnote: option -%c needs an argument\n", optopt);
			else
				fprintf(stderr, "tcpnote: unknown option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cflags.list_devices)
		return list_and_exit(&cflags, &copts);
	if (nread > 0 && words_are_files(argc - optind, argv + optind))
		while (optind < argc)
			read_files[nread++] = argv[optind++];
	copts.read_files = read_files;
	copts.nread_files = nread;
	copts.file_error = on_file_error;
	copts.file_error_ctx = &reading;
	if (copts.read_file != NULL && copts.read_list != NULL) {
		fprintf(stderr, "tcpnote: -V and -r are mutually exclusive\n");
		return EXIT_USAGE;
	}
	if (copts.iface != NULL && (copts.read_file != NULL || copts.read_list != NULL)) {
		fprintf(stderr, "tcpnote: -i captures live, -%c reads files: give one of them\n",
			copts.read_file != NULL ? 'r' : 'V');
		usage(stderr);
		return EXIT_USAGE;
	}
	/*
	 * -i any: LINUX_SLL2, with per-packet interface names, as if -y said so:
	 * tcpdump 4.99 does it when the name starts with "any" (not for -i N,
	 * nor the default device, even when that is "any").
	 */
	if (copts.iface != NULL && strncmp(copts.iface, "any", 3) == 0 && copts.linktype < 0 &&
	    copts.read_file == NULL && copts.read_list == NULL)
		copts.linktype = DLT_LINUX_SLL2;
	/* Neither -r nor -V: live, on -i or the first device of -D, as tcpdump. */
	if ((cflags.list_tstamps || cflags.list_datalinks) && copts.read_file == NULL &&
	    copts.read_list == NULL)
		return list_and_exit(&cflags, &copts);
	if (tflag > 5) {
		fprintf(stderr, "tcpnote: at most five -t\n");
		return EXIT_USAGE;
	}
	if (copts.write_file != NULL && strcmp(copts.write_file, "-") == 0) {
		fprintf(stderr, "tcpnote: -w - would mix packets with the text on standard output\n");
		return EXIT_USAGE;
	}
	if (popts.shard_n > 0 && copts.write_file != NULL) {
		fprintf(stderr, "tcpnote: --shard chooses the connections tcpnote shows; -w saves every "
			"packet read: not together\n");
		return EXIT_USAGE;
	}
	if (rotate_check_options(&copts.rotate, copts.write_file != NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpnote: %s\n", err);
		return EXIT_USAGE;
	}
	if (explain && (popts.json || popts.quiet)) {
		fprintf(stderr, "tcpnote: --explain explains the text lines: not with --json or --quiet\n");
		return EXIT_USAGE;
	}
	if (lang != NULL && !explain) {
		fprintf(stderr, "tcpnote: --lang chooses the language of --explain\n");
		return EXIT_USAGE;
	}
	popts.explain = explain ? (lang != NULL ? lang : explain_lang_from_env()) : NULL;
	if (popts.ladder && (popts.json || explain)) {
		fprintf(stderr, "tcpnote: --ladder draws instead of the packet lines: not with --json or --explain\n");
		return EXIT_USAGE;
	}
	if (popts.ladder_opts.ascii && !popts.ladder) {
		fprintf(stderr, "tcpnote: --ascii is for --ladder\n");
		return EXIT_USAGE;
	}
	if (popts.only_flow != 0 && !popts.ladder && svg_path == NULL) {
		fprintf(stderr, "tcpnote: --flow chooses the connection --ladder or --svg draws\n");
		return EXIT_USAGE;
	}
	if (svg_path != NULL) {
		for (i = 0; i < nread; i++)
			if (capture_same_file(svg_path, read_files[i])) {
				fprintf(stderr, "tcpnote: --svg %s would overwrite the capture being read\n",
					svg_path);
				return EXIT_USAGE;
			}
		popts.keep_diagrams = true;
	}
	popts.ladder_opts.columns = ladder_columns(STDOUT_FILENO);
	popts.print.ts = (enum ts_mode)tflag;
	/* print.c's order: -X wins over -x, -x over -A. */
	popts.print.dump = Xflag ? DUMP_HEX_ASCII : xflag ? DUMP_HEX : Aflag ? DUMP_ASCII : DUMP_NONE;
	popts.print.dump_link = (Xflag ? Xflag : xflag ? xflag : Aflag) > 1;
	popts.print.resolve = !numeric;
	popts.keep_flows = summary;
	/* https://no-color.org: NO_COLOR set and not empty turns automatic colour off. */
	popts.print.color = strcmp(color, "always") == 0 ||
			    (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO) &&
			     (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0') &&
			     !popts.json);
	if (cflags.filter_file != NULL) {
		if (optind < argc) /* tcpdump ignores them without a word */
			fprintf(stderr, "tcpnote: WARNING: -F %s gives the filter: '%s' and the "
				"words after it are ignored\n", cflags.filter_file, argv[optind]);
		if (capture_read_filter_file(cflags.filter_file, &filter, err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpnote: %s\n", err);
			return EXIT_RUNTIME;
		}
	} else {
		filter = join_words(argc - optind, argv + optind);
	}

	rc = capture_open(&cap, &copts, err, sizeof(err));
	if (rc != CAPTURE_OK) {
		fprintf(stderr, "tcpnote: %s\n", err);
		free(filter);
		return rc == CAPTURE_ERR_FILTER ? EXIT_USAGE : EXIT_RUNTIME;
	}
	/* The device and a single -w file are open: root is no longer needed (tcpdump -Z). */
	if (drop_user != NULL) {
		rc = privdrop_to(drop_user, err, sizeof(err));
		if (rc != 0)
			fprintf(stderr, "tcpnote: %s\n", err);
		if (rc < 0) {
			capture_close(cap, err, sizeof(err));
			free(filter);
			return EXIT_RUNTIME;
		}
	}
	for (const char *w = capture_warnings(cap); *w != '\0'; w = strchr(w, '\n') + 1)
		fprintf(stderr, "tcpnote: WARNING: %.*s\n", (int)(strchr(w, '\n') - w), w);
	if (capture_is_live(cap) && copts.linktype >= 0)
		fprintf(stderr, "tcpnote: data link type %s\n", capture_datalink_name(cap));
	popts.dlt = capture_datalink(cap);
	if (capture_file_count(cap) == 1 && !link_supported(cap)) {
		capture_close(cap, err, sizeof(err));
		free(filter);
		return EXIT_RUNTIME;
	}
	/* Several -r: a file of a link type tcpnote cannot decode is said and left out; the rest is read. */
	for (i = 0; capture_file_count(cap) > 1 && i < capture_file_count(cap); i++)
		if (capture_describe_file(cap, i) && !link_supported(cap)) {
			capture_drop_file(cap);
			reading.file_failed = true;
		}
	rc = capture_set_filter(cap, filter, err, sizeof(err));
	if (rc != CAPTURE_OK) {
		fprintf(stderr, "tcpnote: %s\n", err);
		/* -r a.pcap b.pcap typo.pcap: the words were taken for a filter */
		if (rc == CAPTURE_ERR_FILTER && nread > 0 && optind < argc && access(argv[optind], F_OK) == 0)
			fprintf(stderr, "tcpnote: '%s' is a file, but the words after -r are files only when "
				"each names one; else give each file its own -r\n", argv[optind]);
		capture_close(cap, err, sizeof(err));
		free(filter);
		return rc == CAPTURE_ERR_FILTER ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (keylog_path != NULL) {
		unsigned long bad = 0;

		keylog = tls_keylog_new();
		/* Live, curl writes the key log during the capture: followed as it grows (it may not exist yet). */
		if (keylog != NULL && capture_is_live(cap))
			keylog_tail = tls_keylog_tail_new(keylog_path);
		if (keylog == NULL || (capture_is_live(cap) && keylog_tail == NULL)) {
			snprintf(err, sizeof(err), "out of memory");
			rc = -1;
		} else if (keylog_tail != NULL) {
			rc = tls_keylog_tail_poll(keylog_tail, keylog, err, sizeof(err)) < 0 ? -1 : 0;
		} else {
			rc = tls_keylog_load(keylog, keylog_path, &bad, err, sizeof(err));
		}
		if (rc < 0) {
			fprintf(stderr, "tcpnote: %s\n", err);
			tls_keylog_tail_free(keylog_tail);
			tls_keylog_free(keylog);
			capture_close(cap, err, sizeof(err));
			free(filter);
			return EXIT_RUNTIME;
		}
		if (keylog_tail != NULL && !tls_keylog_tail_found(keylog_tail))
			fprintf(stderr, "tcpnote: --keylog %s does not exist yet: waiting for it, "
				"its lines are read as they are written\n", keylog_path);
		/* Counted, never quoted: a key log holds secrets. Live, said at the end. */
		tell_keylog_skipped(keylog_path, bad);
		popts.keylog = keylog;
		popts.keylog_tail = keylog_tail;
	}
	/* Split -w files: by the -Z user, once a bad filter can no longer leave one behind. */
	rc = capture_save_open(cap, &copts, err, sizeof(err));
	if (rc != CAPTURE_OK) {
		fprintf(stderr, "tcpnote: %s\n", err);
		tls_keylog_tail_free(keylog_tail);
		tls_keylog_free(keylog);
		capture_close(cap, err, sizeof(err));
		free(filter);
		return EXIT_RUNTIME;
	}
	/* Opened now, when nothing else can fail the command line, and written at the end. */
	if (svg_path != NULL) {
		svg = strcmp(svg_path, "-") == 0 ? stdout : fopen(svg_path, "w");
		if (svg == NULL) {
			fprintf(stderr, "tcpnote: --svg %s: %s\n", svg_path, strerror(errno));
			tls_keylog_tail_free(keylog_tail);
			tls_keylog_free(keylog);
			capture_close(cap, err, sizeof(err));
			free(filter);
			return EXIT_RUNTIME;
		}
	}
	if (line_buffered)
		setvbuf(stdout, NULL, _IOLBF, 0);
	else if (!capture_is_live(cap) && !isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer)); /* replaying: fewer, larger writes */
	popts.live = capture_is_live(cap);
	pl = pipeline_new(stdout, &popts);
	if (pl == NULL) {
		fprintf(stderr, "tcpnote: out of memory\n");
		tls_keylog_tail_free(keylog_tail);
		tls_keylog_free(keylog);
		capture_close(cap, err, sizeof(err));
		free(filter);
		return EXIT_RUNTIME;
	}

	/* Live with two threads, the tick hands each batch the capture read to the output thread. */
	if (keylog_tail != NULL || (popts.live && pipeline_threaded(pl)))
		capture_set_tick(cap, pipeline_tick, pl);
	running_capture = cap;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* after the handlers: a Ctrl-C once it is said is a clean stop; several -r: a line each */
	for (i = 0; i < capture_file_count(cap); i++)
		if (capture_describe_file(cap, i))
			say_source(cap);
	/* Reading files for long, on a terminal's stderr while stdout goes elsewhere: a progress line. */
	reading.cap = cap;
	reading.pl = pl;
	if (!no_progress && capture_reads_regular_files(cap) && isatty(STDERR_FILENO) &&
	    !isatty(STDOUT_FILENO)) {
		reading.progress = progress_new(stderr);
		capture_set_progress(cap, on_progress, &reading);
	}

	rc = capture_run(cap, (int)count, pipeline_frame, pl, err, sizeof(err));
	/* -V: the next files in turn, one output; -c counts in each file, as tcpdump's. */
	while (rc == CAPTURE_OK && (rc = capture_next_file(cap, &more, err, sizeof(err))) == 0 &&
	       more) {
		pipeline_sync(pl);
		fflush(stdout); /* the packets before the next file's line, as tcpdump */
		progress_clear(reading.progress);
		say_source(cap);
		if (!link_supported(cap)) {
			status = EXIT_RUNTIME;
			break;
		}
		pipeline_set_dlt(pl, capture_datalink(cap));
		rc = capture_run(cap, (int)count, pipeline_frame, pl, err, sizeof(err));
	}
	running_capture = NULL;
	pipeline_sync(pl); /* every line handed over is written before any message */
	progress_clear(reading.progress);
	progress_free(reading.progress);
	reading.progress = NULL;
	if (reading.file_failed)
		status = EXIT_RUNTIME;
	if (capture_files_done(cap)) /* -G with -W: tcpdump's words */
		fprintf(stderr, "Maximum file limit reached: %d\n", copts.rotate.files);
	out_err = pipeline_write_error(pl);
	if (rc != CAPTURE_OK) {
		/* The packets before the message, as they were read. */
		if (out_err == 0 && fflush(stdout) != 0)
			out_err = errno_or_eio();
		tell_failure(&told, err);
		status = EXIT_RUNTIME;
	}
	if (!pipeline_finish(pl))
		fprintf(stderr, "tcpnote: ran out of memory; some connections are missing\n");
	if (out_err == 0) /* the flow records and ladders written at the end */
		out_err = pipeline_write_error(pl);
	if (summary && out_err == 0) {
		size_t nflows;
		const struct flow_record *flows = pipeline_flows(pl, &nflows);

		if (summary_print(stdout, flows, nflows) < 0)
			out_err = errno_or_eio();
	}
	tell_write_error(&told, &status, "standard output", out_err);
	if (svg != NULL && !(svg == stdout && out_err != 0)) {
		size_t ndiag;
		const struct diag_conn *const *diag = pipeline_diagrams(pl, &ndiag);
		int svg_err = svg_write(svg, diag, ndiag) < 0 ? errno_or_eio() : 0;

		if (svg == stdout)
			out_err = svg_err;
		else if (fclose(svg) != 0 && svg_err == 0)
			svg_err = errno_or_eio();
		tell_write_error(&told, &status, svg == stdout ? "standard output" : svg_path,
				 svg_err);
	}
	if (out_err == 0 && fflush(stdout) != 0)
		tell_write_error(&told, &status, "standard output", errno_or_eio());
	if (capture_stats(cap, &captured, &received, &dropped)) {
		fprintf(stderr, "%lu packet%s captured\n", captured, captured == 1 ? "" : "s");
		fprintf(stderr, "%lu packet%s received by filter\n", received, received == 1 ? "" : "s");
		fprintf(stderr, "%lu packet%s dropped by kernel\n", dropped, dropped == 1 ? "" : "s");
	}
	if (pipeline_not_printed(pl) > 0)
		fprintf(stderr,
			"tcpnote: %llu line%s not printed: the output fell behind the capture "
			"(every packet still went to the tracker%s)\n",
			(unsigned long long)pipeline_not_printed(pl),
			pipeline_not_printed(pl) == 1 ? "" : "s", copts.write_file != NULL ? " and -w" : "");
	if (pipeline_other_packets(pl) > 0)
		fprintf(stderr, "tcpnote: %lu non-TCP packet%s not shown\n", pipeline_other_packets(pl),
			pipeline_other_packets(pl) == 1 ? "" : "s");
	{
		uint64_t idle, full;

		pipeline_evictions(pl, &idle, &full);
		if (idle + full > 0)
			fprintf(stderr,
				"tcpnote: %llu connections evicted: %llu idle longer than --idle-timeout, "
				"%llu to stay within --max-flows %zu\n",
				(unsigned long long)(idle + full), (unsigned long long)idle,
				(unsigned long long)full, popts.max_flows);
	}
	if (pipeline_not_drawn(pl) > 0)
		fprintf(stderr,
			"tcpnote: %llu connections not drawn (at most 65536 at once, 1000 in an SVG); "
			"choose one with --flow ID\n",
			(unsigned long long)pipeline_not_drawn(pl));
	if (pipeline_out_of_memory(pl))
		fprintf(stderr, "tcpnote: ran out of memory; some packets are unlabeled\n");
	if (keylog_tail != NULL) {
		if (pipeline_keylog_error(pl)[0] != '\0')
			fprintf(stderr, "tcpnote: %s; it was read no more\n", pipeline_keylog_error(pl));
		tell_keylog_skipped(keylog_path, tls_keylog_tail_bad(keylog_tail));
	}
	if (status == EXIT_OK && !check_expectations(pl, expects, nexpect))
		status = EXIT_EXPECT;
	if (!capture_close(cap, err, sizeof(err))) {
		tell_failure(&told, err);
		status = EXIT_RUNTIME;
	}
	pipeline_free(pl);
	tls_keylog_tail_free(keylog_tail);
	tls_keylog_free(keylog);
	free(filter);
	return status;
}
