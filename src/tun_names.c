/* tun_names.c - one table of tunnel kinds with the words the text and JSON printers use for them. */
#include <stdbool.h>
#include <stddef.h>

#include "tcpnote/packet.h"
#include "tcpnote/tun_names.h"

struct tun_name {
	const char *tcpdump; /* print-gre.c, print-vxlan.c, print-geneve.c, print-mpls.c, print-pppoe.c, print-bcm-li.c, print-erspan.c */
	const char *name;    /* lower case, for the flow record */
	const char *number;  /* what the connection's tunnel number is, or NULL: none */
	bool has_special;    /* one number is not shown as a number: */
	uint32_t special;    /* GRE's 0 ("no key"), ERSPAN type I's ERSPAN_TYPE1_ID */
	const char *special_word; /* what is shown for it instead, or NULL: nothing */
};

static const struct tun_name tun_names[] = {
	[TUN_IPIP] = {"", "ipip", NULL, false, 0, NULL},
	[TUN_GRE] = {"GREv0", "gre", "key", true, 0, NULL},
	[TUN_VXLAN] = {"VXLAN", "vxlan", "vni", false, 0, NULL},
	[TUN_GENEVE] = {"Geneve", "geneve", "vni", false, 0, NULL},
	[TUN_MPLS] = {"MPLS", "mpls", "label", false, 0, NULL},
	[TUN_PPPOE] = {"PPPoE", "pppoe", "session", false, 0, NULL},
	[TUN_BCMLI] = {"BCM-LI-SHIM", "bcm-li", "li-id", false, 0, NULL},
	/* the words of the next five are tcpnote's own: print_text.c writes their lines itself */
	[TUN_ERSPAN] = {"erspan", "erspan", "session", true, ERSPAN_TYPE1_ID, "type1"},
	[TUN_PBB] = {"PBB", "pbb", "isid", false, 0, NULL},
	[TUN_VNTAG] = {"VN-Tag", "vntag", NULL, false, 0, NULL},
	[TUN_TEREDO] = {"Teredo", "teredo", NULL, false, 0, NULL},
	[TUN_GTPU] = {"GTPv1-U", "gtp-u", "teid", false, 0, NULL},
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
	if (t->has_special && id == t->special) {
		if (t->special_word != NULL)
			sbuf_printf(s, " %s", t->special_word);
	} else if (t->number != NULL) {
		sbuf_printf(s, " %s %u", t->number, id);
	}
}
