/* tun_names.c - one table of tunnel kinds with the words the text and JSON printers use for them. */
#include <stdbool.h>
#include <stddef.h>

#include "tcpnote/packet.h"
#include "tcpnote/tun_names.h"

struct tun_name {
	const char *tcpdump; /* print-gre.c, print-vxlan.c, print-geneve.c, print-mpls.c, print-pppoe.c, print-bcm-li.c */
	const char *name;    /* lower case, for the flow record */
	const char *number;  /* what the connection's tunnel number is, or NULL: none */
	bool zero_is_none;   /* GRE: 0 is "no key" */
};

static const struct tun_name tun_names[] = {
	[TUN_IPIP] = {"", "ipip", NULL, false},
	[TUN_GRE] = {"GREv0", "gre", "key", true},
	[TUN_VXLAN] = {"VXLAN", "vxlan", "vni", false},
	[TUN_GENEVE] = {"Geneve", "geneve", "vni", false},
	[TUN_MPLS] = {"MPLS", "mpls", "label", false},
	[TUN_PPPOE] = {"PPPoE", "pppoe", "session", false},
	[TUN_BCMLI] = {"BCM-LI-SHIM", "bcm-li", "li-id", false},
};

static const struct tun_name *find(uint8_t kind)
{
	if (kind == TUN_NONE || kind >= sizeof(tun_names) / sizeof(tun_names[0]) ||
	    tun_names[kind].name == NULL)
		return NULL;
	return &tun_names[kind];
}

const char *tun_tcpdump_word(uint8_t kind)
{
	const struct tun_name *t = find(kind);

	return t != NULL ? t->tcpdump : "";
}

const char *tun_name(uint8_t kind)
{
	const struct tun_name *t = find(kind);

	return t != NULL ? t->name : NULL;
}

void tun_put_name(struct sbuf *s, uint8_t kind, uint32_t id)
{
	const struct tun_name *t = find(kind);

	if (t == NULL)
		return;
	sbuf_puts(s, t->name);
	if (t->number != NULL && !(t->zero_is_none && id == 0))
		sbuf_printf(s, " %s %u", t->number, id);
}
