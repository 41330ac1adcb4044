/* expect.c - parses and checks --expect assertions (label counts, conn states, flows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/expect.h"

static const char *const states[] = {"S0",   "S1",   "SF",     "REJ",   "S2", "S3", "RSTO",
				     "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH", NULL};

static int parse_count(const char *s, uint64_t *n)
{
	char *end = NULL;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -1;
	*n = v;
	return 0;
}

static int find_label(const char *name, enum label *out)
{
	unsigned i;

	for (i = 0; i < LABEL_COUNT; i++) {
		if (strcmp(label_name((enum label)i), name) == 0) {
			*out = (enum label)i;
			return 0;
		}
	}
	return -1;
}

int expect_parse(const char *text, struct expectation *e, char *err, size_t errlen)
{
	char subject[160];
	const char *op;
	size_t n;
	bool negated = text[0] == '!';
	const char *body = negated ? text + 1 : text;

	memset(e, 0, sizeof(*e));
	if (strlen(text) >= sizeof(e->text)) {
		snprintf(err, errlen, "expectation too long");
		return -1;
	}
	strcpy(e->text, text);
	op = strpbrk(body, "<>=");
	if (negated && op != NULL) {
		snprintf(err, errlen, "'%s': '!' takes a bare label (!reset), not a count", text);
		return -1;
	}
	n = op != NULL ? (size_t)(op - body) : strlen(body);
	memcpy(subject, body, n);
	subject[n] = '\0';
	if (op == NULL) {
		e->op = negated ? EXPECT_EQ : EXPECT_GE;
		e->n = negated ? 0 : 1;
	} else {
		const char *num;

		if (op[0] == '>' && op[1] == '=') {
			e->op = EXPECT_GE;
			num = op + 2;
		} else if (op[0] == '<' && op[1] == '=') {
			e->op = EXPECT_LE;
			num = op + 2;
		} else if (op[0] == '=') {
			e->op = EXPECT_EQ;
			num = op + 1;
		} else {
			snprintf(err, errlen, "'%s': the operators are =, >= and <=", text);
			return -1;
		}
		if (parse_count(num, &e->n) < 0) {
			snprintf(err, errlen, "'%s': a count must be a whole number", text);
			return -1;
		}
	}
	if (strncmp(subject, "state:", 6) == 0 && !negated) {
		unsigned i;

		e->kind = EXPECT_STATE;
		for (i = 0; states[i] != NULL; i++)
			if (strcmp(states[i], subject + 6) == 0)
				break;
		if (states[i] == NULL) {
			snprintf(err, errlen,
				 "'%s': unknown connection state (S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 "
				 "RSTRH SH SHR OTH)",
				 text);
			return -1;
		}
		strcpy(e->state, states[i]);
		return 0;
	}
	if (strcmp(subject, "flows") == 0 && op != NULL) {
		e->kind = EXPECT_FLOWS;
		return 0;
	}
	e->kind = EXPECT_LABEL;
	if (find_label(subject, &e->label) < 0) {
		snprintf(err, errlen, "'%s': '%s' is not a label (see tcpnote --help labels in the README)",
			 text, subject);
		return -1;
	}
	return 0;
}

bool expect_holds(const struct expectation *e, uint64_t counted)
{
	switch (e->op) {
	case EXPECT_GE:
		return counted >= e->n;
	case EXPECT_LE:
		return counted <= e->n;
	case EXPECT_EQ:
		return counted == e->n;
	}
	return false;
}

void expect_describe(const struct expectation *e, char *buf, size_t cap)
{
	const char *how = e->op == EXPECT_GE ? "at least" : e->op == EXPECT_LE ? "at most" : "exactly";

	snprintf(buf, cap, "%s %llu", how, (unsigned long long)e->n);
}
