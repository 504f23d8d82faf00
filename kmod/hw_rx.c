// SPDX-License-Identifier: GPL-2.0
/*
 * The receive side of the device: the MAC parses a frame from the cable
 * with the kernel's flow dissector, verifies its TCP/UDP checksum, picks a
 * queue with its flow rules and Toeplitz RSS in their context, writes the frame into
 * the queue's next posted buffer and the descriptor back, and reports the
 * completion to the vector.
 */

#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ktime.h>
#include <linux/tcp.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/unaligned.h>
#include <net/checksum.h>
#include <net/flow_dissector.h>
#include <net/ip6_checksum.h>
#include <net/net_namespace.h>

#include "nicsim_hw.h"
#include "trace.h"

/*
 * Toeplitz: each input bit k that is set XORs into the hash the 32 key
 * bits that start at bit k. The hash engine works a nibble at a time: for
 * each input nibble and value, the XOR of its bits' windows, computed when
 * the key is written (under rss_lock). Input bit k needs key bits up to
 * k + 31: 36 bytes of input fit a 40-byte key.
 */
static_assert(NICSIM_RSS_INPUT_MAX * 8 + 32 <= NICSIM_RSS_KEY_SIZE * 8);

/* The 32 key bits from bit @k on. */
static u32 nicsim_rss_window(const u8 *key, unsigned int k)
{
	u64 bits = 0;
	unsigned int i;

	for (i = 0; i < 5 && k / 8 + i < NICSIM_RSS_KEY_SIZE; i++)
		bits |= (u64)key[k / 8 + i] << (32 - 8 * i);
	return (bits << (k % 8)) >> 8;
}

void nicsim_hw_rss_expand(struct nicsim_hw_rss_ctx *ctx)
{
	unsigned int nib, val, bit;

	for (nib = 0; nib < 2 * NICSIM_RSS_INPUT_MAX; nib++)
		for (val = 0; val < 16; val++) {
			u32 h = 0;

			for (bit = 0; bit < 4; bit++)
				if (val & (8 >> bit))
					h ^= nicsim_rss_window(ctx->key,
							       nib * 4 + bit);
			ctx->lut[nib][val] = h;
		}
}

/* Toeplitz hash of @len <= NICSIM_RSS_INPUT_MAX bytes of @data. */
static u32 nicsim_toeplitz(const struct nicsim_hw_rss_ctx *ctx,
			   const u8 *data, unsigned int len)
{
	unsigned int i;
	u32 hash = 0;

	for (i = 0; i < len; i++)
		hash ^= ctx->lut[2 * i][data[i] >> 4] ^
			ctx->lut[2 * i + 1][data[i] & 0xf];
	return hash;
}

/*
 * What the MAC's parser found in a frame: the kernel's flow dissector run
 * on the raw frame, as a NIC's parser sees it before any skb exists. It
 * stops at an encapsulation: RSS hashes the outer headers. (A BPF flow
 * dissector attached to the initial namespace steers it too.)
 */
struct nicsim_rx_parse {
	struct flow_keys keys;
	unsigned int l4_off;		/* 0: no TCP/UDP segment to verify */
	unsigned int l4_len;		/* the segment: header and payload */
};

/* A TCP or UDP header the hash and the checksum may use. */
static bool nicsim_hw_parse_is_l4(const struct flow_keys *k)
{
	return (k->basic.ip_proto == IPPROTO_TCP ||
		k->basic.ip_proto == IPPROTO_UDP) &&
	       !(k->control.flags & FLOW_DIS_IS_FRAGMENT);
}

static void nicsim_hw_parse(const u8 *frame, u32 len, struct nicsim_rx_parse *p)
{
	const struct flow_keys *k = &p->keys;
	unsigned int off = 2 * ETH_ALEN, end = 0;
	__be16 proto;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return;
	proto = get_unaligned((__be16 *)(frame + off));
	if (!__skb_flow_dissect(&init_net, NULL, &flow_keys_dissector,
				&p->keys, frame, proto, ETH_HLEN, len,
				FLOW_DISSECTOR_F_STOP_AT_ENCAP)) {
		memset(&p->keys, 0, sizeof(p->keys));
		return;
	}
	if (!nicsim_hw_parse_is_l4(k))
		return;

	/*
	 * The checksum covers the segment up to the IP datagram's end. Verify
	 * it only for IP right after Ethernet and its VLAN tags, with TCP/UDP
	 * right after the IPv4 header (options included) or the IPv6 header
	 * (no extension header: a routing header changes the pseudo-header).
	 * Other paths the dissector knows (PPPoE, HSR...) are left to the
	 * stack.
	 */
	while (off + VLAN_HLEN + 2 <= len &&
	       eth_type_vlan(get_unaligned((__be16 *)(frame + off))))
		off += VLAN_HLEN;
	if (get_unaligned((__be16 *)(frame + off)) != k->basic.n_proto)
		return;
	off += 2;	/* the network header */
	if (k->basic.n_proto == htons(ETH_P_IP) &&
	    k->control.thoff == off + (frame[off] & 0xf) * 4)
		end = off + get_unaligned_be16(frame + off + 2);
	else if (k->basic.n_proto == htons(ETH_P_IPV6) &&
		 k->control.thoff == off + sizeof(struct ipv6hdr))
		end = off + sizeof(struct ipv6hdr) +
		      get_unaligned_be16(frame + off + 4);
	if (end > len || end < k->control.thoff + sizeof(struct udphdr))
		return;
	p->l4_off = k->control.thoff;
	p->l4_len = end - k->control.thoff;
}

/* Does the frame match the rule? Ports only where TCP/UDP is parsed. */
static bool nicsim_hw_flow_match(const struct nicsim_hw_flow_rule *r,
				 const struct flow_keys *k)
{
	const __be32 *src, *dst;
	unsigned int i, n;

	if (!r->valid || k->basic.n_proto != r->n_proto ||
	    (r->ip_proto && k->basic.ip_proto != r->ip_proto))
		return false;
	if (k->control.addr_type == FLOW_DISSECTOR_KEY_IPV4_ADDRS &&
	    r->n_proto == htons(ETH_P_IP)) {
		src = &k->addrs.v4addrs.src;
		dst = &k->addrs.v4addrs.dst;
		n = 1;
	} else if (k->control.addr_type == FLOW_DISSECTOR_KEY_IPV6_ADDRS &&
		   r->n_proto == htons(ETH_P_IPV6)) {
		src = k->addrs.v6addrs.src.s6_addr32;
		dst = k->addrs.v6addrs.dst.s6_addr32;
		n = 4;
	} else {
		return false;
	}
	for (i = 0; i < n; i++)
		if (((src[i] ^ r->src[i]) & r->src_mask[i]) ||
		    ((dst[i] ^ r->dst[i]) & r->dst_mask[i]))
			return false;
	if (!r->sport_mask && !r->dport_mask)
		return true;
	return nicsim_hw_parse_is_l4(k) &&
	       !((k->ports.src ^ r->sport) & r->sport_mask) &&
	       !((k->ports.dst ^ r->dport) & r->dport_mask);
}

/*
 * Steering: the first flow rule the frame matches (with flow steering on)
 * picks a queue, or an RSS context, or drops the frame. RSS hashes the
 * addresses, and the ports of a TCP/UDP datagram, with the context's key;
 * its indirection table picks the queue. Frames that are not IP go to
 * queue 0 without a hash. Returns the queue, or -1 to drop.
 */
static int nicsim_hw_steer(struct nicsim_hw_port *hw, const struct flow_keys *k,
			   u32 *hash, u16 *type)
{
	const struct nicsim_hw_flow_rule *rule = NULL;
	const struct nicsim_hw_rss_ctx *ctx;
	u8 input[NICSIM_RSS_INPUT_MAX];
	unsigned int n = 0, i;
	int queue = 0;

	*hash = 0;
	switch (k->control.addr_type) {
	case FLOW_DISSECTOR_KEY_IPV4_ADDRS:
		n = sizeof(k->addrs.v4addrs);	/* saddr, daddr */
		memcpy(input, &k->addrs.v4addrs, n);
		*type = NICSIM_RSS_TYPE_IPV4;
		break;
	case FLOW_DISSECTOR_KEY_IPV6_ADDRS:
		n = sizeof(k->addrs.v6addrs);
		memcpy(input, &k->addrs.v6addrs, n);
		*type = NICSIM_RSS_TYPE_IPV6;
		break;
	default:
		*type = NICSIM_RSS_TYPE_NONE;
		return 0;
	}
	if (nicsim_hw_parse_is_l4(k)) {
		memcpy(input + n, &k->ports.ports, 4);	/* sport, dport */
		n += 4;
		*type += k->basic.ip_proto == IPPROTO_TCP ? 1 : 2;
	}

	spin_lock(&hw->rss_lock);
	if (hw->flow_steering)
		for (i = 0; i < hw->flow_rules_end && !rule; i++)
			if (nicsim_hw_flow_match(&hw->flow_rules[i], k))
				rule = &hw->flow_rules[i];
	ctx = &hw->rss;
	if (rule && rule->action == NICSIM_FLOW_DROP) {
		hw->rx_flow_drops++;
		queue = -1;
	} else if (rule && rule->action == NICSIM_FLOW_QUEUE) {
		*hash = nicsim_toeplitz(ctx, input, n);
		queue = rule->queue;
	} else {
		if (rule && hw->rss_ctx[rule->context])
			ctx = hw->rss_ctx[rule->context];
		*hash = nicsim_toeplitz(ctx, input, n);
		queue = ctx->indir[*hash % NICSIM_RSS_INDIR_SIZE] +
			(rule ? rule->queue : 0);
	}
	spin_unlock(&hw->rss_lock);
	return queue;
}

/*
 * RX checksum offload: verify a TCP/UDP checksum. Returns 0 when the frame
 * has none to check (not TCP/UDP, or UDP over IPv4 without a checksum),
 * else NICSIM_RXD_STS_L4CSUM, with NICSIM_RXD_STS_L4CSUM_ERR if wrong.
 */
static u16 nicsim_hw_rx_csum(const u8 *frame, const struct nicsim_rx_parse *p)
{
	const struct flow_keys *k = &p->keys;
	const u8 *l4 = frame + p->l4_off;
	u8 proto = k->basic.ip_proto;
	__wsum sum;
	__sum16 res;

	if (!p->l4_off)
		return 0;
	if (k->control.addr_type == FLOW_DISSECTOR_KEY_IPV4_ADDRS) {
		if (proto == IPPROTO_UDP &&
		    !get_unaligned((__be16 *)(l4 + offsetof(struct udphdr, check))))
			return 0;
		sum = csum_partial(l4, p->l4_len, 0);
		res = csum_tcpudp_magic(k->addrs.v4addrs.src,
					k->addrs.v4addrs.dst, p->l4_len,
					proto, sum);
	} else {
		sum = csum_partial(l4, p->l4_len, 0);
		res = csum_ipv6_magic(&k->addrs.v6addrs.src,
				      &k->addrs.v6addrs.dst, p->l4_len, proto,
				      sum);
	}
	return NICSIM_RXD_STS_L4CSUM | (res ? NICSIM_RXD_STS_L4CSUM_ERR : 0);
}

/*
 * Copy @n bytes from @off of the frame as the MAC hands it over: without
 * the @tag bytes of its 802.1Q tag, after the MAC addresses, if stripped.
 */
static void nicsim_hw_rx_copy(u8 *dst, const u8 *frame, u32 off, u32 n,
			      u32 tag)
{
	u32 head = 0;

	if (!n)
		return;
	if (tag && off < 2 * ETH_ALEN) {
		head = min(n, 2 * ETH_ALEN - off);
		memcpy(dst, frame + off, head);
	}
	memcpy(dst + head, frame + off + head + tag, n - head);
}

/*
 * Where header split cuts a frame: after a TCP segment's header, for the
 * segments with a payload whose checksum the MAC verifies; 0 for any other
 * frame (a bare ACK, its Ethernet padding included, stays whole).
 */
static u32 nicsim_hw_rx_split(const u8 *frame, const struct nicsim_rx_parse *p)
{
	u32 doff;

	if (!p->l4_off || p->keys.basic.ip_proto != IPPROTO_TCP ||
	    p->l4_len < sizeof(struct tcphdr))
		return 0;
	doff = (frame[p->l4_off + 12] >> 4) * 4;
	if (doff < sizeof(struct tcphdr) || doff >= p->l4_len)
		return 0;
	return p->l4_off + doff;
}

/*
 * The MAC hands a frame from the wire to an RX queue: DMA it into the next
 * posted buffer (its headers into the header buffer, with header split),
 * write the descriptor back with DD last, and report the completion to the
 * queue's vector.
 */
static void nicsim_hw_rx_frame(struct nicsim_hw_queue *hwq, const u8 *frame,
			       u32 len, u64 seq, u64 hwts, u32 hash,
			       u16 rss_type, u16 csum_status, u32 split)
{
	u16 status = NICSIM_RXD_STS_DD | NICSIM_RXD_STS_EOP | csum_status;
	struct nicsim_dev *ndev = hwq->hw->ndev;
	struct nicsim_hw_ring *rxr = &hwq->rxr;
	enum nicsim_rx_drop_reason drop;
	u32 idx, hlen = 0, dlen, tag = 0;
	struct nicsim_rx_desc *desc;
	void *buf = NULL, *hdr = NULL;
	dma_addr_t hdr_addr;
	u64 tstamp;

	spin_lock(&hwq->rx_lock);
	if (unlikely(should_fail(&hwq->hw->faults.rx_stall, 1))) {
		hwq->rx_stalled++;	/* the RX DMA engine is stuck */
		drop = NICSIM_RX_DROP_STALLED;
		goto drop;
	}
	if (!rxr->enabled || rxr->head == READ_ONCE(rxr->tail)) {
		hwq->rx_no_buffer++;
		drop = NICSIM_RX_DROP_NO_BUFFER;
		if (rxr->enabled)
			nicsim_hw_mac_pause(hwq->hw);
		goto drop;
	}
	dma_rmb();	/* read the descriptor only after the tail */

	idx = rxr->head & (rxr->size - 1);
	desc = nicsim_hw_desc(ndev, rxr, idx, sizeof(*desc));
	if (!desc) {
		hwq->rx_dma_errors++;
		drop = NICSIM_RX_DROP_DMA_ERROR;
		goto drop;
	}
	/* the tag is stripped: it travels in the descriptor */
	if (READ_ONCE(hwq->hw->vlan_strip) && len >= VLAN_ETH_HLEN &&
	    get_unaligned((__be16 *)(frame + 12)) == htons(ETH_P_8021Q))
		tag = VLAN_HLEN;
	hdr_addr = le64_to_cpu(desc->hdr_addr);
	if (hdr_addr) {
		/* TCP's headers, or a whole frame that fits; or nothing */
		hlen = split ? split - tag : len - tag;
		if (hlen > le16_to_cpu(desc->hdr_buf_len))
			hlen = 0;
	}
	dlen = len - tag - hlen;
	if (dlen > le16_to_cpu(desc->buf_len)) {
		hwq->rx_oversize++;
		drop = NICSIM_RX_DROP_OVERSIZE;
		goto drop;
	}
	if (hlen)
		hdr = nicsim_hw_dma_va(ndev, hdr_addr, hlen);
	if (dlen)
		buf = nicsim_hw_dma_va(ndev, le64_to_cpu(desc->addr), dlen);
	if ((hlen && !hdr) || (dlen && !buf)) {
		hwq->rx_dma_errors++;
		drop = NICSIM_RX_DROP_DMA_ERROR;
		goto drop;
	}
	nicsim_hw_rx_copy(hdr, frame, 0, hlen, tag);
	nicsim_hw_rx_copy(buf, frame, hlen, dlen, tag);
	if (tag) {
		desc->vlan_tci = cpu_to_le16(get_unaligned_be16(frame + 14));
		status |= NICSIM_RXD_STS_VLAN;
		hwq->rx_vlan_stripped++;
	}
	if (hlen)
		status |= NICSIM_RXD_STS_HDR;
	if (hlen && dlen)
		hwq->rx_header_split++;

	tstamp = ktime_get_ns();
	/* a faulty device: the frame fits, the length it reports does not */
	if (unlikely(should_fail(&hwq->hw->faults.rx_bad_len, 1)))
		dlen = le16_to_cpu(desc->buf_len) + 1;
	desc->len = cpu_to_le16(dlen);
	desc->hdr_len = cpu_to_le16(hlen);
	desc->rss_hash = cpu_to_le32(hash);
	desc->rss_type = cpu_to_le16(rss_type);
	desc->seq = cpu_to_le64(seq);
	desc->tstamp = cpu_to_le64(tstamp);
	desc->hwts = cpu_to_le64(hwts);
	dma_wmb();	/* the driver must see the frame before DD */
	WRITE_ONCE(desc->status, cpu_to_le16(status));
	trace_nicsim_rx_dma_write(hwq->hw->trace_dev, hwq->index, idx,
				  hlen + dlen, seq, tstamp);
	rxr->head++;
	hwq->rx_frames++;
	if (status & NICSIM_RXD_STS_L4CSUM_ERR)
		hwq->rx_csum_errors++;
	nicsim_hw_vector_event(hwq->vec, 1, 0);
	spin_unlock(&hwq->rx_lock);
	return;

drop:
	trace_nicsim_rx_drop(hwq->hw->trace_dev, hwq->index, seq, len, drop);
	spin_unlock(&hwq->rx_lock);
}

/*
 * The peer's MAC receives a frame that @hw sent, after @latency_ns on the
 * cable, and stamps it with its PTP clock at @arrival (CLOCK_MONOTONIC),
 * when the cable model says it came.
 */
void nicsim_hw_wire_deliver(struct nicsim_hw_port *hw, const void *frame,
			    u32 len, u64 seq, u64 latency_ns, bool corrupted,
			    u64 arrival)
{
	struct nicsim_hw_port *peer = hw->peer;
	u64 hwts = nicsim_hw_phc_at(peer, arrival);
	struct nicsim_rx_parse parse;
	u16 rss_type;
	u32 hash;
	int queue;

	trace_nicsim_wire(hw->trace_dev, peer->trace_dev, seq, len, latency_ns,
			  corrupted ? NICSIM_WIRE_CORRUPTED :
			  NICSIM_WIRE_DELIVERED);
	nicsim_hw_parse(frame, len, &parse);
	queue = nicsim_hw_steer(peer, &parse.keys, &hash, &rss_type);
	if (queue < 0) {
		trace_nicsim_rx_drop(peer->trace_dev, 0, seq, len,
				     NICSIM_RX_DROP_FILTER);
		return;
	}
	if (queue >= peer->num_queues)
		queue = 0;
	nicsim_hw_rx_frame(&peer->queues[queue], frame, len, seq, hwts, hash,
			   rss_type, nicsim_hw_rx_csum(frame, &parse),
			   nicsim_hw_rx_split(frame, &parse));
}
