// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit side of the device: a DMA engine per queue, woken by the
 * doorbell, reads descriptors and their buffers, gathers a frame's buffers
 * in its FIFO, computes an offloaded checksum, writes the descriptors
 * back and puts the frame on the cable.
 */

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/unaligned.h>
#include <net/checksum.h>

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
void nicsim_hw_tx_engine(struct work_struct *work)
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
