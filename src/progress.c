/* progress.c - a line on a terminal's stderr, rewritten in place: how far reading files is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tcpnote/progress.h"

/* "\r" back to the start of the line, "ESC [ K" erases to its end (ECMA-48 EL). */
#define ERASE "\r\033[K"

struct progress {
	FILE *tty;
	int64_t start_ns, last_ns; /* CLOCK_MONOTONIC */
	bool shown;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct progress *progress_new(FILE *tty)
{
	struct progress *pr = calloc(1, sizeof(*pr));

	if (pr == NULL)
		return NULL;
	pr->tty = tty;
	pr->start_ns = pr->last_ns = now_ns();
	return pr;
}

/* 1234567 -> "1.2 MB": SI units, as ls -h --si and curl count. */
static void format_bytes(char *s, size_t n, double b)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	size_t u = 0;

	while (b >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		b /= 1000;
		u++;
	}
	snprintf(s, n, u == 0 ? "%.0f %s" : "%.1f %s", b, unit[u]);
}

/* Columns of the terminal (80 when it does not say): a longer line would wrap and not be rewritten. */
static size_t columns(FILE *tty)
{
	struct winsize ws;

	if (ioctl(fileno(tty), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void progress_update(struct progress *pr, const struct capture_position *pos)
{
	int64_t now;
	double secs, rate;
	char line[256], done[32], total[32], speed[32], left[32] = "";
	size_t len, width;

	if (pr == NULL)
		return;
	now = now_ns();
	if (now - pr->last_ns < 1000000000 / PROGRESS_PER_SECOND)
		return;
	pr->last_ns = now;
	secs = (double)(now - pr->start_ns) / 1e9;
	rate = secs > 0 ? (double)pos->bytes_read / secs : 0;
	format_bytes(done, sizeof(done), (double)pos->bytes_read);
	format_bytes(total, sizeof(total), (double)pos->bytes_total);
	format_bytes(speed, sizeof(speed), rate);
	if (rate > 0 && pos->bytes_total >= pos->bytes_read) {
		unsigned long long s =
			(unsigned long long)((double)(pos->bytes_total - pos->bytes_read) / rate + 0.5);

		if (s >= 3600)
			snprintf(left, sizeof(left), ", %llu:%02llu:%02llu left", s / 3600, s / 60 % 60, s % 60);
		else
			snprintf(left, sizeof(left), ", %llu:%02llu left", s / 60, s % 60);
	}
	/* 79 columns at most: "12/48 files, 146.3 GB of 248.6 GB, 1234567890 packets, 56.8 MB/s, 10:02:03 left" */
	len = (size_t)snprintf(line, sizeof(line), ERASE "%zu/%zu files, %s of %s, %llu packets, %s/s%s",
			       pos->files_done, pos->files_total, done, total,
			       (unsigned long long)pos->packets, speed, left);
	width = strlen(ERASE) + columns(pr->tty) - 1;
	if (len > width)
		len = width;
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	/* One write: standard error is unbuffered, and the line must not flicker in pieces. */
	fwrite(line, 1, len, pr->tty);
	pr->shown = true;
}

void progress_clear(struct progress *pr)
{
	if (pr == NULL || !pr->shown)
		return;
	fputs(ERASE, pr->tty);
	pr->shown = false;
}

void progress_free(struct progress *pr)
{
	free(pr);
}
