// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated hardware: descriptor rings, a DMA engine per TX queue, the
 * cable between paired ports and an MSI-X-like interrupt controller.
 *
 * The device reaches memory only through bus addresses (dma_addr_t) that
 * the driver wrote into its registers and descriptors, translated the way
 * the platform's DMA layer mapped them. It never dereferences a driver
 * pointer. Its engines run in their own workqueue, woken by doorbells,
 * asynchronously to the driver.
 */

#include <linux/atomic.h>
#include <linux/dma-direct.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/unaligned.h>

#include "nicsim.h"
#include "trace.h"

/* Descriptors an engine processes before it yields its worker. */
#define NICSIM_ENGINE_BUDGET	64

/*
 * Translate a bus address as a device behind no IOMMU does: the DMA
 * layer's bus address back to a physical address, then to the kernel's
 * linear map (the simulation's stand-in for the memory bus). A range
 * outside RAM is a DMA error, as a master abort would be.
 */
static void *nicsim_hw_dma_va(struct nicsim_dev *ndev, dma_addr_t addr,
			      size_t len)
{
	phys_addr_t phys;

	if (!len || addr == DMA_MAPPING_ERROR || addr + len < addr)
		return NULL;
	phys = dma_to_phys(&ndev->dev, addr);
	if (!pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + len - 1)))
		return NULL;
	return phys_to_virt(phys);
}

static void *nicsim_hw_desc(struct nicsim_dev *ndev, struct nicsim_hw_ring *r,
			    u32 idx, size_t desc_size)
{
	return nicsim_hw_dma_va(ndev, r->base + (dma_addr_t)idx * desc_size,
				desc_size);
}

/* ---- interrupt controller ----------------------------------------- */

/* Send an interrupt message to the vector's target CPU. */
static void nicsim_vector_send(struct nicsim_vector *vec,
			       enum nicsim_irq_reason reason, u32 rx, u32 tx)
	__must_hold(&vec->lock)
{
	int cpu;

	if (vec->masked) {
		vec->pending = true;
		vec->latched_rx += rx;
		vec->latched_tx += tx;
		return;
	}

	if (unlikely(should_fail(&vec->hw->faults.lost_irq, 1))) {
		vec->lost++;	/* the message never reaches the CPU */
		return;
	}
	cpu = READ_ONCE(vec->cpu);
	vec->raised++;
	/* the message's timestamp and batch, which the driver may read */
	WRITE_ONCE(vec->raise_ns, ktime_get_ns());
	WRITE_ONCE(vec->batch_rx, rx);
	WRITE_ONCE(vec->batch_tx, tx);
	atomic_inc(&vec->in_flight);
	trace_nicsim_irq_raise(vec->hw->trace_dev, vec->index, vec->irq, cpu,
			       reason, rx, tx);
	/*
	 * A message already on its way covers this one, as a second MSI
	 * write to an already pending vector would.
	 */
	if (cpu == smp_processor_id() || !cpu_online(cpu)) {
		if (!irq_work_queue(&vec->local_msg))
			atomic_dec(&vec->in_flight);
	} else if (smp_call_function_single_async(cpu, &vec->remote_msg)) {
		atomic_dec(&vec->in_flight);
	}
}

/* Runs in hard-IRQ context on the target CPU, as a device interrupt. */
static void nicsim_vector_local_msg(struct irq_work *work)
{
	struct nicsim_vector *vec = container_of(work, struct nicsim_vector,
						 local_msg);

	generic_handle_irq(vec->irq);
	atomic_dec(&vec->in_flight);
}

/*
 * On the target CPU, but possibly from an idle or hotplug flush of the
 * call queue rather than the IPI: go through a self-IPI so that the
 * handler always runs in hard-IRQ context.
 */
static void nicsim_vector_remote_msg(void *data)
{
	struct nicsim_vector *vec = data;

	if (!irq_work_queue(&vec->local_msg))
		atomic_dec(&vec->in_flight);
}

/* Interrupt now: the vector auto-disables and its completion counts reset. */
static void nicsim_vector_fire(struct nicsim_vector *vec,
			       enum nicsim_irq_reason reason)
	__must_hold(&vec->lock)
{
	u32 rx = vec->rx_pending, tx = vec->tx_pending;

	vec->enabled = false;	/* auto-disable, as EIAM does */
	vec->rx_pending = 0;
	vec->tx_pending = 0;
	nicsim_vector_send(vec, reason, rx, tx);
}

/*
 * Interrupt moderation: with the vector enabled and completions pending,
 * interrupt once a frame threshold is met; otherwise start the timer, which
 * interrupts when it expires. A zero time means no delay.
 */
static void nicsim_vector_moderate(struct nicsim_vector *vec,
				   enum nicsim_irq_reason reason)
	__must_hold(&vec->lock)
{
	u32 usecs = U32_MAX;

	if (!vec->enabled || (!vec->rx_pending && !vec->tx_pending))
		return;
	if ((vec->rx_pending && vec->rx_pending >= vec->rx_frames) ||
	    (vec->tx_pending && vec->tx_pending >= vec->tx_frames)) {
		nicsim_vector_fire(vec, reason);
		return;
	}
	if (vec->rx_pending)
		usecs = vec->rx_usecs;
	if (vec->tx_pending)
		usecs = min(usecs, vec->tx_usecs);
	if (!usecs) {
		nicsim_vector_fire(vec, reason);
	} else if (!vec->timer_armed) {
		vec->timer_armed = true;
		hrtimer_start(&vec->mod_timer, ns_to_ktime(usecs * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
	}
}

static enum hrtimer_restart nicsim_vector_timer(struct hrtimer *timer)
{
	struct nicsim_vector *vec = container_of(timer, struct nicsim_vector,
						 mod_timer);
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->timer_armed = false;
	if (vec->enabled && (vec->rx_pending || vec->tx_pending))
		nicsim_vector_fire(vec, NICSIM_IRQ_TIMER);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
	return HRTIMER_NORESTART;
}

/* @rx RX and @tx TX completions for the vector: moderate, or latch them. */
static void nicsim_hw_vector_event(struct nicsim_vector *vec, u32 rx, u32 tx)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->events += rx + tx;
	vec->rx_pending += rx;
	vec->tx_pending += tx;
	nicsim_vector_moderate(vec, NICSIM_IRQ_FRAMES);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/* Interrupt enable register: latched completions are moderated at once. */
void nicsim_hw_irq_enable(struct nicsim_vector *vec)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->enabled = true;
	nicsim_vector_moderate(vec, NICSIM_IRQ_ENABLE);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

void nicsim_hw_irq_disable(struct nicsim_vector *vec)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->enabled = false;
	vec->rx_pending = 0;
	vec->tx_pending = 0;
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/* Moderation registers; frame thresholds of 0 count as 1. */
void nicsim_hw_irq_moderation(struct nicsim_vector *vec, u32 rx_usecs,
			      u32 rx_frames, u32 tx_usecs, u32 tx_frames)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->rx_usecs = rx_usecs;
	vec->rx_frames = max(rx_frames, 1U);
	vec->tx_usecs = tx_usecs;
	vec->tx_frames = max(tx_frames, 1U);
	nicsim_vector_moderate(vec, NICSIM_IRQ_FRAMES);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/*
 * The MSI-X Vector Control mask bit: a message the vector sends while
 * masked sets its Pending Bit instead, and goes out when it is unmasked.
 */
void nicsim_hw_vector_mask(struct nicsim_vector *vec, bool mask)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->masked = mask;
	if (!mask && vec->pending) {
		vec->pending = false;
		nicsim_vector_send(vec, NICSIM_IRQ_UNMASK, vec->latched_rx,
				   vec->latched_tx);
		vec->latched_rx = 0;
		vec->latched_tx = 0;
	}
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

static void nicsim_irq_mask(struct irq_data *d)
{
	nicsim_hw_vector_mask(irq_data_get_irq_chip_data(d), true);
}

static void nicsim_irq_unmask(struct irq_data *d)
{
	nicsim_hw_vector_mask(irq_data_get_irq_chip_data(d), false);
}

static int nicsim_irq_retrigger(struct irq_data *d)
{
	struct nicsim_vector *vec = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	nicsim_vector_send(vec, NICSIM_IRQ_RETRIGGER, 0, 0);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
	return 1;
}

static int nicsim_irq_set_affinity(struct irq_data *d,
				   const struct cpumask *mask, bool force)
{
	struct nicsim_vector *vec = irq_data_get_irq_chip_data(d);
	unsigned int cpu;

	cpu = cpumask_first_and(mask, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	WRITE_ONCE(vec->cpu, cpu);
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	return IRQ_SET_MASK_OK_DONE;
}

static struct irq_chip nicsim_irq_chip = {
	.name			= DRV_NAME,
	.irq_mask		= nicsim_irq_mask,
	.irq_unmask		= nicsim_irq_unmask,
	.irq_retrigger		= nicsim_irq_retrigger,
	.irq_set_affinity	= nicsim_irq_set_affinity,
};

static int nicsim_irq_domain_map(struct irq_domain *domain, unsigned int irq,
				 irq_hw_number_t hwirq)
{
	struct nicsim_dev *ndev = domain->host_data;
	struct nicsim_hw_port *hw;

	hw = &ndev->hw_ports[hwirq / NICSIM_MAX_QUEUES];
	irq_set_chip_data(irq, &hw->vectors[hwirq % NICSIM_MAX_QUEUES]);
	irq_set_chip_and_handler(irq, &nicsim_irq_chip, handle_simple_irq);
	irq_set_noprobe(irq);
	/* the target is a variable: retarget at once, not at the next IRQ */
	irq_set_status_flags(irq, IRQ_MOVE_PCNTXT);
	return 0;
}

static void nicsim_irq_domain_unmap(struct irq_domain *domain,
				    unsigned int irq)
{
	irq_set_chip_and_handler(irq, NULL, NULL);
	irq_set_chip_data(irq, NULL);
}

static const struct irq_domain_ops nicsim_irq_domain_ops = {
	.map	= nicsim_irq_domain_map,
	.unmap	= nicsim_irq_domain_unmap,
};

/* ---- receive side of the device ----------------------------------- */

/* Toeplitz hash of @len bytes of @data with a NICSIM_RSS_KEY_SIZE key. */
static u32 nicsim_toeplitz(const u8 *key, const u8 *data, unsigned int len)
{
	u64 window = get_unaligned_be64(key);	/* key bits 0..63 */
	unsigned int i, next = 8;
	u32 hash = 0;
	int bit;

	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			if (data[i] & BIT(bit))
				hash ^= window >> 32;
			window <<= 1;
		}
		if (next < NICSIM_RSS_KEY_SIZE)
			window |= key[next++];
	}
	return hash;
}

/* What the RX parser found in a frame. */
struct nicsim_rx_parse {
	unsigned int l3_off;		/* 0: not IP */
	unsigned int l4_off;		/* 0: no TCP/UDP header to use */
	unsigned int l4_len;		/* L4 header and payload, from L3 */
	u8 l3;				/* 4 or 6 */
	u8 proto;
};

/*
 * The RX parser: Ethernet, an optional 802.1Q tag, IPv4 (with options) or
 * IPv6 (without extension headers), and TCP or UDP unless fragmented.
 */
static void nicsim_hw_parse(const u8 *frame, u32 len, struct nicsim_rx_parse *p)
{
	unsigned int off = ETH_HLEN, l3_len;
	__be16 ethertype;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return;
	ethertype = get_unaligned((__be16 *)(frame + 12));
	if (ethertype == htons(ETH_P_8021Q) && len >= off + VLAN_HLEN) {
		ethertype = get_unaligned((__be16 *)(frame + off + 2));
		off += VLAN_HLEN;
	}

	if (ethertype == htons(ETH_P_IP)) {
		const u8 *iph = frame + off;
		unsigned int ihl;

		if (len < off + sizeof(struct iphdr))
			return;
		ihl = (iph[0] & 0xf) * 4;
		l3_len = get_unaligned_be16(iph + 2);
		if (ihl < sizeof(struct iphdr) || l3_len < ihl ||
		    len < off + l3_len)
			return;
		p->l3 = 4;
		p->proto = iph[9];
		if (get_unaligned_be16(iph + 6) & (IP_MF | IP_OFFSET))
			p->proto = 0;	/* a fragment: no ports */
		p->l4_len = l3_len - ihl;
		p->l4_off = off + ihl;
	} else if (ethertype == htons(ETH_P_IPV6)) {
		const u8 *ip6h = frame + off;

		if (len < off + 40)
			return;
		l3_len = 40 + get_unaligned_be16(ip6h + 4);
		if (len < off + l3_len)
			return;
		p->l3 = 6;
		p->proto = ip6h[6];
		p->l4_len = l3_len - 40;
		p->l4_off = off + 40;
	} else {
		return;
	}
	p->l3_off = off;
	if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) ||
	    p->l4_len < 4)
		p->l4_off = 0;
}

/*
 * RSS: hash the addresses, and the ports of a TCP/UDP datagram, with the
 * port's key; the indirection table picks the queue. Frames that are not
 * IP go to queue 0 without a hash.
 */
static unsigned int nicsim_hw_rss(struct nicsim_hw_port *hw, const u8 *frame,
				  const struct nicsim_rx_parse *p, u32 *hash,
				  u16 *type)
{
	unsigned int n, alen = p->l3 == 4 ? 4 : 16, queue;
	u8 input[36];

	*hash = 0;
	*type = NICSIM_RSS_TYPE_NONE;
	if (!p->l3)
		return 0;
	/* saddr and daddr sit at the end of both IP headers' fixed part */
	memcpy(input, frame + p->l3_off + (p->l3 == 4 ? 12 : 8), 2 * alen);
	n = 2 * alen;
	*type = p->l3 == 4 ? NICSIM_RSS_TYPE_IPV4 : NICSIM_RSS_TYPE_IPV6;
	if (p->l4_off) {
		memcpy(input + n, frame + p->l4_off, 4);	/* sport, dport */
		n += 4;
		*type += p->proto == IPPROTO_TCP ? 1 : 2;
	}

	spin_lock(&hw->rss_lock);
	*hash = nicsim_toeplitz(hw->rss_key, input, n);
	queue = hw->rss_indir[*hash % NICSIM_RSS_INDIR_SIZE];
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
	const u8 *l4 = frame + p->l4_off;
	__wsum sum;
	__sum16 res;

	if (!p->l4_off)
		return 0;
	if (p->proto == IPPROTO_UDP && p->l3 == 4 &&
	    !get_unaligned((__be16 *)(l4 + 6)))
		return 0;
	sum = csum_partial(l4, p->l4_len, 0);
	if (p->l3 == 4) {
		const u8 *iph = frame + p->l3_off;

		res = csum_tcpudp_magic(get_unaligned((__be32 *)(iph + 12)),
					get_unaligned((__be32 *)(iph + 16)),
					p->l4_len, p->proto, sum);
	} else {
		struct in6_addr saddr, daddr;

		memcpy(&saddr, frame + p->l3_off + 8, sizeof(saddr));
		memcpy(&daddr, frame + p->l3_off + 24, sizeof(daddr));
		res = csum_ipv6_magic(&saddr, &daddr, p->l4_len, p->proto, sum);
	}
	return NICSIM_RXD_STS_L4CSUM | (res ? NICSIM_RXD_STS_L4CSUM_ERR : 0);
}

/*
 * The MAC hands a frame from the wire to an RX queue: DMA it into the next
 * posted buffer, write the descriptor back with DD last, and report the
 * completion to the queue's vector.
 */
static void nicsim_hw_rx_frame(struct nicsim_hw_queue *hwq, const u8 *frame,
			       u32 len, u64 seq, u32 hash, u16 rss_type,
			       u16 csum_status)
{
	u16 status = NICSIM_RXD_STS_DD | NICSIM_RXD_STS_EOP | csum_status;
	struct nicsim_dev *ndev = hwq->hw->ndev;
	struct nicsim_hw_ring *rxr = &hwq->rxr;
	enum nicsim_rx_drop_reason drop;
	struct nicsim_rx_desc *desc;
	u64 tstamp;
	void *buf;
	u32 idx;

	spin_lock(&hwq->rx_lock);
	if (unlikely(should_fail(&hwq->hw->faults.rx_stall, 1))) {
		hwq->rx_stalled++;	/* the RX DMA engine is stuck */
		drop = NICSIM_RX_DROP_STALLED;
		goto drop;
	}
	if (!rxr->enabled || rxr->head == READ_ONCE(rxr->tail)) {
		hwq->rx_no_buffer++;
		drop = NICSIM_RX_DROP_NO_BUFFER;
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
	if (len > le16_to_cpu(desc->buf_len)) {
		hwq->rx_oversize++;
		drop = NICSIM_RX_DROP_OVERSIZE;
		goto drop;
	}
	buf = nicsim_hw_dma_va(ndev, le64_to_cpu(desc->addr), len);
	if (!buf) {
		hwq->rx_dma_errors++;
		drop = NICSIM_RX_DROP_DMA_ERROR;
		goto drop;
	}
	if (READ_ONCE(hwq->hw->vlan_strip) && len >= VLAN_ETH_HLEN &&
	    get_unaligned((__be16 *)(frame + 12)) == htons(ETH_P_8021Q)) {
		/* strip the tag: it travels in the descriptor */
		desc->vlan_tci = cpu_to_le16(get_unaligned_be16(frame + 14));
		memcpy(buf, frame, 2 * ETH_ALEN);
		memcpy(buf + 2 * ETH_ALEN, frame + 2 * ETH_ALEN + VLAN_HLEN,
		       len - 2 * ETH_ALEN - VLAN_HLEN);
		len -= VLAN_HLEN;
		status |= NICSIM_RXD_STS_VLAN;
		hwq->rx_vlan_stripped++;
	} else {
		memcpy(buf, frame, len);
	}

	tstamp = ktime_get_ns();
	desc->len = cpu_to_le16(len);
	desc->rss_hash = cpu_to_le32(hash);
	desc->rss_type = cpu_to_le16(rss_type);
	desc->seq = cpu_to_le64(seq);
	desc->tstamp = cpu_to_le64(tstamp);
	dma_wmb();	/* the driver must see the frame before DD */
	WRITE_ONCE(desc->status, cpu_to_le16(status));
	trace_nicsim_rx_dma_write(hwq->hw->trace_dev, hwq->index, idx, len,
				  seq, tstamp);
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
 * cable.
 */
static void nicsim_hw_wire_deliver(struct nicsim_hw_port *hw,
				   const void *frame, u32 len, u64 seq,
				   u64 latency_ns, bool corrupted)
{
	struct nicsim_hw_port *peer = hw->peer;
	struct nicsim_rx_parse parse;
	unsigned int queue;
	u16 rss_type;
	u32 hash;

	trace_nicsim_wire(hw->trace_dev, peer->trace_dev, seq, len, latency_ns,
			  corrupted ? NICSIM_WIRE_CORRUPTED :
			  NICSIM_WIRE_DELIVERED);
	nicsim_hw_parse(frame, len, &parse);
	queue = nicsim_hw_rss(peer, frame, &parse, &hash, &rss_type);
	if (queue >= peer->num_queues)
		queue = 0;
	nicsim_hw_rx_frame(&peer->queues[queue], frame, len, seq, hash,
			   rss_type, nicsim_hw_rx_csum(frame, &parse));
}

/* A frame on the cable, for as long as the wire latency lasts. */
struct nicsim_wire_frame {
	struct list_head list;
	u64 due;			/* delivery time, ns */
	u64 sent;			/* when it went on the cable, ns */
	u64 seq;
	bool corrupted;
	u32 len;
	u8 data[] __counted_by(len);
};

/* Frames in flight on one cable direction, at most. */
#define NICSIM_WIRE_MAX_FRAMES	4096

/* Deliver the frames whose time has come; re-arm for the next one. */
static void nicsim_hw_wire_work(struct work_struct *work)
{
	struct nicsim_hw_port *hw = container_of(work, struct nicsim_hw_port,
						 wire_work);
	struct nicsim_wire_frame *wf;
	u64 now = ktime_get_ns();

	for (;;) {
		spin_lock(&hw->wire_lock);
		wf = list_first_entry_or_null(&hw->wire_frames,
					      struct nicsim_wire_frame, list);
		if (wf && wf->due > now) {
			hrtimer_start(&hw->wire_timer, ns_to_ktime(wf->due),
				      HRTIMER_MODE_ABS);
			wf = NULL;
		} else if (wf) {
			list_del(&wf->list);
			hw->wire_count--;
		}
		spin_unlock(&hw->wire_lock);
		if (!wf)
			break;
		nicsim_hw_wire_deliver(hw, wf->data, wf->len, wf->seq,
				       now - wf->sent, wf->corrupted);
		kfree(wf);
	}
}

static enum hrtimer_restart nicsim_hw_wire_timer(struct hrtimer *timer)
{
	struct nicsim_hw_port *hw = container_of(timer, struct nicsim_hw_port,
						 wire_timer);

	queue_work(hw->ndev->wq, &hw->wire_work);
	return HRTIMER_NORESTART;
}

/*
 * The cable: what one port sends, its peer receives, after the wire
 * latency (debugfs wire_latency_us), unless the wire drops it.
 */
static void nicsim_hw_wire_xmit(struct nicsim_hw_queue *hwq, const void *frame,
				u32 len, u64 seq)
{
	struct nicsim_hw_port *hw = hwq->hw;
	u32 latency = READ_ONCE(hw->wire_latency_us);
	struct nicsim_wire_frame *wf;
	bool first, corrupt;

	if (unlikely(should_fail(&hw->faults.wire_drop, 1))) {
		hwq->tx_wire_drops++;
		trace_nicsim_wire(hw->trace_dev, hw->peer->trace_dev, seq, len,
				  0, NICSIM_WIRE_DROPPED);
		return;
	}
	corrupt = should_fail(&hw->faults.wire_corrupt, 1);
	if (!latency && likely(!corrupt)) {
		nicsim_hw_wire_deliver(hw, frame, len, seq, 0, false);
		return;
	}

	/* the frame is in the device's buffers now: the TX buffer is free */
	wf = kmalloc(struct_size(wf, data, len), GFP_ATOMIC);
	if (!wf) {
		hwq->tx_wire_drops++;
		trace_nicsim_wire(hw->trace_dev, hw->peer->trace_dev, seq, len,
				  0, NICSIM_WIRE_OVERFLOW);
		return;
	}
	wf->len = len;
	memcpy(wf->data, frame, len);
	if (unlikely(corrupt)) {
		wf->data[len - 1] ^= 0xff;	/* a bit error in the last byte */
		hwq->tx_wire_corrupted++;
	}
	wf->seq = seq;
	wf->corrupted = corrupt;
	wf->sent = ktime_get_ns();
	wf->due = wf->sent + (u64)latency * NSEC_PER_USEC;

	spin_lock(&hw->wire_lock);
	if (hw->wire_count >= NICSIM_WIRE_MAX_FRAMES) {
		spin_unlock(&hw->wire_lock);
		kfree(wf);
		hwq->tx_wire_drops++;
		trace_nicsim_wire(hw->trace_dev, hw->peer->trace_dev, seq, len,
				  0, NICSIM_WIRE_OVERFLOW);
		return;
	}
	first = list_empty(&hw->wire_frames);
	list_add_tail(&wf->list, &hw->wire_frames);
	hw->wire_count++;
	if (first)
		hrtimer_start(&hw->wire_timer, ns_to_ktime(wf->due),
			      HRTIMER_MODE_ABS);
	spin_unlock(&hw->wire_lock);
}

/* Drop what is still on the cable; the engines are stopped. */
static void nicsim_hw_wire_fini(struct nicsim_hw_port *hw)
{
	struct nicsim_wire_frame *wf, *tmp;

	hrtimer_cancel(&hw->wire_timer);
	cancel_work_sync(&hw->wire_work);
	list_for_each_entry_safe(wf, tmp, &hw->wire_frames, list) {
		list_del(&wf->list);
		kfree(wf);
	}
	hw->wire_count = 0;
}

/* ---- transmit side of the device ---------------------------------- */

/* Checksum offload: fold the sum from @start into @start + @offset. */
static bool nicsim_hw_tx_csum(u8 *frame, u32 len, u16 start, u16 offset)
{
	__sum16 sum;

	if (start >= len || start + offset + sizeof(sum) > len)
		return false;
	sum = csum_fold(csum_partial(frame + start, len - start, 0));
	put_unaligned(sum ?: CSUM_MANGLED_0, (__sum16 *)(frame + start + offset));
	return true;
}

/* The frame gathered in the FIFO is complete: check it and send it. */
static void nicsim_hw_tx_fifo_send(struct nicsim_hw_queue *hwq)
{
	if (hwq->fifo_bad) {
		hwq->tx_dma_errors++;
	} else if ((hwq->fifo_cmd & NICSIM_TXD_CMD_CSUM) &&
		   !nicsim_hw_tx_csum(hwq->fifo, hwq->fifo_len,
				      hwq->fifo_csum_start,
				      hwq->fifo_csum_offset)) {
		hwq->tx_csum_errors++;
	} else {
		nicsim_hw_wire_xmit(hwq, hwq->fifo, hwq->fifo_len,
				    hwq->fifo_seq);
	}
	hwq->fifo_len = 0;
	hwq->fifo_bad = false;
}

/*
 * The TX DMA engine: read each descriptor's buffer into the FIFO (a frame
 * in one buffer without offload goes to the MAC straight from memory),
 * write the descriptor back, and at EOP send the frame.
 */
static void nicsim_hw_tx_engine(struct work_struct *work)
{
	struct nicsim_hw_queue *hwq = container_of(work, struct nicsim_hw_queue,
						   tx_engine);
	struct nicsim_dev *ndev = hwq->hw->ndev;
	struct nicsim_hw_ring *txr = &hwq->txr;
	unsigned int done = 0, frames = 0;
	bool more;

	spin_lock(&hwq->tx_lock);
	while (txr->enabled && txr->head != READ_ONCE(txr->tail) &&
	       done < NICSIM_ENGINE_BUDGET) {
		struct nicsim_tx_desc *desc;
		const void *data;
		u64 tstamp;
		u16 cmd;
		u32 len;

		dma_rmb();	/* read the descriptor only after the tail */
		desc = nicsim_hw_desc(ndev, txr, txr->head & (txr->size - 1),
				      sizeof(*desc));
		if (!desc) {
			/* A ring outside memory is fatal: stop the queue. */
			hwq->tx_dma_errors++;
			txr->enabled = false;
			break;
		}
		len = le16_to_cpu(desc->len);
		cmd = le16_to_cpu(desc->cmd);
		data = nicsim_hw_dma_va(ndev, le64_to_cpu(desc->addr), len);
		if (!hwq->fifo_len && !hwq->fifo_bad) {	/* a new frame */
			hwq->fifo_seq = atomic64_inc_return(&ndev->frame_seq);
			hwq->fifo_first = txr->head & (txr->size - 1);
			hwq->fifo_cmd = cmd;
			hwq->fifo_csum_start = le16_to_cpu(desc->csum_start);
			hwq->fifo_csum_offset = le16_to_cpu(desc->csum_offset);
		}

		tstamp = ktime_get_ns();	/* this buffer's read is done */
		if (!hwq->fifo_len && !hwq->fifo_bad && data &&
		    (cmd & (NICSIM_TXD_CMD_EOP | NICSIM_TXD_CMD_CSUM)) ==
		    NICSIM_TXD_CMD_EOP) {
			trace_nicsim_tx_dma_read(hwq->hw->trace_dev, hwq->index,
						 hwq->fifo_first, len,
						 hwq->fifo_seq, tstamp);
			nicsim_hw_wire_xmit(hwq, data, len, hwq->fifo_seq);
		} else {
			if (data && hwq->fifo_len + len <= NICSIM_TX_FIFO_SIZE)
				memcpy(hwq->fifo + hwq->fifo_len, data, len);
			else
				hwq->fifo_bad = true;
			hwq->fifo_len += len;
			if (cmd & NICSIM_TXD_CMD_EOP) {
				if (!hwq->fifo_bad)
					trace_nicsim_tx_dma_read(hwq->hw->trace_dev,
								 hwq->index,
								 hwq->fifo_first,
								 hwq->fifo_len,
								 hwq->fifo_seq,
								 tstamp);
				nicsim_hw_tx_fifo_send(hwq);
			}
		}
		if (cmd & NICSIM_TXD_CMD_EOP)
			frames++;

		desc->seq = cpu_to_le64(hwq->fifo_seq);
		desc->tstamp = cpu_to_le64(tstamp);
		dma_wmb();
		WRITE_ONCE(desc->status, cpu_to_le16(NICSIM_TXD_STS_DD));
		txr->head++;
		done++;
	}
	hwq->tx_frames += frames;
	if (frames)
		nicsim_hw_vector_event(hwq->vec, 0, frames);
	more = txr->enabled && txr->head != READ_ONCE(txr->tail);
	spin_unlock(&hwq->tx_lock);

	/* Yield between batches so that other queues' engines run. */
	if (more)
		queue_work(ndev->wq, &hwq->tx_engine);
}

/* ---- registers ----------------------------------------------------- */

/* Base, size and enable registers of a ring; head and tail restart at 0. */
static void nicsim_hw_ring_program(struct nicsim_hw_ring *r, dma_addr_t base,
				   u32 size)
{
	r->base = base;
	r->size = size;
	r->head = 0;
	r->tail = 0;
	r->enabled = true;
}

void nicsim_hw_txr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size)
{
	spin_lock(&hwq->tx_lock);
	nicsim_hw_ring_program(&hwq->txr, base, size);
	hwq->fifo_len = 0;
	hwq->fifo_bad = false;
	spin_unlock(&hwq->tx_lock);
}

/* Stop the TX engine; on return it no longer touches the ring. */
void nicsim_hw_txr_disable(struct nicsim_hw_queue *hwq)
{
	spin_lock(&hwq->tx_lock);
	hwq->txr.enabled = false;
	spin_unlock(&hwq->tx_lock);
	cancel_work_sync(&hwq->tx_engine);
}

void nicsim_hw_rxr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size)
{
	spin_lock(&hwq->rx_lock);
	nicsim_hw_ring_program(&hwq->rxr, base, size);
	spin_unlock(&hwq->rx_lock);
}

/* Stop receiving; on return no engine writes to the ring or its buffers. */
void nicsim_hw_rxr_disable(struct nicsim_hw_queue *hwq)
{
	spin_lock(&hwq->rx_lock);
	hwq->rxr.enabled = false;
	spin_unlock(&hwq->rx_lock);
}

/* VLAN strip enable register. */
void nicsim_hw_vlan_strip(struct nicsim_hw_port *hw, bool on)
{
	WRITE_ONCE(hw->vlan_strip, on);
}

/* RSS key and indirection table registers. */
void nicsim_hw_rss_program(struct nicsim_hw_port *hw, const u8 *key,
			   const u32 *indir)
{
	unsigned int i;

	spin_lock(&hw->rss_lock);
	memcpy(hw->rss_key, key, NICSIM_RSS_KEY_SIZE);
	for (i = 0; i < NICSIM_RSS_INDIR_SIZE; i++)
		hw->rss_indir[i] = indir[i];
	spin_unlock(&hw->rss_lock);
}

void nicsim_hw_tx_doorbell(struct nicsim_hw_queue *hwq, u32 tail)
{
	WRITE_ONCE(hwq->txr.tail, tail);
	queue_work(hwq->hw->ndev->wq, &hwq->tx_engine);
}

void nicsim_hw_rx_doorbell(struct nicsim_hw_queue *hwq, u32 tail)
{
	WRITE_ONCE(hwq->rxr.tail, tail);
}

/* ---- device bring-up and teardown ---------------------------------- */

static void nicsim_hw_vector_init(struct nicsim_hw_port *hw, unsigned int i)
{
	struct nicsim_vector *vec = &hw->vectors[i];

	vec->hw = hw;
	vec->index = i;
	vec->cpu = cpumask_local_spread(i, NUMA_NO_NODE);
	vec->masked = true;
	vec->rx_frames = 1;
	vec->tx_frames = 1;
	raw_spin_lock_init(&vec->lock);
	hrtimer_init(&vec->mod_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	vec->mod_timer.function = nicsim_vector_timer;
	vec->local_msg = IRQ_WORK_INIT_HARD(nicsim_vector_local_msg);
	INIT_CSD(&vec->remote_msg, nicsim_vector_remote_msg, vec);
	atomic_set(&vec->in_flight, 0);
}

static void nicsim_hw_queue_init(struct nicsim_hw_port *hw, unsigned int i)
{
	struct nicsim_hw_queue *hwq = &hw->queues[i];

	hwq->hw = hw;
	hwq->index = i;
	hwq->vec = &hw->vectors[i];
	spin_lock_init(&hwq->tx_lock);
	spin_lock_init(&hwq->rx_lock);
	INIT_WORK(&hwq->tx_engine, nicsim_hw_tx_engine);
}

/* Wait until no interrupt message of @vec is in flight, then unmap it. */
static void nicsim_hw_vector_fini(struct nicsim_dev *ndev,
				  struct nicsim_vector *vec)
{
	if (!vec->irq)		/* never mapped, so its timer never ran */
		return;
	hrtimer_cancel(&vec->mod_timer);
	while (atomic_read(&vec->in_flight))
		cpu_relax();
	irq_work_sync(&vec->local_msg);
	irq_dispose_mapping(vec->irq);
	vec->irq = 0;
}

int nicsim_hw_init(struct nicsim_dev *ndev)
{
	unsigned int p, q;
	int err;

	ndev->wq = alloc_workqueue("nicsim%u", WQ_UNBOUND, 0, ndev->id);
	if (!ndev->wq)
		return -ENOMEM;

	ndev->irq_fwnode = irq_domain_alloc_named_id_fwnode(DRV_NAME, ndev->id);
	if (!ndev->irq_fwnode) {
		err = -ENOMEM;
		goto err_destroy_wq;
	}
	ndev->irq_domain = irq_domain_create_linear(ndev->irq_fwnode,
						    ndev->num_ports *
						    NICSIM_MAX_QUEUES,
						    &nicsim_irq_domain_ops,
						    ndev);
	if (!ndev->irq_domain) {
		err = -ENOMEM;
		goto err_free_fwnode;
	}

	for (p = 0; p < ndev->num_ports; p++) {
		struct nicsim_hw_port *hw = &ndev->hw_ports[p];

		hw->ndev = ndev;
		hw->index = p;
		hw->peer = &ndev->hw_ports[p ^ 1];
		hw->num_queues = ndev->num_queues;
		spin_lock_init(&hw->rss_lock);
		spin_lock_init(&hw->wire_lock);
		INIT_LIST_HEAD(&hw->wire_frames);
		hrtimer_init(&hw->wire_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		hw->wire_timer.function = nicsim_hw_wire_timer;
		INIT_WORK(&hw->wire_work, nicsim_hw_wire_work);
		nicsim_faults_init(&hw->faults);
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_init(hw, q);
			nicsim_hw_queue_init(hw, q);
		}
		for (q = 0; q < hw->num_queues; q++) {
			struct nicsim_vector *vec = &hw->vectors[q];

			hw->queues[q].fifo = kmalloc(NICSIM_TX_FIFO_SIZE,
						     GFP_KERNEL);
			if (!hw->queues[q].fifo) {
				err = -ENOMEM;
				goto err_unmap;
			}

			vec->irq = irq_create_mapping(ndev->irq_domain,
						      p * NICSIM_MAX_QUEUES + q);
			if (!vec->irq) {
				err = -ENOSPC;
				goto err_unmap;
			}
		}
	}
	return 0;

err_unmap:
	for (p = 0; p < ndev->num_ports; p++)
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_fini(ndev, &ndev->hw_ports[p].vectors[q]);
			kfree(ndev->hw_ports[p].queues[q].fifo);
		}
	irq_domain_remove(ndev->irq_domain);
err_free_fwnode:
	irq_domain_free_fwnode(ndev->irq_fwnode);
err_destroy_wq:
	destroy_workqueue(ndev->wq);
	return err;
}

/* Called with every ring disabled, so no engine or message is started. */
void nicsim_hw_fini(struct nicsim_dev *ndev)
{
	unsigned int p, q;

	for (p = 0; p < ndev->num_ports; p++)
		nicsim_hw_wire_fini(&ndev->hw_ports[p]);
	for (p = 0; p < ndev->num_ports; p++)
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_fini(ndev, &ndev->hw_ports[p].vectors[q]);
			kfree(ndev->hw_ports[p].queues[q].fifo);
		}
	irq_domain_remove(ndev->irq_domain);
	irq_domain_free_fwnode(ndev->irq_fwnode);
	destroy_workqueue(ndev->wq);
}
