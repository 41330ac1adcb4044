/* tls_keylog_tail.c - follows a key log as it grows (tail -F): appended complete lines, a file cut or replaced read again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tcpnote/tls_keylog_tail.h"

struct tls_keylog_tail {
	char *path;
	int fd;          /* -1 until the file is found */
	dev_t dev;       /* the file fd reads: another at the path is a new file */
	ino_t ino;
	off_t off;       /* bytes of it read */
	struct tls_keylog_lines lines; /* a line begun, waiting for its newline */
	unsigned long bad;
};

struct tls_keylog_tail *tls_keylog_tail_new(const char *path)
{
	struct tls_keylog_tail *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->path = strdup(path);
	if (t->path == NULL) {
		free(t);
		return NULL;
	}
	t->fd = -1;
	return t;
}

void tls_keylog_tail_free(struct tls_keylog_tail *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	tls_keylog_lines_reset(&t->lines);
	free(t->path);
	free(t);
}

bool tls_keylog_tail_found(const struct tls_keylog_tail *t)
{
	return t->fd >= 0;
}

unsigned long tls_keylog_tail_bad(const struct tls_keylog_tail *t)
{
	return t->bad;
}

static long tail_error(const struct tls_keylog_tail *t, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "--keylog %s: %s", t->path, strerror(e));
	return -1;
}

/* Read fd from where it is to its end; the secrets kept are added to *taken. */
static int read_rest(struct tls_keylog_tail *t, struct tls_keylog *kl, unsigned long *taken)
{
	char buf[4096];
	ssize_t n;
	int e = 0;

	for (;;) {
		n = read(t->fd, buf, sizeof(buf));
		if (n > 0) {
			t->off += n;
			tls_keylog_feed(kl, &t->lines, buf, (size_t)n, &t->bad, taken);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* A FIFO with nothing in it yet says EAGAIN: nothing more for now. */
		if (n < 0 && errno != EAGAIN)
			e = errno;
		break;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return e;
}

/* The file now at the path: opened, read from its start. */
static int open_new(struct tls_keylog_tail *t)
{
	struct stat st;
	/* Non-blocking: a FIFO without a writer must not stop the capture. */
	int fd = open(t->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		int e = errno;

		close(fd);
		return e;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = fd;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->off = 0;
	tls_keylog_lines_reset(&t->lines);
	return 0;
}

long tls_keylog_tail_poll(struct tls_keylog_tail *t, struct tls_keylog *kl, char *err,
			  size_t errlen)
{
	struct stat st;
	unsigned long taken = 0;
	int e;

	if (stat(t->path, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return tail_error(t, errno, err, errlen);
		/* Gone: what the writer still appends to the file we hold is read. */
		if (t->fd >= 0 && (e = read_rest(t, kl, &taken)) != 0)
			return tail_error(t, e, err, errlen);
		return (long)taken;
	}
	if (t->fd >= 0 && (st.st_dev != t->dev || st.st_ino != t->ino)) {
		/* Replaced: the old file's last lines first, then the new file from its start. */
		if ((e = read_rest(t, kl, &taken)) != 0)
			return tail_error(t, e, err, errlen);
		close(t->fd);
		t->fd = -1;
	}
	if (t->fd < 0 && (e = open_new(t)) != 0) {
		if (e == ENOENT) /* removed between stat and open */
			return (long)taken;
		return tail_error(t, e, err, errlen);
	}
	if (fstat(t->fd, &st) != 0)
		return tail_error(t, errno, err, errlen);
	if (S_ISREG(st.st_mode) && st.st_size < t->off) {
		/* Cut shorter than what was read: written again from its start. */
		if (lseek(t->fd, 0, SEEK_SET) != 0)
			return tail_error(t, errno, err, errlen);
		t->off = 0;
		tls_keylog_lines_reset(&t->lines);
	}
	if ((e = read_rest(t, kl, &taken)) != 0)
		return tail_error(t, e, err, errlen);
	return (long)taken;
}
