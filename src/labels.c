/* labels.c - label names, exactly as the contract in labels.md spells them. */
#include <stdio.h>
#include <string.h>

#include "tcpnote/labels.h"

static const char *const label_names[LABEL_COUNT] = {
	[LABEL_HANDSHAKE_1] = "handshake 1/3",
	[LABEL_PORT_REUSE] = "port reuse",
	[LABEL_HANDSHAKE_2] = "handshake 2/3",
	[LABEL_HANDSHAKE_3] = "handshake 3/3",
	[LABEL_SIMULTANEOUS_OPEN] = "simultaneous open",
	[LABEL_MIDSTREAM] = "midstream",
	[LABEL_DATA] = "data",
	[LABEL_ACK] = "ack",
	[LABEL_KEEPALIVE] = "keepalive",
	[LABEL_KEEPALIVE_ACK] = "keepalive ack",
	[LABEL_CLOSE_1] = "close 1/4",
	[LABEL_CLOSE_2] = "close 2/4",
	[LABEL_CLOSE_3] = "close 3/4",
	[LABEL_FIN_MERGED] = "FIN merged",
	[LABEL_CLOSE_4] = "close 4/4",
	[LABEL_SIMULTANEOUS_CLOSE] = "simultaneous close",
	[LABEL_RESET] = "reset",
	[LABEL_REFUSED] = "refused",
	[LABEL_ZERO_WINDOW_PROBE] = "zero window probe",
	[LABEL_ZERO_WINDOW] = "zero window",
	[LABEL_PREVIOUS_NOT_CAPTURED] = "previous segment not captured",
	[LABEL_WINDOW_UPDATE] = "window update",
	[LABEL_WINDOW_FULL] = "window full",
	[LABEL_ZERO_WINDOW_PROBE_ACK] = "zero window probe ack",
	[LABEL_DUP_ACK] = "dup ack",
	[LABEL_ACKED_UNSEEN] = "acked unseen segment",
	[LABEL_SPURIOUS_RETRANSMISSION] = "spurious retransmission",
	[LABEL_FAST_RETRANSMISSION] = "fast retransmission",
	[LABEL_OUT_OF_ORDER] = "out-of-order",
	[LABEL_RETRANSMISSION] = "retransmission",
	[LABEL_DUPLICATE] = "duplicate",
};

const char *label_name(enum label l)
{
	if ((unsigned)l >= LABEL_COUNT)
		return "?";
	return label_names[l];
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
		append(buf, n, &need, label_names[l]);
		if (l == LABEL_DUP_ACK) {
			char num[16];

			snprintf(num, sizeof(num), " #%u", s->dup_ack);
			append(buf, n, &need, num);
		}
	}
	return need;
}
