/* fuzz_tls.c - libFuzzer harness: TLS decryption with a key log, on segments of both directions. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_peer.h"
#include "tcpnote/app_hints.h"
#include "tcpnote/tls_keylog.h"

/*
 * Input: a 2-byte length N and N bytes of key log (lines split at '\n', as
 * the file would be), then fuzz_app's format: an options byte and segments
 * (a header byte: bit 7 client, bits 0-6 a signed jump of the sequence
 * number; a 2-byte length; the payload; length 0: an ACK or a reset, see
 * fuzz_peer.h). The seeds are the captures with a key log beside them, so
 * the mutations start from records that decrypt.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_keylog *kl = tls_keylog_new();
	struct app_tls_session *sess = NULL;
	struct app_dir *dir[2] = {app_dir_new(), app_dir_new()};
	struct app_cert_chain *chain = NULL;
	uint32_t next[2] = {1000, 500000};
	size_t at, klen, start;
	char text[1024];

	if (kl == NULL || dir[0] == NULL || dir[1] == NULL || size < 2)
		goto out;
	klen = (size_t)data[0] << 8 | data[1];
	if (klen > size - 2)
		klen = size - 2;
	for (start = at = 2; at <= 2 + klen; at++) {
		if (at == 2 + klen || data[at] == '\n') {
			tls_keylog_line(kl, (const char *)data + start, at - start);
			start = at + 1;
		}
	}
	at = 2 + klen;
	if ((sess = app_tls_session_new(kl)) == NULL)
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
		uint32_t bits, seq;
		enum app_hint_kind k;

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
		for (bits = h.bits; (k = app_hints_next(&bits)) != APP_HINT_COUNT;)
			app_hint_format(&h, k, text, sizeof(text));
		/* What app_track does across directions after a HelloRetryRequest. */
		if (app_hints_has(&h, APP_HINT_SERVER_HELLO) && h.hello_retry)
			app_dir_hello_retry(dir[0]);
		at += len;
	}
out:
	app_dir_free(dir[0]);
	app_dir_free(dir[1]);
	free(chain);
	app_tls_session_free(sess);
	tls_keylog_free(kl);
	return 0;
}
