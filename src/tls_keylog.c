/* tls_keylog.c - reads an NSS key log into a hash of client randoms, refusing any line that is not exactly the format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tcpnote/tls_keylog.h"

struct kl_entry {
	uint8_t random[TLS_KL_RANDOM_LEN];
	uint8_t have;                    /* 1u << enum tls_keylog_label */
	uint8_t len[TLS_KL_COUNT];
	uint8_t secret[TLS_KL_COUNT][TLS_KL_SECRET_MAX];
	bool used;
};

struct tls_keylog {
	struct kl_entry *slot; /* open addressing, a power of two, at most half full */
	size_t cap, n;
};

static const struct {
	const char *name;
	int label; /* enum tls_keylog_label, or -1: a known label that is not used */
} kl_names[] = {
	{"CLIENT_RANDOM", TLS_KL_CLIENT_RANDOM},
	{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_KL_CLIENT_HS},
	{"SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_KL_SERVER_HS},
	{"CLIENT_TRAFFIC_SECRET_0", TLS_KL_CLIENT_AP0},
	{"SERVER_TRAFFIC_SECRET_0", TLS_KL_SERVER_AP0},
	{"EXPORTER_SECRET", -1},
	{"EARLY_EXPORTER_SECRET", -1},
	{"CLIENT_EARLY_TRAFFIC_SECRET", -1},
};

const char *tls_keylog_label_name(enum tls_keylog_label label)
{
	size_t i;

	for (i = 0; i < sizeof(kl_names) / sizeof(kl_names[0]); i++)
		if (kl_names[i].label == (int)label)
			return kl_names[i].name;
	return "?";
}

struct tls_keylog *tls_keylog_new(void)
{
	return calloc(1, sizeof(struct tls_keylog));
}

void tls_keylog_free(struct tls_keylog *kl)
{
	if (kl == NULL)
		return;
	if (kl->slot != NULL)
		OPENSSL_cleanse(kl->slot, kl->cap * sizeof(*kl->slot));
	free(kl->slot);
	free(kl);
}

/* The random is random: its first bytes are a good enough hash. */
static size_t kl_hash(const uint8_t *r)
{
	size_t h = 0, i;

	for (i = 0; i < sizeof(size_t); i++)
		h = (h << 8) | r[i];
	return h;
}

static struct kl_entry *kl_slot(const struct tls_keylog *kl, const uint8_t *random)
{
	size_t i;

	if (kl->cap == 0)
		return NULL;
	for (i = kl_hash(random) & (kl->cap - 1);; i = (i + 1) & (kl->cap - 1))
		if (!kl->slot[i].used || memcmp(kl->slot[i].random, random, TLS_KL_RANDOM_LEN) == 0)
			return &kl->slot[i];
}

static bool kl_grow(struct tls_keylog *kl)
{
	size_t cap = kl->cap ? kl->cap * 2 : 64, i;
	struct tls_keylog bigger = {calloc(cap, sizeof(struct kl_entry)), cap, kl->n};

	if (bigger.slot == NULL)
		return false;
	for (i = 0; i < kl->cap; i++)
		if (kl->slot[i].used)
			*kl_slot(&bigger, kl->slot[i].random) = kl->slot[i];
	if (kl->slot != NULL)
		OPENSSL_cleanse(kl->slot, kl->cap * sizeof(*kl->slot));
	free(kl->slot);
	*kl = bigger;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n hex digits (2 per byte) into out; false on anything else. */
static bool hex_bytes(const char *s, size_t n, uint8_t *out)
{
	size_t i;

	if (n % 2 != 0)
		return false;
	for (i = 0; i < n; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

enum tls_keylog_line_result tls_keylog_line(struct tls_keylog *kl, const char *line, size_t len)
{
	const char *sp1, *sp2;
	size_t i, nlen, slen;
	uint8_t random[TLS_KL_RANDOM_LEN], secret[TLS_KL_SECRET_MAX];
	struct kl_entry *e;
	int label = -2;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return TLS_KL_LINE_IGNORED;
	if (len > TLS_KL_LINE_MAX)
		return TLS_KL_LINE_BAD;
	sp1 = memchr(line, ' ', len);
	if (sp1 == NULL)
		return TLS_KL_LINE_BAD;
	nlen = (size_t)(sp1 - line);
	for (i = 0; i < sizeof(kl_names) / sizeof(kl_names[0]); i++)
		if (strlen(kl_names[i].name) == nlen && memcmp(kl_names[i].name, line, nlen) == 0)
			label = kl_names[i].label;
	if (label == -2)
		return TLS_KL_LINE_BAD;
	sp2 = memchr(sp1 + 1, ' ', len - nlen - 1);
	if (sp2 == NULL || sp2 - sp1 - 1 != 2 * TLS_KL_RANDOM_LEN ||
	    !hex_bytes(sp1 + 1, 2 * TLS_KL_RANDOM_LEN, random))
		return TLS_KL_LINE_BAD;
	slen = len - (size_t)(sp2 + 1 - line);
	/* 32 or 48 bytes in practice (SHA-256, SHA-384); TLS 1.2's master secret is 48. */
	if (slen == 0 || slen > 2 * TLS_KL_SECRET_MAX || !hex_bytes(sp2 + 1, slen, secret) ||
	    (label == TLS_KL_CLIENT_RANDOM && slen != 96) || (label >= 0 && slen < 64)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return TLS_KL_LINE_BAD;
	}
	if (label < 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return TLS_KL_LINE_IGNORED;
	}
	e = kl_slot(kl, random);
	if (e == NULL || !e->used) {
		if (kl->n >= TLS_KL_SESSIONS_MAX || ((kl->n + 1) * 2 > kl->cap && !kl_grow(kl))) {
			OPENSSL_cleanse(secret, sizeof(secret));
			return TLS_KL_LINE_BAD;
		}
		e = kl_slot(kl, random);
		memcpy(e->random, random, sizeof(random));
		e->used = true;
		kl->n++;
	}
	if (e->have & (1u << label)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return TLS_KL_LINE_IGNORED;
	}
	memcpy(e->secret[label], secret, slen / 2);
	e->len[label] = (uint8_t)(slen / 2);
	e->have |= (uint8_t)(1u << label);
	OPENSSL_cleanse(secret, sizeof(secret));
	return TLS_KL_LINE_TAKEN;
}

/* One line of the file: too long, or not the format, counts as bad. */
static void feed_line(struct tls_keylog *kl, struct tls_keylog_lines *ls, unsigned long *bad,
		      unsigned long *taken)
{
	enum tls_keylog_line_result r =
		ls->over ? TLS_KL_LINE_BAD : tls_keylog_line(kl, ls->line, ls->n);

	if (r == TLS_KL_LINE_BAD && bad != NULL)
		(*bad)++;
	else if (r == TLS_KL_LINE_TAKEN && taken != NULL)
		(*taken)++;
	tls_keylog_lines_reset(ls);
}

void tls_keylog_lines_reset(struct tls_keylog_lines *ls)
{
	OPENSSL_cleanse(ls->line, sizeof(ls->line));
	ls->n = 0;
	ls->over = false;
}

void tls_keylog_feed(struct tls_keylog *kl, struct tls_keylog_lines *ls, const char *buf, size_t n,
		     unsigned long *bad, unsigned long *taken)
{
	size_t i;

	/* Byte by byte: a NUL or an endless line cannot shift where the next line starts. */
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n')
			feed_line(kl, ls, bad, taken);
		else if (ls->n < sizeof(ls->line))
			ls->line[ls->n++] = buf[i];
		else
			ls->over = true;
	}
}

void tls_keylog_feed_end(struct tls_keylog *kl, struct tls_keylog_lines *ls, unsigned long *bad,
			 unsigned long *taken)
{
	if (ls->n > 0 || ls->over)
		feed_line(kl, ls, bad, taken);
}

int tls_keylog_load(struct tls_keylog *kl, const char *path, unsigned long *bad, char *err,
		    size_t errlen)
{
	struct tls_keylog_lines ls = {.n = 0};
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	*bad = 0;
	if (f == NULL) {
		snprintf(err, errlen, "--keylog %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		tls_keylog_feed(kl, &ls, buf, n, bad, NULL);
	tls_keylog_feed_end(kl, &ls, bad, NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (ferror(f)) {
		snprintf(err, errlen, "--keylog %s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

bool tls_keylog_find(const struct tls_keylog *kl, const uint8_t random[TLS_KL_RANDOM_LEN],
		     enum tls_keylog_label label, const uint8_t **secret, size_t *len)
{
	const struct kl_entry *e;

	if (kl == NULL || (unsigned)label >= TLS_KL_COUNT)
		return false;
	e = kl_slot(kl, random);
	if (e == NULL || !e->used || !(e->have & (1u << label)))
		return false;
	*secret = e->secret[label];
	*len = e->len[label];
	return true;
}

size_t tls_keylog_sessions(const struct tls_keylog *kl)
{
	return kl != NULL ? kl->n : 0;
}
