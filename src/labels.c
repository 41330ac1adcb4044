/* labels.c - label names, exactly as the contract in labels.md spells them. */
#include <stdio.h>
#include <string.h>

#include "tcpnote/labels.h"
#include "tcpnote/sbuf.h"

/* A name with its length, worked out by the compiler. */
struct name {
	const char *text;
	size_t len;
};
#define NAME(s) {s, sizeof(s) - 1}

static const struct name label_names[LABEL_COUNT] = {
	[LABEL_HANDSHAKE_1] = NAME("handshake 1/3"),
	[LABEL_PORT_REUSE] = NAME("port reuse"),
	[LABEL_HANDSHAKE_2] = NAME("handshake 2/3"),
	[LABEL_HANDSHAKE_3] = NAME("handshake 3/3"),
	[LABEL_SIMULTANEOUS_OPEN] = NAME("simultaneous open"),
	[LABEL_MIDSTREAM] = NAME("midstream"),
	[LABEL_DATA] = NAME("data"),
	[LABEL_ACK] = NAME("ack"),
	[LABEL_KEEPALIVE] = NAME("keepalive"),
	[LABEL_KEEPALIVE_ACK] = NAME("keepalive ack"),
	[LABEL_CLOSE_1] = NAME("close 1/4"),
	[LABEL_CLOSE_2] = NAME("close 2/4"),
	[LABEL_CLOSE_3] = NAME("close 3/4"),
	[LABEL_FIN_MERGED] = NAME("FIN merged"),
	[LABEL_CLOSE_4] = NAME("close 4/4"),
	[LABEL_SIMULTANEOUS_CLOSE] = NAME("simultaneous close"),
	[LABEL_RESET] = NAME("reset"),
	[LABEL_REFUSED] = NAME("refused"),
	[LABEL_ZERO_WINDOW_PROBE] = NAME("zero window probe"),
	[LABEL_ZERO_WINDOW] = NAME("zero window"),
	[LABEL_PREVIOUS_NOT_CAPTURED] = NAME("previous segment not captured"),
	[LABEL_WINDOW_UPDATE] = NAME("window update"),
	[LABEL_WINDOW_FULL] = NAME("window full"),
	[LABEL_ZERO_WINDOW_PROBE_ACK] = NAME("zero window probe ack"),
	[LABEL_DUP_ACK] = NAME("dup ack"),
	[LABEL_ACKED_UNSEEN] = NAME("acked unseen segment"),
	[LABEL_SPURIOUS_RETRANSMISSION] = NAME("spurious retransmission"),
	[LABEL_FAST_RETRANSMISSION] = NAME("fast retransmission"),
	[LABEL_OUT_OF_ORDER] = NAME("out-of-order"),
	[LABEL_RETRANSMISSION] = NAME("retransmission"),
	[LABEL_DUPLICATE] = NAME("duplicate"),
};

const char *label_name(enum label l)
{
	if ((unsigned)l >= LABEL_COUNT)
		return "?";
	return label_names[l].text;
}

enum label_kind label_kind_of(enum label l)
{
	if (l == LABEL_RESET || l == LABEL_REFUSED)
		return LABEL_KIND_RESET;
	return l >= LABEL_ZERO_WINDOW_PROBE ? LABEL_KIND_ANALYSIS : LABEL_KIND_LIFECYCLE;
}

/* Append str at *len, copying what fits below n - 1, like snprintf. */
static void append(char *buf, size_t n, size_t *len, const char *str)
{
	size_t k = strlen(str);

	if (*len + 1 < n) {
		size_t room = n - 1 - *len;

		memcpy(buf + *len, str, k < room ? k : room);
		buf[*len + (k < room ? k : room)] = '\0';
	}
	*len += k;
}

size_t labels_format(const struct labels *s, char *buf, size_t n)
{
	size_t need = 0;
	unsigned l;

	if (n > 0)
		buf[0] = '\0';
	for (l = 0; l < LABEL_COUNT; l++) {
		if (!labels_has(s, (enum label)l))
			continue;
		if (need > 0)
			append(buf, n, &need, ", ");
		append(buf, n, &need, label_names[l].text);
		if (l == LABEL_DUP_ACK) {
			char num[16];

			snprintf(num, sizeof(num), " #%u", s->dup_ack);
			append(buf, n, &need, num);
		}
	}
	return need;
}

void labels_put(const struct labels *s, struct sbuf *sb)
{
	uint32_t bits = s->bits;
	enum label l;
	bool first = true;

	while ((l = labels_next(&bits)) != LABEL_COUNT) {
		if (!first)
			sbuf_putn(sb, ", ", 2);
		first = false;
		sbuf_putn(sb, label_names[l].text, label_names[l].len);
		if (l == LABEL_DUP_ACK) {
			sbuf_putn(sb, " #", 2);
			sbuf_put_uint(sb, s->dup_ack, 0);
		}
	}
}
