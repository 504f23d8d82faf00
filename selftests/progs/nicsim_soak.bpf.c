// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs nicsim_soak.sh swaps on a port under traffic: every verdict.
 * Each one acts only on UDP to its own port, and each sends UDP to
 * SOAK_XSK_PORT to an AF_XDP socket; everything else passes, so the
 * soak's TCP and ping keep flowing whichever is attached. Each calls
 * bpf_nicsim_xdp_meta(); a tcx program calls bpf_nicsim_skb_meta() (qtop
 * calls bpf_nicsim_queue_state()), so the kfuncs run under it all too.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "nicsim_kfuncs.h"

#define ETH_P_IP	0x0800
#define ETH_ALEN	6

#define SOAK_DROP_PORT		9	/* discard */
#define SOAK_TX_PORT		7	/* echo: back out of the port */
#define SOAK_REDIRECT_PORT	13	/* through a cpumap to the stack */

#define SOAK_DEVMAP_PORT	17	/* through a devmap out of the port */
#define SOAK_XSK_PORT		19	/* to an AF_XDP socket, which echoes */

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} soak_cpumap SEC(".maps");

/* entry 0: where soak_redirect sends frames out of a nicsim port */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} soak_devmap SEC(".maps");

/* entry 0: the nicsim port soak_into sends a veth's frames to */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} soak_devmap_in SEC(".maps");

/* the AF_XDP sockets nicsim_xsk binds, by queue */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} soak_xsks SEC(".maps");

__u64 xdp_meta_ok, xdp_meta_err;	/* errors: on a veth */
__u64 skb_meta_ok, skb_meta_err;	/* locally made skbs give -ENODEV */

static void xdp_meta(struct xdp_md *ctx)
{
	struct nicsim_xdp_meta meta;

	if (bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta)))
		__sync_fetch_and_add(&xdp_meta_err, 1);
	else
		__sync_fetch_and_add(&xdp_meta_ok, 1);
}

/* The UDP destination port of an IPv4 frame without options, or 0. */
static __u16 udp_dport(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return 0;
	return bpf_ntohs(udp->dest);
}

/* UDP to SOAK_XSK_PORT: to the queue's AF_XDP socket, if it has one */
static int to_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_map(&soak_xsks, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int soak_pass(struct xdp_md *ctx)
{
	xdp_meta(ctx);
	if (udp_dport(ctx) == SOAK_XSK_PORT)
		return to_xsk(ctx);
	return XDP_PASS;
}

SEC("xdp")
int soak_drop(struct xdp_md *ctx)
{
	__u16 dport = udp_dport(ctx);

	xdp_meta(ctx);
	if (dport == SOAK_XSK_PORT)
		return to_xsk(ctx);
	return dport == SOAK_DROP_PORT ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int soak_tx(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	__u8 tmp[ETH_ALEN];

	__u16 dport = udp_dport(ctx);

	xdp_meta(ctx);
	if (dport == SOAK_XSK_PORT)
		return to_xsk(ctx);
	if (dport != SOAK_TX_PORT || (void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp")
int soak_redirect(struct xdp_md *ctx)
{
	__u16 dport = udp_dport(ctx);

	xdp_meta(ctx);
	if (dport == SOAK_XSK_PORT)
		return to_xsk(ctx);
	if (dport == SOAK_DEVMAP_PORT)
		return bpf_redirect_map(&soak_devmap, 0, XDP_PASS);
	if (dport != SOAK_REDIRECT_PORT)
		return XDP_PASS;
	return bpf_redirect_map(&soak_cpumap, bpf_get_smp_processor_id() ^ 1,
				XDP_PASS);
}

/* On a veth: every IPv4 UDP frame into a nicsim port (ndo_xdp_xmit). */
SEC("xdp")
int soak_into(struct xdp_md *ctx)
{
	if (!udp_dport(ctx))
		return XDP_PASS;
	return bpf_redirect_map(&soak_devmap_in, 0, XDP_PASS);
}

SEC("tcx/ingress")
int soak_tc(struct __sk_buff *ctx)
{
	struct nicsim_skb_meta meta;

	if (bpf_nicsim_skb_meta((struct sk_buff *)ctx, &meta, sizeof(meta)))
		__sync_fetch_and_add(&skb_meta_err, 1);
	else
		__sync_fetch_and_add(&skb_meta_ok, 1);
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
