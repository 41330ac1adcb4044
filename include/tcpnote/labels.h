/* labels.h - the label vocabulary of ../shared/reference/labels.md and a set of them. */
#ifndef TCPNOTE_LABELS_H
#define TCPNOTE_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* In the order they are printed. */
enum label {
	LABEL_HANDSHAKE_1 = 0,
	LABEL_PORT_REUSE,
	LABEL_HANDSHAKE_2,
	LABEL_HANDSHAKE_3,
	LABEL_SIMULTANEOUS_OPEN,
	LABEL_MIDSTREAM,
	LABEL_DATA,
	LABEL_ACK,
	LABEL_KEEPALIVE,
	LABEL_KEEPALIVE_ACK,
	LABEL_CLOSE_1,
	LABEL_CLOSE_2,
	LABEL_CLOSE_3,
	LABEL_FIN_MERGED,
	LABEL_CLOSE_4,
	LABEL_SIMULTANEOUS_CLOSE,
	LABEL_RESET,
	LABEL_REFUSED,
	/* Loss, order and flow control, in labels.md's evaluation order. */
	LABEL_ZERO_WINDOW_PROBE,
	LABEL_ZERO_WINDOW,
	LABEL_PREVIOUS_NOT_CAPTURED,
	LABEL_WINDOW_UPDATE,
	LABEL_WINDOW_FULL,
	LABEL_ZERO_WINDOW_PROBE_ACK,
	LABEL_DUP_ACK,             /* printed as "dup ack #N" */
	LABEL_ACKED_UNSEEN,
	LABEL_SPURIOUS_RETRANSMISSION,
	LABEL_FAST_RETRANSMISSION,
	LABEL_OUT_OF_ORDER,
	LABEL_RETRANSMISSION,
	LABEL_DUPLICATE,
	LABEL_COUNT
};

struct labels {
	uint32_t bits;
	uint32_t dup_ack; /* N of "dup ack #N" */
};

const char *label_name(enum label l);

/* What a label is about, for colour: the connection's lifecycle, loss and order, or a reset. */
enum label_kind { LABEL_KIND_LIFECYCLE, LABEL_KIND_ANALYSIS, LABEL_KIND_RESET };
enum label_kind label_kind_of(enum label l);

static inline void labels_add(struct labels *s, enum label l) { s->bits |= 1u << l; }
static inline bool labels_has(const struct labels *s, enum label l) { return (s->bits >> l) & 1u; }
static inline bool labels_empty(const struct labels *s) { return s->bits == 0; }

/*
 * The lowest label in *bits, which it then clears; LABEL_COUNT when none is
 * left. Walks only the labels present: for (b = s.bits; (l = labels_next(&b)) != LABEL_COUNT;)
 */
static inline enum label labels_next(uint32_t *bits)
{
	enum label l;

	if (*bits == 0)
		return LABEL_COUNT;
	l = (enum label)__builtin_ctz(*bits);
	*bits &= *bits - 1;
	return l;
}

/*
 * Write the labels joined by ", " into buf (always NUL-terminated when
 * n > 0). Returns the length the full text needs, like snprintf.
 */
size_t labels_format(const struct labels *s, char *buf, size_t n);

struct sbuf;
/* The same text as labels_format, appended to a line being built. */
void labels_put(const struct labels *s, struct sbuf *sb);

/*
 * The same, each label between kind_start[its label_kind] and end (colour
 * escapes); labels_put is this with neither.
 */
void labels_put_styled(const struct labels *s, struct sbuf *sb, const char *const kind_start[3],
		       const char *end);

#endif
