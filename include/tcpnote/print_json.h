/* print_json.h - JSON Lines records: one per packet, one per connection. */
#ifndef TCPNOTE_PRINT_JSON_H
#define TCPNOTE_PRINT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "tcpnote/labels.h"
#include "tcpnote/packet.h"
#include "tcpnote/track.h"

/*
 * {"type":"packet","frame":N,"ts":S.US,"flow":ID,"src":..,"sport":..,"dst":..,
 * "dport":..,"flags":"S.","seq":RAW,"ack":RAW,"win":W,"len":L,"labels":[..]}
 * and a newline (the application hints of h, which may be NULL, end the labels), into buf. flow 0 means the packet belongs to no connection
 * (its TCP header was not decoded). Returns the length (cut to cap - 1).
 */
size_t json_packet(char *buf, size_t cap, uint64_t frame, const struct packet *p, uint64_t flow,
		   const struct labels *l, const struct app_hints *h);

/* {"type":"flow",...} for one connection (k: its flow key), and a newline. */
size_t json_flow(char *buf, size_t cap, const struct conn *c, const struct flow_key *k);

struct app_late;

/*
 * {"type":"late","frame":N,"ts":S.US,"flow":ID,"src":..,"sport":..,"dst":..,
 * "dport":..,"at":S.US,"labels":[..]}: hints of records that waited for
 * their key (live --keylog). frame, ts and the addresses are the packet the
 * records came with (its packet record has the same frame), at the time the
 * key came and the hints were found.
 */
size_t json_late(char *buf, size_t cap, const struct app_late *l, int64_t at_sec, uint32_t at_usec);

struct sbuf;
/*
 * The members "sni", "alpn", "tls_version", "cipher", "session_id",
 * "decrypted", "resumed", "cert_chain", "http_request", "http_status" that f
 * has (f may be NULL; chain too: then no "cert_chain").
 */
void json_app_facts(struct sbuf *s, const struct app_conn_facts *f,
		    const struct app_cert_chain *chain);

/* "ADDR:PORT", or "[ADDR]:PORT" for IPv6, of one endpoint (0 client, 1 server). */
void json_endpoint(char *buf, size_t cap, const struct conn_endpoints *e, int role);

#endif
