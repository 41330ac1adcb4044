/* expect.h - --expect assertions over label counts, connection states and the flow count. */
#ifndef TCPNOTE_EXPECT_H
#define TCPNOTE_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/labels.h"

enum expect_kind { EXPECT_LABEL, EXPECT_STATE, EXPECT_FLOWS };
enum expect_op { EXPECT_GE, EXPECT_LE, EXPECT_EQ };

struct expectation {
	char text[160];         /* as given, for messages */
	enum expect_kind kind;
	enum label label;       /* EXPECT_LABEL */
	char state[8];          /* EXPECT_STATE: a Zeek conn_state code */
	enum expect_op op;
	uint64_t n;
};

/*
 * Parse LABEL, !LABEL, LABEL=N, LABEL>=N, LABEL<=N, state:CODE=N (>=, <=),
 * flows=N (>=, <=). Returns 0, or -1 with the reason in err.
 */
int expect_parse(const char *text, struct expectation *e, char *err, size_t errlen);

/* Whether a count satisfies the expectation. */
bool expect_holds(const struct expectation *e, uint64_t counted);

/* "at least 1", "exactly 0", "at most 3": what was expected, for messages. */
void expect_describe(const struct expectation *e, char *buf, size_t cap);

#endif
