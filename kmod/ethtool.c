// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim ethtool: driver info, link, channels, rings, RSS, flow control,
 * FEC and per-queue statistics of both the driver and the device.
 */

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/netdevice.h>
#include <net/netdev_rx_queue.h>

#include "nicsim.h"

/* ---- statistics ---------------------------------------------------- */

static const char nicsim_rxq_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "doorbells", "alloc_errors", "csum_unnecessary",
	"napi_polls",
	"xdp_pass", "xdp_drop", "xdp_tx", "xdp_redirect", "xdp_aborted",
	"discards",
};

static const char nicsim_txq_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "doorbells", "dma_map_errors", "ring_full",
	"frags", "csum_partial", "tso", "xdp_xmit", "xdp_xmit_errors", "timeouts",
};

static const char nicsim_hwq_stat_names[][ETH_GSTRING_LEN] = {
	"irq_events", "irqs_raised", "irqs_lost", "irqs_handled",
	"irq_watchdog", "rx_frames", "rx_no_buffer", "rx_stalled",
	"rx_oversize", "rx_csum_errors", "rx_vlan_stripped", "rx_dma_errors",
	"rx_header_split", "tx_frames",
	"tx_dma_errors", "tx_csum_errors", "tx_wire_drops", "tx_wire_corrupted",
	"tx_tso_segs", "tx_tso_errors",
};

#define NICSIM_RXQ_STATS	ARRAY_SIZE(nicsim_rxq_stat_names)
#define NICSIM_TXQ_STATS	ARRAY_SIZE(nicsim_txq_stat_names)
#define NICSIM_HWQ_STATS	ARRAY_SIZE(nicsim_hwq_stat_names)
#define NICSIM_Q_STATS		(NICSIM_RXQ_STATS + NICSIM_TXQ_STATS + \
				 NICSIM_HWQ_STATS)

static int nicsim_get_sset_count(struct net_device *dev, int sset)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return port->num_queues * NICSIM_Q_STATS;
}

static void nicsim_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < port->num_queues; q++) {
		for (i = 0; i < NICSIM_RXQ_STATS; i++)
			ethtool_sprintf(&data, "rx%u_%s", q,
					nicsim_rxq_stat_names[i]);
		for (i = 0; i < NICSIM_TXQ_STATS; i++)
			ethtool_sprintf(&data, "tx%u_%s", q,
					nicsim_txq_stat_names[i]);
		for (i = 0; i < NICSIM_HWQ_STATS; i++)
			ethtool_sprintf(&data, "hw%u_%s", q,
					nicsim_hwq_stat_names[i]);
	}
}

/* Fill the NICSIM_Q_STATS values of one queue pair, in name order. */
static u64 *nicsim_qpair_stats(struct nicsim_qpair *qp, u64 *data)
{
	const struct nicsim_rxq *rxq = &qp->rxq;
	const struct nicsim_txq *txq = &qp->txq;
	const struct nicsim_hw_queue *hwq = rxq->hwq;
	unsigned int start;
	u64 *d;

	do {
		start = u64_stats_fetch_begin(&rxq->syncp);
		d = data;
		*d++ = u64_stats_read(&rxq->packets);
		*d++ = u64_stats_read(&rxq->bytes);
		*d++ = u64_stats_read(&rxq->doorbells);
		*d++ = u64_stats_read(&rxq->alloc_errors);
		*d++ = u64_stats_read(&rxq->csum_unnecessary);
		*d++ = u64_stats_read(&rxq->polls);
		*d++ = u64_stats_read(&rxq->xdp_pass);
		*d++ = u64_stats_read(&rxq->xdp_drop);
		*d++ = u64_stats_read(&rxq->xdp_tx);
		*d++ = u64_stats_read(&rxq->xdp_redirect);
		*d++ = u64_stats_read(&rxq->xdp_aborted);
		*d++ = u64_stats_read(&rxq->discards);
	} while (u64_stats_fetch_retry(&rxq->syncp, start));
	data = d;

	do {
		start = u64_stats_fetch_begin(&txq->clean_syncp);
		data[0] = u64_stats_read(&txq->packets);
		data[1] = u64_stats_read(&txq->bytes);
	} while (u64_stats_fetch_retry(&txq->clean_syncp, start));
	do {
		start = u64_stats_fetch_begin(&txq->syncp);
		data[2] = u64_stats_read(&txq->doorbells);
		data[3] = u64_stats_read(&txq->dma_map_errors);
		data[4] = u64_stats_read(&txq->ring_full);
		data[5] = u64_stats_read(&txq->frags);
		data[6] = u64_stats_read(&txq->csum_partial);
		data[7] = u64_stats_read(&txq->tso);
		data[8] = u64_stats_read(&txq->xdp_xmit);
		data[9] = u64_stats_read(&txq->xdp_xmit_errors);
		data[10] = u64_stats_read(&txq->timeouts);
	} while (u64_stats_fetch_retry(&txq->syncp, start));
	data += NICSIM_TXQ_STATS;

	/* device counters: read as a driver reads statistics registers */
	*data++ = READ_ONCE(qp->vec->events);
	*data++ = READ_ONCE(qp->vec->raised);
	*data++ = READ_ONCE(qp->vec->lost);
	do {
		start = u64_stats_fetch_begin(&qp->irq_syncp);
		*data = u64_stats_read(&qp->irqs);
	} while (u64_stats_fetch_retry(&qp->irq_syncp, start));
	data++;
	*data++ = READ_ONCE(qp->wd_polls);
	*data++ = READ_ONCE(hwq->rx_frames);
	*data++ = READ_ONCE(hwq->rx_no_buffer);
	*data++ = READ_ONCE(hwq->rx_stalled);
	*data++ = READ_ONCE(hwq->rx_oversize);
	*data++ = READ_ONCE(hwq->rx_csum_errors);
	*data++ = READ_ONCE(hwq->rx_vlan_stripped);
	*data++ = READ_ONCE(hwq->rx_dma_errors);
	*data++ = READ_ONCE(hwq->rx_header_split);
	*data++ = READ_ONCE(hwq->tx_frames);
	*data++ = READ_ONCE(hwq->tx_dma_errors);
	*data++ = READ_ONCE(hwq->tx_csum_errors);
	*data++ = READ_ONCE(hwq->tx_wire_drops);
	*data++ = READ_ONCE(hwq->tx_wire_corrupted);
	*data++ = READ_ONCE(hwq->tx_tso_segs);
	*data++ = READ_ONCE(hwq->tx_tso_errors);
	return data;
}

static void nicsim_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q;

	for (q = 0; q < port->num_queues; q++) {
		u64 *next = nicsim_qpair_stats(&port->qp[q], data);

		/* the values must match nicsim_get_strings() one to one */
		WARN_ON_ONCE(next - data != NICSIM_Q_STATS);
		data = next;
	}
}

/* ---- configuration ------------------------------------------------- */

static void nicsim_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	struct nicsim_port *port = netdev_priv(dev);

	strscpy(info->driver, DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&port->ndev->dev),
		sizeof(info->bus_info));
}

static int nicsim_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	/* a fixed 100G direct-attach cable, no autonegotiation */
	cmd->base.speed = netif_carrier_ok(dev) ? SPEED_100000 : SPEED_UNKNOWN;
	cmd->base.duplex = netif_carrier_ok(dev) ? DUPLEX_FULL :
						   DUPLEX_UNKNOWN;
	cmd->base.port = PORT_DA;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static void nicsim_get_channels(struct net_device *dev,
				struct ethtool_channels *ch)
{
	struct nicsim_port *port = netdev_priv(dev);

	ch->max_combined = port->hw->num_queues;
	ch->combined_count = port->num_queues;
}

static int nicsim_set_channels(struct net_device *dev,
			       struct ethtool_channels *ch)
{
	struct nicsim_port *port = netdev_priv(dev);

	/* the core checks the counts against max_combined and RSS */
	if (!ch->combined_count || ch->rx_count || ch->tx_count)
		return -EINVAL;
	return nicsim_reconfigure(port, ch->combined_count, port->ring_size,
				  dev->mtu, port->hds);
}

static void nicsim_get_ringparam(struct net_device *dev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	ring->rx_max_pending = NICSIM_MAX_RING_SIZE;
	ring->tx_max_pending = NICSIM_MAX_RING_SIZE;
	ring->rx_pending = port->ring_size;
	ring->tx_pending = port->ring_size;
	kring->rx_buf_len = port->hds ? PAGE_SIZE : nicsim_rx_buf_len(dev->mtu);
	kring->tcp_data_split = port->hds ? ETHTOOL_TCP_DATA_SPLIT_ENABLED :
					    ETHTOOL_TCP_DATA_SPLIT_DISABLED;
}

/* Is a memory provider (a dma-buf) bound to one of the port's queues? */
static bool nicsim_mp_bound(struct net_device *dev)
{
	unsigned int q;

	for (q = 0; q < dev->real_num_rx_queues; q++)
		if (__netif_get_rx_queue(dev, q)->mp_params.mp_ops)
			return true;
	return false;
}

static int nicsim_set_ringparam(struct net_device *dev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);
	u32 size = ring->rx_pending;
	bool hds;

	if (ring->tx_pending != size) {
		NL_SET_ERR_MSG_MOD(extack,
				   "RX and TX rings of a queue pair have one size");
		return -EINVAL;
	}
	if (size < NICSIM_DRV_MIN_RING_SIZE || size > NICSIM_MAX_RING_SIZE ||
	    !is_power_of_2(size)) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "ring size must be a power of two, %u..%u",
				       (u32)NICSIM_DRV_MIN_RING_SIZE,
				       NICSIM_MAX_RING_SIZE);
		return -EINVAL;
	}
	hds = kring->tcp_data_split == ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	if (hds && !port->hds && rtnl_dereference(port->xdp_prog)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "XDP needs each frame in one buffer: no tcp-data-split with a program");
		return -EINVAL;
	}
	if (hds && dev->mtu > NICSIM_HDS_MAX_MTU) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "with tcp-data-split, payloads fit a page: MTU at most %lu",
				       NICSIM_HDS_MAX_MTU);
		return -EINVAL;
	}
	if (!hds && port->hds && nicsim_mp_bound(dev)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a dma-buf is bound to a queue: it needs tcp-data-split");
		return -EBUSY;
	}
	return nicsim_reconfigure(port, port->num_queues, size, dev->mtu, hds);
}

/* 802.3x flow control: no autonegotiation on the fixed cable. */
static void nicsim_get_pauseparam(struct net_device *dev,
				  struct ethtool_pauseparam *pause)
{
	struct nicsim_port *port = netdev_priv(dev);

	pause->autoneg = AUTONEG_DISABLE;
	pause->rx_pause = READ_ONCE(port->hw->pause_rx);
	pause->tx_pause = READ_ONCE(port->hw->pause_tx);
}

static int nicsim_set_pauseparam(struct net_device *dev,
				 struct ethtool_pauseparam *pause)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (pause->autoneg) {
		netdev_err(dev, "pause autonegotiation is not supported: the link does not autonegotiate\n");
		return -EOPNOTSUPP;
	}
	nicsim_hw_pause_set(port->hw, pause->rx_pause, pause->tx_pause);
	return 0;
}

static void nicsim_get_pause_stats(struct net_device *dev,
				   struct ethtool_pause_stats *stats)
{
	struct nicsim_port *port = netdev_priv(dev);

	stats->tx_pause_frames = READ_ONCE(port->hw->tx_pause_frames);
	stats->rx_pause_frames = READ_ONCE(port->hw->rx_pause_frames);
}

/* RS-FEC or none; auto runs RS unless the other end has it off. */
static int nicsim_get_fecparam(struct net_device *dev,
			       struct ethtool_fecparam *fec)
{
	struct nicsim_port *port = netdev_priv(dev);

	fec->fec = READ_ONCE(port->hw->fec);
	fec->active_fec = nicsim_hw_fec_active(port->hw) ? ETHTOOL_FEC_RS :
							   ETHTOOL_FEC_OFF;
	return 0;
}

static int nicsim_set_fecparam(struct net_device *dev,
			       struct ethtool_fecparam *fec)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (fec->fec != ETHTOOL_FEC_OFF && fec->fec != ETHTOOL_FEC_RS &&
	    fec->fec != ETHTOOL_FEC_AUTO) {
		netdev_err(dev, "FEC modes: off, rs or auto\n");
		return -EOPNOTSUPP;
	}
	nicsim_hw_fec_set(port->hw, fec->fec);
	return 0;
}

static void nicsim_get_fec_stats(struct net_device *dev,
				 struct ethtool_fec_stats *stats)
{
	struct nicsim_port *port = netdev_priv(dev);

	stats->corrected_blocks.total =
		READ_ONCE(port->hw->fec_corrected_blocks);
	/* a flipped byte is one RS symbol: always correctable */
	stats->uncorrectable_blocks.total = 0;
	stats->corrected_bits.total = READ_ONCE(port->hw->fec_corrected_bits);
}

/* ---- flow steering rules (ethtool -N) ------------------------------- */

/* The device's rule for an ethtool one, or an error for what it cannot do. */
static int nicsim_flow_rule_hw(struct nicsim_port *port,
			       const struct ethtool_rxnfc *info,
			       struct nicsim_hw_flow_rule *r)
{
	const struct ethtool_rx_flow_spec *fs = &info->fs;
	u32 type = fs->flow_type & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS);
	const union ethtool_flow_union *v = &fs->h_u, *m = &fs->m_u;
	struct net_device *dev = port->netdev;
	u64 queue;

	memset(r, 0, sizeof(*r));
	if (fs->flow_type & (FLOW_EXT | FLOW_MAC_EXT)) {
		netdev_err(dev, "flow rules match no VLAN, MAC or user-defined field\n");
		return -EOPNOTSUPP;
	}
	switch (type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		if (m->tcp_ip4_spec.tos)
			goto err_tos;
		r->n_proto = htons(ETH_P_IP);
		r->ip_proto = type == TCP_V4_FLOW ? IPPROTO_TCP : IPPROTO_UDP;
		r->src[0] = v->tcp_ip4_spec.ip4src;
		r->src_mask[0] = m->tcp_ip4_spec.ip4src;
		r->dst[0] = v->tcp_ip4_spec.ip4dst;
		r->dst_mask[0] = m->tcp_ip4_spec.ip4dst;
		r->sport = v->tcp_ip4_spec.psrc;
		r->sport_mask = m->tcp_ip4_spec.psrc;
		r->dport = v->tcp_ip4_spec.pdst;
		r->dport_mask = m->tcp_ip4_spec.pdst;
		break;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		if (m->tcp_ip6_spec.tclass)
			goto err_tos;
		r->n_proto = htons(ETH_P_IPV6);
		r->ip_proto = type == TCP_V6_FLOW ? IPPROTO_TCP : IPPROTO_UDP;
		memcpy(r->src, v->tcp_ip6_spec.ip6src, sizeof(r->src));
		memcpy(r->src_mask, m->tcp_ip6_spec.ip6src, sizeof(r->src));
		memcpy(r->dst, v->tcp_ip6_spec.ip6dst, sizeof(r->dst));
		memcpy(r->dst_mask, m->tcp_ip6_spec.ip6dst, sizeof(r->dst));
		r->sport = v->tcp_ip6_spec.psrc;
		r->sport_mask = m->tcp_ip6_spec.psrc;
		r->dport = v->tcp_ip6_spec.pdst;
		r->dport_mask = m->tcp_ip6_spec.pdst;
		break;
	case IPV4_USER_FLOW:
		if (m->usr_ip4_spec.tos)
			goto err_tos;
		if (m->usr_ip4_spec.l4_4_bytes ||
		    (m->usr_ip4_spec.proto && m->usr_ip4_spec.proto != 0xff))
			goto err_l4;
		r->n_proto = htons(ETH_P_IP);
		r->ip_proto = m->usr_ip4_spec.proto ? v->usr_ip4_spec.proto : 0;
		r->src[0] = v->usr_ip4_spec.ip4src;
		r->src_mask[0] = m->usr_ip4_spec.ip4src;
		r->dst[0] = v->usr_ip4_spec.ip4dst;
		r->dst_mask[0] = m->usr_ip4_spec.ip4dst;
		break;
	case IPV6_USER_FLOW:
		if (m->usr_ip6_spec.tclass)
			goto err_tos;
		if (m->usr_ip6_spec.l4_4_bytes ||
		    (m->usr_ip6_spec.l4_proto && m->usr_ip6_spec.l4_proto != 0xff))
			goto err_l4;
		r->n_proto = htons(ETH_P_IPV6);
		r->ip_proto = m->usr_ip6_spec.l4_proto ?
			      v->usr_ip6_spec.l4_proto : 0;
		memcpy(r->src, v->usr_ip6_spec.ip6src, sizeof(r->src));
		memcpy(r->src_mask, m->usr_ip6_spec.ip6src, sizeof(r->src));
		memcpy(r->dst, v->usr_ip6_spec.ip6dst, sizeof(r->dst));
		memcpy(r->dst_mask, m->usr_ip6_spec.ip6dst, sizeof(r->dst));
		break;
	default:
		netdev_err(dev, "flow types: tcp4, udp4, ip4, tcp6, udp6, ip6\n");
		return -EOPNOTSUPP;
	}

	if (fs->ring_cookie == RX_CLS_FLOW_DISC) {
		r->action = NICSIM_FLOW_DROP;
		return 0;
	}
	if (ethtool_get_flow_spec_ring_vf(fs->ring_cookie)) {
		netdev_err(dev, "the port has no virtual functions\n");
		return -EINVAL;
	}
	queue = ethtool_get_flow_spec_ring(fs->ring_cookie);
	if (queue >= port->num_queues) {
		netdev_err(dev, "queue %llu: the port has %u\n", queue,
			   port->num_queues);
		return -EINVAL;
	}
	r->queue = queue;
	r->action = NICSIM_FLOW_QUEUE;
	if (fs->flow_type & FLOW_RSS) {
		if (!info->rss_context || info->rss_context >= NICSIM_RSS_MAX_CTX ||
		    !port->hw->rss_ctx[info->rss_context]) {
			netdev_err(dev, "no RSS context %u\n", info->rss_context);
			return -EINVAL;
		}
		r->action = NICSIM_FLOW_RSS;
		r->context = info->rss_context;
	}
	return 0;

err_tos:
	netdev_err(dev, "flow rules do not match the TOS or traffic class\n");
	return -EOPNOTSUPP;
err_l4:
	netdev_err(dev, "ip4/ip6 rules match the whole L4 protocol, not L4 bytes\n");
	return -EOPNOTSUPP;
}

static int nicsim_flow_rule_insert(struct nicsim_port *port,
				   struct ethtool_rxnfc *info)
{
	struct nicsim_flow_rule *rule;
	struct nicsim_hw_flow_rule hw;
	u32 loc = info->fs.location;
	int err, i;

	switch (loc) {
	case RX_CLS_LOC_ANY:
	case RX_CLS_LOC_FIRST:
		for (loc = 0; loc < NICSIM_FLOW_RULES; loc++)
			if (!port->flow_rules[loc].valid)
				break;
		break;
	case RX_CLS_LOC_LAST:
		for (i = NICSIM_FLOW_RULES - 1; i >= 0; i--)
			if (!port->flow_rules[i].valid)
				break;
		loc = i < 0 ? NICSIM_FLOW_RULES : i;
		break;
	default:
		if (loc >= NICSIM_FLOW_RULES) {
			netdev_err(port->netdev, "rule location %u: up to %u\n",
				   loc, NICSIM_FLOW_RULES - 1);
			return -EINVAL;
		}
	}
	if (loc >= NICSIM_FLOW_RULES)
		return -ENOSPC;

	err = nicsim_flow_rule_hw(port, info, &hw);
	if (err)
		return err;
	info->fs.location = loc;
	rule = &port->flow_rules[loc];
	if (!rule->valid)
		port->num_flow_rules++;
	rule->fs = info->fs;
	rule->rss_context = hw.action == NICSIM_FLOW_RSS ? hw.context : 0;
	rule->valid = true;
	nicsim_hw_flow_rule_write(port->hw, loc, &hw);
	return 0;
}

static int nicsim_flow_rule_delete(struct nicsim_port *port, u32 loc)
{
	if (loc >= NICSIM_FLOW_RULES || !port->flow_rules[loc].valid)
		return -ENOENT;
	nicsim_hw_flow_rule_write(port->hw, loc, NULL);
	port->flow_rules[loc].valid = false;
	port->num_flow_rules--;
	return 0;
}

static int nicsim_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
			    u32 *rule_locs)
{
	struct nicsim_port *port = netdev_priv(dev);
	const struct nicsim_flow_rule *rule;
	unsigned int loc, n = 0;

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = port->num_queues;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		info->rule_cnt = port->num_flow_rules;
		info->data = NICSIM_FLOW_RULES | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		loc = info->fs.location;
		if (loc >= NICSIM_FLOW_RULES || !port->flow_rules[loc].valid)
			return -ENOENT;
		rule = &port->flow_rules[loc];
		info->fs = rule->fs;
		info->rss_context = rule->rss_context;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		info->data = NICSIM_FLOW_RULES;
		for (loc = 0; loc < NICSIM_FLOW_RULES; loc++) {
			if (!port->flow_rules[loc].valid)
				continue;
			if (n == info->rule_cnt)
				return -EMSGSIZE;
			rule_locs[n++] = loc;
		}
		info->rule_cnt = n;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int nicsim_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info)
{
	struct nicsim_port *port = netdev_priv(dev);

	switch (info->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return nicsim_flow_rule_insert(port, info);
	case ETHTOOL_SRXCLSRLDEL:
		return nicsim_flow_rule_delete(port, info->fs.location);
	default:
		return -EOPNOTSUPP;
	}
}

static int nicsim_get_coalesce(struct net_device *dev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	*ec = port->coalesce;
	return 0;
}

static int nicsim_set_coalesce(struct net_device *dev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (ec->rx_coalesce_usecs > NICSIM_MAX_COALESCE_USECS ||
	    ec->tx_coalesce_usecs > NICSIM_MAX_COALESCE_USECS ||
	    ec->rx_max_coalesced_frames > NICSIM_MAX_COALESCE_FRAMES ||
	    ec->tx_max_coalesced_frames > NICSIM_MAX_COALESCE_FRAMES) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "usecs up to %u, frames up to %u",
				       NICSIM_MAX_COALESCE_USECS,
				       NICSIM_MAX_COALESCE_FRAMES);
		return -EINVAL;
	}
	port->coalesce = *ec;
	nicsim_program_coalesce(port);
	return 0;
}

static u32 nicsim_get_rxfh_key_size(struct net_device *dev)
{
	return NICSIM_RSS_KEY_SIZE;
}

static u32 nicsim_get_rxfh_indir_size(struct net_device *dev)
{
	return NICSIM_RSS_INDIR_SIZE;
}

static int nicsim_get_rxfh(struct net_device *dev,
			   struct ethtool_rxfh_param *rxfh)
{
	struct nicsim_port *port = netdev_priv(dev);

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->key)
		memcpy(rxfh->key, port->rss_key, NICSIM_RSS_KEY_SIZE);
	if (rxfh->indir)
		memcpy(rxfh->indir, port->rss_indir, sizeof(port->rss_indir));
	return 0;
}

static int nicsim_rss_hfunc_check(const struct ethtool_rxfh_param *rxfh,
				  struct netlink_ext_ack *extack)
{
	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE &&
	    rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NL_SET_ERR_MSG_MOD(extack, "only the Toeplitz hash is supported");
		return -EOPNOTSUPP;
	}
	if (rxfh->input_xfrm != RXH_XFRM_NO_CHANGE && rxfh->input_xfrm) {
		NL_SET_ERR_MSG_MOD(extack, "no input transformation is supported");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int nicsim_set_rxfh(struct net_device *dev,
			   struct ethtool_rxfh_param *rxfh,
			   struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);
	int err;

	err = nicsim_rss_hfunc_check(rxfh, extack);
	if (err)
		return err;
	if (rxfh->key)
		memcpy(port->rss_key, rxfh->key, NICSIM_RSS_KEY_SIZE);
	if (rxfh->indir)
		memcpy(port->rss_indir, rxfh->indir, sizeof(port->rss_indir));
	nicsim_hw_rss_program(port->hw, 0, port->rss_key, port->rss_indir);
	return 0;
}

/* ---- RSS contexts (ethtool -X context) ------------------------------ */

/*
 * A new context starts with the main context's key and a table spread
 * over the active queues, unless the request gives its own; the core keeps
 * what @ctx says, so it learns the defaults here.
 */
static int nicsim_create_rxfh_context(struct net_device *dev,
				      struct ethtool_rxfh_context *ctx,
				      const struct ethtool_rxfh_param *rxfh,
				      struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);
	u32 *indir = ethtool_rxfh_context_indir(ctx);
	u8 *key = ethtool_rxfh_context_key(ctx);
	unsigned int i;
	int err;

	err = nicsim_rss_hfunc_check(rxfh, extack);
	if (err)
		return err;
	err = nicsim_hw_rss_ctx_alloc(port->hw, rxfh->rss_context);
	if (err) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "cannot set up RSS context %u: %d",
				       rxfh->rss_context, err);
		return err;
	}
	if (rxfh->indir)
		memcpy(indir, rxfh->indir, NICSIM_RSS_INDIR_SIZE * sizeof(*indir));
	else
		for (i = 0; i < NICSIM_RSS_INDIR_SIZE; i++)
			indir[i] = ethtool_rxfh_indir_default(i, port->num_queues);
	memcpy(key, rxfh->key ?: port->rss_key, NICSIM_RSS_KEY_SIZE);
	if (rxfh->hfunc == ETH_RSS_HASH_NO_CHANGE)
		ctx->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->input_xfrm == RXH_XFRM_NO_CHANGE)
		ctx->input_xfrm = 0;
	nicsim_hw_rss_program(port->hw, rxfh->rss_context, key, indir);
	return 0;
}

static int nicsim_modify_rxfh_context(struct net_device *dev,
				      struct ethtool_rxfh_context *ctx,
				      const struct ethtool_rxfh_param *rxfh,
				      struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);
	int err;

	err = nicsim_rss_hfunc_check(rxfh, extack);
	if (err)
		return err;
	nicsim_hw_rss_program(port->hw, rxfh->rss_context, rxfh->key,
			      rxfh->indir);
	return 0;
}

/* Not while a flow rule sends frames to it (but always on unregister). */
static int nicsim_remove_rxfh_context(struct net_device *dev,
				      struct ethtool_rxfh_context *ctx,
				      u32 rss_context,
				      struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int loc;

	for (loc = 0; loc < NICSIM_FLOW_RULES; loc++) {
		const struct nicsim_flow_rule *rule = &port->flow_rules[loc];

		if (!rule->valid || rule->rss_context != rss_context ||
		    dev->reg_state != NETREG_REGISTERED)
			continue;
		netdev_err(dev, "RSS context %u is in use by flow rule %u\n",
			   rss_context, loc);
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "RSS context %u is in use by flow rule %u",
				       rss_context, loc);
		return -EBUSY;
	}
	nicsim_hw_rss_ctx_free(port->hw, rss_context);
	return 0;
}

const struct ethtool_ops nicsim_ethtool_ops = {
	.rxfh_per_ctx_key	= 1,
	.cap_rss_rxnfc_adds	= 1,
	.rxfh_max_num_contexts	= NICSIM_RSS_MAX_CTX,
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_MAX_FRAMES,
	.supported_ring_params	= ETHTOOL_RING_USE_TCP_DATA_SPLIT,
	.get_drvinfo		= nicsim_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= nicsim_get_link_ksettings,
	.get_ts_info		= nicsim_get_ts_info,
	.get_channels		= nicsim_get_channels,
	.set_channels		= nicsim_set_channels,
	.get_coalesce		= nicsim_get_coalesce,
	.set_coalesce		= nicsim_set_coalesce,
	.get_pauseparam		= nicsim_get_pauseparam,
	.set_pauseparam		= nicsim_set_pauseparam,
	.get_pause_stats	= nicsim_get_pause_stats,
	.get_fecparam		= nicsim_get_fecparam,
	.set_fecparam		= nicsim_set_fecparam,
	.get_fec_stats		= nicsim_get_fec_stats,
	.get_ringparam		= nicsim_get_ringparam,
	.set_ringparam		= nicsim_set_ringparam,
	.get_rxnfc		= nicsim_get_rxnfc,
	.set_rxnfc		= nicsim_set_rxnfc,
	.create_rxfh_context	= nicsim_create_rxfh_context,
	.modify_rxfh_context	= nicsim_modify_rxfh_context,
	.remove_rxfh_context	= nicsim_remove_rxfh_context,
	.get_rxfh_key_size	= nicsim_get_rxfh_key_size,
	.get_rxfh_indir_size	= nicsim_get_rxfh_indir_size,
	.get_rxfh		= nicsim_get_rxfh,
	.set_rxfh		= nicsim_set_rxfh,
	.get_sset_count		= nicsim_get_sset_count,
	.get_strings		= nicsim_get_strings,
	.get_ethtool_stats	= nicsim_get_ethtool_stats,
};
