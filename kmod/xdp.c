// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim native XDP: attaching a program, and the XDP RX metadata
 * (timestamp, RSS hash, VLAN tag) the device wrote back in the descriptor.
 */

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <net/xdp.h>

#include "nicsim.h"

int nicsim_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct bpf_prog *old;

	switch (bpf->command) {
	case XDP_SETUP_PROG:
		if (bpf->prog && dev->mtu > NICSIM_XDP_MAX_MTU) {
			NL_SET_ERR_MSG_FMT_MOD(bpf->extack,
					       "MTU %u too large for single-buffer XDP, max %lu",
					       dev->mtu, NICSIM_XDP_MAX_MTU);
			return -EINVAL;
		}
		old = rcu_replace_pointer(port->xdp_prog, bpf->prog,
					  lockdep_rtnl_is_held());
		if (old)
			bpf_prog_put(old);
		return 0;
	default:
		return -EINVAL;
	}
}

/* The nicsim_xdp_buff around @xdp, or NULL if nicsim's NAPI did not run it. */
const struct nicsim_xdp_buff *nicsim_xdp_buff(const struct xdp_buff *xdp)
{
	const struct xdp_rxq_info *xdp_rxq = xdp->rxq;
	struct nicsim_port *port;
	u32 q = xdp_rxq->queue_index;

	if (!nicsim_netdev_is_nicsim(xdp_rxq->dev))
		return NULL;
	port = netdev_priv(xdp_rxq->dev);
	/* generic XDP and cpumap bring their own rxq: not ours */
	if (q >= port->num_queues || xdp_rxq != &port->qp[q].rxq.xdp_rxq)
		return NULL;
	return container_of(xdp, struct nicsim_xdp_buff, xdp);
}

/* xdp_metadata_ops: only called for dev-bound programs in nicsim's XDP */
static int nicsim_xmo_rx_timestamp(const struct xdp_md *ctx, u64 *timestamp)
{
	const struct nicsim_xdp_buff *nxdp = (const void *)ctx;

	*timestamp = nxdp->dma_tstamp;
	return 0;
}

static int nicsim_xmo_rx_hash(const struct xdp_md *ctx, u32 *hash,
			      enum xdp_rss_hash_type *rss_type)
{
	static const enum xdp_rss_hash_type types[] = {
		[NICSIM_RSS_TYPE_NONE]		= XDP_RSS_TYPE_NONE,
		[NICSIM_RSS_TYPE_IPV4]		= XDP_RSS_TYPE_L3_IPV4,
		[NICSIM_RSS_TYPE_IPV4_TCP]	= XDP_RSS_TYPE_L4_IPV4_TCP,
		[NICSIM_RSS_TYPE_IPV4_UDP]	= XDP_RSS_TYPE_L4_IPV4_UDP,
		[NICSIM_RSS_TYPE_IPV6]		= XDP_RSS_TYPE_L3_IPV6,
		[NICSIM_RSS_TYPE_IPV6_TCP]	= XDP_RSS_TYPE_L4_IPV6_TCP,
		[NICSIM_RSS_TYPE_IPV6_UDP]	= XDP_RSS_TYPE_L4_IPV6_UDP,
	};
	const struct nicsim_xdp_buff *nxdp = (const void *)ctx;

	if (!(nxdp->rxq->port->netdev->features & NETIF_F_RXHASH) ||
	    nxdp->rss_type == NICSIM_RSS_TYPE_NONE ||
	    nxdp->rss_type >= ARRAY_SIZE(types))
		return -ENODATA;
	*hash = nxdp->rss_hash;
	*rss_type = types[nxdp->rss_type];
	return 0;
}

static int nicsim_xmo_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
				  u16 *vlan_tci)
{
	const struct nicsim_xdp_buff *nxdp = (const void *)ctx;

	if (!(nxdp->status & NICSIM_RXD_STS_VLAN))
		return -ENODATA;
	*vlan_proto = htons(ETH_P_8021Q);
	*vlan_tci = nxdp->vlan_tci;
	return 0;
}

const struct xdp_metadata_ops nicsim_xdp_metadata_ops = {
	.xmo_rx_timestamp	= nicsim_xmo_rx_timestamp,
	.xmo_rx_hash		= nicsim_xmo_rx_hash,
	.xmo_rx_vlan_tag	= nicsim_xmo_rx_vlan_tag,
};
