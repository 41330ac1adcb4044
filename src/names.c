/* names.c - host, TCP port and MAC names as tcpdump prints them without -n, each looked up once. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpnote/names.h"

#define PORTS 65536u
#define HOSTS_INITIAL 256u /* slots; a power of two, grown to stay at most half full */
#define FAMILY_MAC 0xffu   /* a MAC address's entry in the table of host names (6 bytes) */

struct host {
	char *name; /* NULL: an empty slot */
	uint8_t family; /* AF_INET, AF_INET6 or FAMILY_MAC */
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

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == FAMILY_MAC ? 6 : 16;
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
			*host_slot(table, cap, h->family, h->addr, addr_len(h->family)) = *h;
	}
	free(n->host);
	n->host = table;
	n->host_cap = cap;
	return true;
}

/* tcpdump's oui_values (oui.c): the OUIs named after a MAC address without -n; the first wins. */
static const struct {
	uint32_t oui;
	const char *name;
} oui_names[] = {
	{0x000000, "Ethernet"}, {0x00000c, "Cisco"}, {0x00005e, "IANA"},
	{0x000081, "Nortel Networks SONMP"}, {0x0000f8, "Cisco bridged"},
	{0x0080c2, "Ethernet bridged"}, {0x00a03e, "ATM Forum"}, {0x00e02f, "DOCSIS Spanning Tree"},
	{0x080007, "Appletalk"}, {0x009069, "Juniper"}, {0x080009, "Hewlett-Packard"},
	{0x00120f, "IEEE 802.3 Private"}, {0x0012bb, "ANSI/TIA"}, {0x001b21, "DCBX"},
	{0x002320, "Nicira Networks"}, {0x5c16c7, "Big Switch Networks"}, {0xb0d2f5, "Vello Systems"},
	{0x002481, "HP"}, {0x0004ea, "HP-Labs"}, {0x748771, "Infoblox Inc"},
	{0xa42305, "Open Networking Lab"}, {0x00049f, "Freescale"}, {0x0015ad, "Netronome"},
	{0x001018, "Broadcom"}, {0x00e004, "PMC-Sierra"}, {0xd0f0db, "Ericsson"}};

/* aa:bb:cc:dd:ee:ff, the form tcpdump -n prints; out holds 18 bytes. */
static void mac_numeric(const uint8_t mac[6], char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < 6; i++) {
		out[3 * i] = hex[mac[i] >> 4];
		out[3 * i + 1] = hex[mac[i] & 15];
		out[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}

/*
 * What the resolver says of an address: tcpdump's ipaddr_string() and
 * ip6addr_string() take the official name (h_name), else the numeric form;
 * etheraddr_string() takes the ethers database's name (ether_ntohost),
 * else "Broadcast" for ff:ff:ff:ff:ff:ff, else the numeric form and the
 * OUI's name from its own table. With short_names (-N) a host name ends at
 * its first dot; an ethers name is kept whole, as tcpdump keeps it.
 */
static char *resolve(uint8_t family, const uint8_t *addr, bool short_names)
{
	struct hostent *he;
	char numeric[INET6_ADDRSTRLEN + 40];
	char ether[1024];
	uint32_t oui;
	size_t i;

	if (family == FAMILY_MAC) {
		if (ether_ntohost(ether, (const struct ether_addr *)(const void *)addr) == 0)
			return safe_copy(ether);
		/* addrtoname.c's one hardwired name (init_etherarray) */
		if (memcmp(addr, "\xff\xff\xff\xff\xff\xff", 6) == 0)
			return strdup("Broadcast");
		mac_numeric(addr, numeric);
		oui = ((uint32_t)addr[0] << 16) | ((uint32_t)addr[1] << 8) | addr[2];
		for (i = 0; i < sizeof(oui_names) / sizeof(oui_names[0]); i++)
			if (oui_names[i].oui == oui)
				break;
		snprintf(numeric + 17, sizeof(numeric) - 17, " (oui %s)",
			 i < sizeof(oui_names) / sizeof(oui_names[0]) ? oui_names[i].name : "Unknown");
		return strdup(numeric);
	}
	he = gethostbyaddr((const void *)addr, (socklen_t)addr_len(family), family);
	if (he != NULL && he->h_name != NULL && he->h_name[0] != '\0') {
		char *name = safe_copy(he->h_name), *dot;

		if (name != NULL && short_names && (dot = strchr(name, '.')) != NULL)
			*dot = '\0';
		return name;
	}
	if (inet_ntop(family, addr, numeric, sizeof(numeric)) == NULL)
		strcpy(numeric, "?");
	return strdup(numeric);
}

/*
 * The name of an address, looked up once and remembered. When memory runs
 * out the numeric form is returned from n->fallback and not remembered.
 */
static const char *host_name(struct names *n, uint8_t family, const uint8_t *addr)
{
	size_t len = addr_len(family);
	struct host *slot = host_slot(n->host, n->host_cap, family, addr, len);
	char *name;

	if (slot->name != NULL)
		return slot->name;
	n->lookups++;
	name = resolve(family, addr, n->short_names);
	if (name == NULL || ((n->host_used + 1) * 2 > n->host_cap && !host_grow(n))) {
		if (family == FAMILY_MAC)
			mac_numeric(addr, n->fallback);
		else if (inet_ntop(family, addr, n->fallback, sizeof(n->fallback)) == NULL)
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

void names_put_mac(struct names *n, struct sbuf *s, const uint8_t mac[6])
{
	char buf[18];

	if (n != NULL) {
		sbuf_puts(s, host_name(n, FAMILY_MAC, mac));
	} else {
		mac_numeric(mac, buf);
		sbuf_putn(s, buf, 17);
	}
}

void names_put_tcp_port(const struct names *n, struct sbuf *s, uint16_t port)
{
	if (n != NULL && n->port[port] != NULL)
		sbuf_puts(s, n->port[port]);
	else
		sbuf_put_uint(s, port, 0);
}
