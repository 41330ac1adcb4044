/* fuzz_tls.c - libFuzzer harness: TLS decryption with a key log, on segments of both directions. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_peer.h"
#include "tcpnote/app_hints.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/tls_keylog.h"
#include "tcpnote/tls_keylog_tail.h"

/*
 * Input: a 2-byte length N and N bytes of key log (lines split at '\n', as
 * the file would be), then fuzz_app's format: an options byte and segments
 * (a header byte: bit 7 client, bits 0-6 a signed jump of the sequence
 * number; a 2-byte length; the payload; length 0: an ACK or a reset, see
 * fuzz_peer.h). The seeds are the captures with a key log beside them, so
 * the mutations start from records that decrypt.
 *
 * Options bit 1: live (app_keys.h), the key log arriving only after segment
 * number options >> 2 (records before it are held), the clock 10 ms on at
 * each segment (so the grace period runs out past 80 of them).
 */
static void keylog_lines(struct tls_keylog *kl, const uint8_t *data, size_t klen)
{
	size_t at, start;

	for (start = at = 0; at <= klen; at++) {
		if (at == klen || data[at] == '\n') {
			tls_keylog_line(kl, (const char *)data + start, at - start);
			start = at + 1;
		}
	}
}

static void hints_text(const struct app_hints *h)
{
	char text[1024];
	uint32_t bits;
	enum app_hint_kind k;

	for (bits = h->bits; (k = app_hints_next(&bits)) != APP_HINT_COUNT;)
		app_hint_format(h, k, text, sizeof(text));
}

static void on_late(void *ctx, const struct app_late *l)
{
	(void)ctx;
	hints_text(&l->hints);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *tail = NULL;
	struct app_keys *keys = NULL;
	struct app_conn_facts facts;
	struct app_tls_session *sess = NULL;
	struct app_dir *dir[2] = {app_dir_new(), app_dir_new()};
	struct app_cert_chain *chain = NULL;
	uint32_t next[2] = {1000, 500000};
	size_t at, klen, nseg = 0, keys_at = 0;
	int64_t now = 1000000000;
	bool live;

	memset(&facts, 0, sizeof(facts));
	if (kl == NULL || dir[0] == NULL || dir[1] == NULL || size < 2)
		goto out;
	klen = (size_t)data[0] << 8 | data[1];
	if (klen > size - 2)
		klen = size - 2;
	at = 2 + klen;
	live = at < size && (data[at] & 2);
	if (live) {
		keys_at = data[at] >> 2;
		tail = tls_keylog_tail_new("/nonexistent/tcpnote-fuzz-keys");
		if (tail == NULL || (keys = app_keys_new(kl, tail, on_late, NULL)) == NULL)
			goto out;
		sess = app_keys_session_new(keys, &facts);
	} else {
		keylog_lines(kl, data + 2, klen);
		sess = app_tls_session_new(kl);
	}
	if (sess == NULL)
		goto out;
	app_dir_set_session(dir[0], sess);
	app_dir_set_session(dir[1], sess);
	app_dir_collect_chain(dir[1], &chain);
	if (at < size && (data[at] & 1)) {
		app_dir_anchor(dir[0], next[0]);
		app_dir_anchor(dir[1], next[1]);
	}
	at++;
	while (at + 3 <= size) {
		int client = data[at] >> 7;
		int jump = (int)(int8_t)(uint8_t)(data[at] << 1) / 2;
		size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
		struct app_hints h;
		uint32_t seq;

		if (live) {
			if (nseg == keys_at)
				keylog_lines(kl, data + 2, klen);
			app_keys_tick(keys, now);
			now += 10000000;
		}
		nseg++;
		at += 3;
		h.bits = 0;
		if (len > size - at)
			len = size - at;
		seq = next[!client] + (uint32_t)jump;
		if (len == 0)
			peer_news(dir, client, next[client] + (uint32_t)jump, jump, &h);
		else
			app_feed(dir[!client], client != 0, seq, data + at, len, &h);
		if (seq + len - next[!client] < 0x80000000u)
			next[!client] = seq + (uint32_t)len;
		hints_text(&h);
		/* What app_track does across directions after a HelloRetryRequest. */
		if (app_hints_has(&h, APP_HINT_SERVER_HELLO) && h.hello_retry)
			app_dir_hello_retry(dir[0]);
		at += len;
	}
	if (live) {
		if (nseg <= keys_at)
			keylog_lines(kl, data + 2, klen);
		app_keys_finish(keys);
	}
out:
	app_dir_free(dir[0]);
	app_dir_free(dir[1]);
	free(chain);
	app_tls_session_free(sess);
	app_keys_free(keys);
	tls_keylog_tail_free(tail);
	tls_keylog_free(kl);
	return 0;
}
