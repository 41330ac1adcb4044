/* names.c - host and TCP port names as tcpdump prints them without -n, each address looked up once. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpnote/names.h"

#define PORTS 65536u
#define HOSTS_INITIAL 256u /* slots; a power of two, grown to stay at most half full */

struct host {
	char *name; /* NULL: an empty slot */
	uint8_t family;
	uint8_t addr[16];
};

struct names {
	char **port; /* PORTS entries: the first tcp name of each port, or NULL */
	struct host *host;
	size_t host_cap, host_used;
	unsigned long lookups;
	bool short_names; /* tcpdump -N */
	char fallback[INET6_ADDRSTRLEN]; /* a name not remembered: valid until the next call */
};

/*
 * A copy of text with every byte that is not printable ASCII, and the
 * backslash, written as \xNN: what sbuf_put_safe does to packet text, done
 * once here so that printing a name is a plain copy.
 */
static char *safe_copy(const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(text), i, w = 0;
	char *out = malloc(4 * n + 1);

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[w++] = (char)c;
		} else {
			out[w++] = '\\';
			out[w++] = 'x';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		}
	}
	out[w] = '\0';
	return out;
}

/*
 * tcpdump's init_servarray(): every tcp entry of the services database, the
 * first one read winning when a port is listed twice.
 */
static bool load_services(struct names *n)
{
	struct servent *sv;

	setservent(0);
	while ((sv = getservent()) != NULL) {
		unsigned port = ntohs((uint16_t)sv->s_port);

		if (sv->s_proto == NULL || strcmp(sv->s_proto, "tcp") != 0 || sv->s_name == NULL ||
		    n->port[port] != NULL)
			continue;
		n->port[port] = safe_copy(sv->s_name);
		if (n->port[port] == NULL) {
			endservent();
			return false;
		}
	}
	endservent();
	return true;
}

struct names *names_new(bool short_names)
{
	struct names *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->short_names = short_names;
	n->port = calloc(PORTS, sizeof(*n->port));
	n->host = calloc(HOSTS_INITIAL, sizeof(*n->host));
	n->host_cap = HOSTS_INITIAL;
	if (n->port == NULL || n->host == NULL || !load_services(n)) {
		names_free(n);
		return NULL;
	}
	return n;
}

void names_free(struct names *n)
{
	size_t i;

	if (n == NULL)
		return;
	if (n->port != NULL)
		for (i = 0; i < PORTS; i++)
			free(n->port[i]);
	if (n->host != NULL)
		for (i = 0; i < n->host_cap; i++)
			free(n->host[i].name);
	free(n->port);
	free(n->host);
	free(n);
}

const char *names_tcp_port(const struct names *n, uint16_t port)
{
	return n->port[port];
}

unsigned long names_lookups(const struct names *n)
{
	return n->lookups;
}

static size_t host_hash(uint8_t family, const uint8_t *addr, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ family;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= addr[i];
		h *= 0x100000001b3ull;
	}
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding (family, addr), or the empty slot where it belongs. */
static struct host *host_slot(struct host *table, size_t cap, uint8_t family, const uint8_t *addr,
			      size_t len)
{
	size_t i = host_hash(family, addr, len) & (cap - 1);

	while (table[i].name != NULL &&
	       !(table[i].family == family && memcmp(table[i].addr, addr, len) == 0))
		i = (i + 1) & (cap - 1);
	return &table[i];
}

/* Doubles the table; false (the table unchanged) when out of memory. */
static bool host_grow(struct names *n)
{
	size_t cap = n->host_cap * 2, i;
	struct host *table = calloc(cap, sizeof(*table));

	if (table == NULL)
		return false;
	for (i = 0; i < n->host_cap; i++) {
		const struct host *h = &n->host[i];

		if (h->name != NULL)
			*host_slot(table, cap, h->family, h->addr, h->family == AF_INET ? 4 : 16) = *h;
	}
	free(n->host);
	n->host = table;
	n->host_cap = cap;
	return true;
}

/*
 * tcpdump's ipaddr_string() and ip6addr_string(): the resolver's official
 * name (h_name) for the address, cut at its first dot with -N, else the
 * numeric form. When memory runs out the numeric form is returned from
 * n->fallback and not remembered.
 */
static const char *host_name(struct names *n, uint8_t family, const uint8_t *addr)
{
	size_t len = family == AF_INET ? 4 : 16;
	struct host *slot = host_slot(n->host, n->host_cap, family, addr, len);
	struct hostent *he;
	char numeric[INET6_ADDRSTRLEN];
	char *name;

	if (slot->name != NULL)
		return slot->name;
	n->lookups++;
	he = gethostbyaddr((const void *)addr, (socklen_t)len, family);
	if (he != NULL && he->h_name != NULL && he->h_name[0] != '\0') {
		char *dot;

		name = safe_copy(he->h_name);
		if (name != NULL && n->short_names && (dot = strchr(name, '.')) != NULL)
			*dot = '\0';
	} else {
		if (inet_ntop(family, addr, numeric, sizeof(numeric)) == NULL)
			strcpy(numeric, "?");
		name = strdup(numeric);
	}
	if (name == NULL || ((n->host_used + 1) * 2 > n->host_cap && !host_grow(n))) {
		if (inet_ntop(family, addr, n->fallback, sizeof(n->fallback)) == NULL)
			strcpy(n->fallback, "?");
		free(name);
		return n->fallback;
	}
	slot = host_slot(n->host, n->host_cap, family, addr, len);
	slot->family = family;
	memcpy(slot->addr, addr, len);
	slot->name = name;
	n->host_used++;
	return name;
}

const char *names_host4(struct names *n, const uint8_t a[4])
{
	return host_name(n, AF_INET, a);
}

const char *names_host6(struct names *n, const uint8_t a[16])
{
	return host_name(n, AF_INET6, a);
}

void names_put_host(struct names *n, struct sbuf *s, int family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (n != NULL) {
		sbuf_puts(s, host_name(n, family == AF_INET ? AF_INET : AF_INET6, a));
	} else if (family == AF_INET) {
		sbuf_put_ipv4(s, a);
	} else {
		if (inet_ntop(AF_INET6, a, buf, sizeof(buf)) == NULL)
			strcpy(buf, "?");
		sbuf_puts(s, buf);
	}
}

void names_put_tcp_port(const struct names *n, struct sbuf *s, uint16_t port)
{
	if (n != NULL && n->port[port] != NULL)
		sbuf_puts(s, n->port[port]);
	else
		sbuf_put_uint(s, port, 0);
}
