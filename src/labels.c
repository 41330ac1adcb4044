/* labels.c - label names, exactly as the contract in labels.md spells them. */
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

/* The longest text a label set can have: every name, its separator, and a dup ack number. */
#define LABELS_TEXT_MAX 1024

size_t labels_format(const struct labels *s, char *buf, size_t n)
{
	char all[LABELS_TEXT_MAX];
	struct sbuf sb;

	sbuf_init(&sb, all, sizeof(all));
	labels_put(s, &sb);
	if (n > 0) {
		size_t k = sb.len < n - 1 ? sb.len : n - 1;

		memcpy(buf, all, k);
		buf[k] = '\0';
	}
	return sb.len;
}

void labels_put_styled(const struct labels *s, struct sbuf *sb, const char *const kind_start[3],
		       const char *end)
{
	uint32_t bits = s->bits;
	enum label l;
	bool first = true;

	while ((l = labels_next(&bits)) != LABEL_COUNT) {
		if (!first)
			sbuf_putn(sb, ", ", 2);
		first = false;
		if (kind_start != NULL)
			sbuf_puts(sb, kind_start[label_kind_of(l)]);
		sbuf_putn(sb, label_names[l].text, label_names[l].len);
		if (l == LABEL_DUP_ACK) {
			sbuf_putn(sb, " #", 2);
			sbuf_put_uint(sb, s->dup_ack, 0);
		}
		if (end != NULL)
			sbuf_puts(sb, end);
	}
}

void labels_put(const struct labels *s, struct sbuf *sb)
{
	labels_put_styled(s, sb, NULL, NULL);
}
