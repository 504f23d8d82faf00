// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit side of the device: a DMA engine per queue, woken by the
 * doorbell, reads descriptors and their buffers, gathers a frame's buffers
 * in its FIFO, computes an offloaded checksum or cuts a TSO frame into
 * segments, writes the descriptors back and puts the frames on the cable.
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ktime.h>
#include <linux/tcp.h>
#include <linux/unaligned.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>

#include "nicsim_hw.h"
#include "trace.h"

/* Descriptors an engine processes before it yields its worker. */
#define NICSIM_ENGINE_BUDGET	64

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

/*
 * The TSO parameters of the frame in the FIFO describe IPv4 or IPv6 at
 * l3_start, TCP at csum_start and a payload after hdr_len.
 */
/*
 * The MAC sends a frame, or a TSO frame's segment: the first is stamped
 * with the PTP clock if the frame's first descriptor asks.
 */
static void nicsim_hw_tx_mac(struct nicsim_hw_queue *hwq, const void *frame,
			     u32 len, u64 seq, bool first)
{
	bool stamp = first && (hwq->fifo_cmd & NICSIM_TXD_CMD_TSTAMP);

	nicsim_hw_wire_xmit(hwq, frame, len, seq,
			    stamp ? &hwq->fifo_hwts : NULL);
}

static bool nicsim_hw_tso_valid(const struct nicsim_hw_queue *hwq)
{
	u32 l3 = hwq->fifo_l3_start, l4 = hwq->fifo_csum_start;
	u32 hdr_len = hwq->fifo_hdr_len;
	const struct iphdr *iph;
	u8 version;

	if (!hwq->fifo_mss || hdr_len > NICSIM_TSO_MAX_HDR ||
	    hdr_len >= hwq->fifo_len || l3 >= l4 ||
	    hwq->fifo_csum_offset != offsetof(struct tcphdr, check) ||
	    l4 + sizeof(struct tcphdr) > hdr_len ||
	    l4 + __tcp_hdrlen((struct tcphdr *)(hwq->fifo + l4)) != hdr_len)
		return false;
	version = hwq->fifo[l3] >> 4;
	iph = (const struct iphdr *)(hwq->fifo + l3);
	if (version == 4)
		return l3 + sizeof(*iph) <= l4 && l3 + iph->ihl * 4 == l4 &&
		       iph->protocol == IPPROTO_TCP;
	if (version == 6)	/* no extension header */
		return l3 + sizeof(struct ipv6hdr) == l4 &&
		       ((struct ipv6hdr *)(hwq->fifo + l3))->nexthdr ==
		       IPPROTO_TCP;
	return false;
}

/*
 * TCP segmentation: send the payload after the headers in mss-byte
 * segments. Segment i's headers are written just before its payload, over
 * bytes of the FIFO already sent, from the copy kept in @hdr; each is
 * fixed up (hw.h) and the TCP checksum computed. Returns the number of
 * frames sent, or 0 if the TSO parameters do not describe the frame.
 */
static u32 nicsim_hw_tx_tso(struct nicsim_hw_queue *hwq)
{
	u32 l3 = hwq->fifo_l3_start, l4 = hwq->fifo_csum_start;
	u32 hdr_len = hwq->fifo_hdr_len, mss = hwq->fifo_mss;
	u32 off, payload, seq0, segs = 0;
	u8 hdr[NICSIM_TSO_MAX_HDR];
	const struct tcphdr *th0;
	struct tcphdr *th;
	bool v4;
	u64 seq;
	u16 id0;

	if (!nicsim_hw_tso_valid(hwq))
		return 0;
	memcpy(hdr, hwq->fifo, hdr_len);
	th0 = (const struct tcphdr *)(hdr + l4);
	seq0 = ntohl(th0->seq);
	v4 = (hdr[l3] >> 4) == 4;
	id0 = v4 ? ntohs(((struct iphdr *)(hdr + l3))->id) : 0;

	for (off = hdr_len; off < hwq->fifo_len; off += payload) {
		u8 *frame = hwq->fifo + off - hdr_len;
		bool last;
		u32 len;

		payload = min(mss, hwq->fifo_len - off);
		last = off + payload == hwq->fifo_len;
		len = hdr_len + payload;
		if (segs)
			memcpy(frame, hdr, hdr_len);
		th = (struct tcphdr *)(frame + l4);
		th->seq = htonl(seq0 + (off - hdr_len));
		if (!last) {
			th->fin = 0;
			th->psh = 0;
		}
		if (segs)
			th->cwr = 0;
		th->check = 0;
		if (v4) {
			struct iphdr *iph = (struct iphdr *)(frame + l3);

			iph->tot_len = htons(len - l3);
			iph->id = htons(id0 + segs);
			iph->check = 0;
			iph->check = ip_fast_csum(iph, iph->ihl);
			th->check = csum_tcpudp_magic(iph->saddr, iph->daddr,
						      len - l4, IPPROTO_TCP,
						      csum_partial(th, len - l4,
								   0));
		} else {
			struct ipv6hdr *ip6h = (struct ipv6hdr *)(frame + l3);

			ip6h->payload_len = htons(len - l3 - sizeof(*ip6h));
			th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
						    len - l4, IPPROTO_TCP,
						    csum_partial(th, len - l4,
								 0));
		}
		/* the first segment carries the descriptor's sequence number */
		seq = segs ? atomic64_inc_return(&hwq->hw->ndev->frame_seq) :
			     hwq->fifo_seq;
		nicsim_hw_tx_mac(hwq, frame, len, seq, !segs);
		segs++;
	}
	hwq->tx_tso_segs += segs;
	return segs;
}

/*
 * The frame gathered in the FIFO is complete: check it and send it.
 * Returns the number of frames that went on the cable.
 */
static u32 nicsim_hw_tx_fifo_send(struct nicsim_hw_queue *hwq)
{
	u32 sent = 0;

	if (hwq->fifo_bad) {
		hwq->tx_dma_errors++;
	} else if (hwq->fifo_cmd & NICSIM_TXD_CMD_TSO) {
		sent = nicsim_hw_tx_tso(hwq);
		if (!sent)
			hwq->tx_tso_errors++;
	} else if ((hwq->fifo_cmd & NICSIM_TXD_CMD_CSUM) &&
		   !nicsim_hw_tx_csum(hwq->fifo, hwq->fifo_len,
				      hwq->fifo_csum_start,
				      hwq->fifo_csum_offset)) {
		hwq->tx_csum_errors++;
	} else {
		nicsim_hw_tx_mac(hwq, hwq->fifo, hwq->fifo_len, hwq->fifo_seq,
				 true);
		sent = 1;
	}
	hwq->fifo_len = 0;
	hwq->fifo_bad = false;
	return sent;
}

/* Write back @n descriptors from @first: the driver may now clean them. */
static void nicsim_hw_tx_writeback(struct nicsim_hw_queue *hwq, u32 first,
				   unsigned int n)
{
	struct nicsim_dev *ndev = hwq->hw->ndev;
	struct nicsim_hw_ring *txr = &hwq->txr;
	struct nicsim_tx_desc *desc;

	for (; n; n--, first++) {
		desc = nicsim_hw_desc(ndev, txr, first & (txr->size - 1),
				      sizeof(*desc));
		if (!desc)
			continue;
		dma_wmb();
		WRITE_ONCE(desc->status,
			   desc->status | cpu_to_le16(NICSIM_TXD_STS_DD));
	}
}

/*
 * The TX DMA engine: read each descriptor's buffer into the FIFO (a frame
 * in one buffer without offload goes to the MAC straight from memory),
 * write the descriptor back, and at EOP send the frame. With a completion
 * delay (debugfs), the write-backs of a batch, and its interrupt, come
 * that much after the batch is sent: the engine waits for them.
 */
void nicsim_hw_tx_engine(struct work_struct *work)
{
	struct nicsim_hw_queue *hwq = container_of(work, struct nicsim_hw_queue,
						   tx_engine);
	struct nicsim_dev *ndev = hwq->hw->ndev;
	struct nicsim_hw_ring *txr = &hwq->txr;
	u32 delay = READ_ONCE(hwq->completion_delay_us);
	unsigned int done = 0, frames = 0, sent = 0;
	u32 first;
	bool more;

	spin_lock(&hwq->tx_lock);
	first = txr->head;
	while (txr->enabled && txr->head != READ_ONCE(txr->tail) &&
	       done < NICSIM_ENGINE_BUDGET) {
		struct nicsim_tx_desc *desc;
		u32 len, frame_sent;
		bool stamped = false;
		const void *data;
		u16 cmd, sts;
		u64 tstamp;

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
			hwq->fifo_mss = le16_to_cpu(desc->mss);
			hwq->fifo_hdr_len = le16_to_cpu(desc->hdr_len);
			hwq->fifo_l3_start = le16_to_cpu(desc->l3_start);
		}

		tstamp = ktime_get_ns();	/* this buffer's read is done */
		if (!hwq->fifo_len && !hwq->fifo_bad && data &&
		    (cmd & (NICSIM_TXD_CMD_EOP | NICSIM_TXD_CMD_CSUM |
			     NICSIM_TXD_CMD_TSO)) == NICSIM_TXD_CMD_EOP) {
			trace_nicsim_tx_dma_read(hwq->hw->trace_dev, hwq->index,
						 hwq->fifo_first, len,
						 hwq->fifo_seq, tstamp);
			nicsim_hw_tx_mac(hwq, data, len, hwq->fifo_seq, true);
			sent++;
			stamped = hwq->fifo_cmd & NICSIM_TXD_CMD_TSTAMP;
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
				frame_sent = nicsim_hw_tx_fifo_send(hwq);
				sent += frame_sent;
				stamped = frame_sent &&
					  (hwq->fifo_cmd & NICSIM_TXD_CMD_TSTAMP);
			}
		}
		if (cmd & NICSIM_TXD_CMD_EOP)
			frames++;

		desc->seq = cpu_to_le64(hwq->fifo_seq);
		desc->tstamp = cpu_to_le64(tstamp);
		if (stamped)
			desc->hwts = cpu_to_le64(hwq->fifo_hwts);
		sts = stamped ? NICSIM_TXD_STS_TS : 0;
		if (!delay) {
			dma_wmb();
			WRITE_ONCE(desc->status,
				   cpu_to_le16(NICSIM_TXD_STS_DD | sts));
		} else if (sts) {
			/* not done yet: the write-back adds DD */
			WRITE_ONCE(desc->status, cpu_to_le16(sts));
		}
		txr->head++;
		done++;
	}
	hwq->tx_frames += sent;
	if (delay && done) {
		/* nicsim_hw_txr_disable() waits for this work: the ring stays */
		spin_unlock(&hwq->tx_lock);
		usleep_range(delay, delay + 10);
		spin_lock(&hwq->tx_lock);
		if (txr->enabled)
			nicsim_hw_tx_writeback(hwq, first, done);
		else
			frames = 0;	/* stopped: the driver drops them */
	}
	if (frames)
		nicsim_hw_vector_event(hwq->vec, 0, frames);
	more = txr->enabled && txr->head != READ_ONCE(txr->tail);
	spin_unlock(&hwq->tx_lock);

	/* Yield between batches so that other queues' engines run. */
	if (more)
		queue_work(ndev->wq, &hwq->tx_engine);
}
