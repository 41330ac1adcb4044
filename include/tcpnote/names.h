/* names.h - host, TCP port and MAC names as tcpdump prints them without -n, each looked up once. */
#ifndef TCPNOTE_NAMES_H
#define TCPNOTE_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/sbuf.h"

/*
 * tcpdump (addrtoname.c) shows an address as the name the system resolver
 * gives it (gethostbyaddr: /etc/hosts, then DNS, as nsswitch.conf says) and a
 * TCP port as its first name in the services database (getservent), and
 * falls back to numbers. A struct names remembers every answer, found or
 * not, for the rest of the run, so an address costs one lookup however many
 * packets carry it. The returned text is safe for a terminal: a byte that is
 * not printable ASCII in a resolver's answer is shown as \xNN.
 */
struct names;

/*
 * A table with the services database read in, or NULL when out of memory.
 * With short_names (tcpdump -N) a host name is shown up to its first dot.
 */
struct names *names_new(bool short_names);
void names_free(struct names *n);

/* The name of an IPv4 address (4 bytes, network order), or its dotted quad. */
const char *names_host4(struct names *n, const uint8_t a[4]);

/* The name of an IPv6 address (16 bytes), or its inet_ntop text. */
const char *names_host6(struct names *n, const uint8_t a[16]);

/* The services database's first name for TCP port `port`, or NULL when it has none. */
const char *names_tcp_port(const struct names *n, uint16_t port);

/*
 * Append the host name of a (family AF_INET: 4 bytes, AF_INET6: 16) or, when
 * n is NULL (-n), its numeric form.
 */
void names_put_host(struct names *n, struct sbuf *s, int family, const uint8_t *a);

/*
 * Append a MAC address (6 bytes) as tcpdump -e shows it: with n NULL (-n)
 * aa:bb:cc:dd:ee:ff; else its name in the ethers database, or "Broadcast"
 * for ff:ff:ff:ff:ff:ff, or the numbers and " (oui NAME)" from tcpdump's
 * table of OUIs (" (oui Unknown)").
 */
void names_put_mac(struct names *n, struct sbuf *s, const uint8_t mac[6]);

/* Append the TCP port's name or, when n is NULL or the port has none, its number. */
void names_put_tcp_port(const struct names *n, struct sbuf *s, uint16_t port);

/* How many resolver lookups were made so far (one per distinct address, MAC addresses too). */
unsigned long names_lookups(const struct names *n);

#endif
