// SPDX-License-Identifier: GPL-2.0
/*
 * The cable between two ports: what one sends, the other receives, after
 * the wire latency (debugfs wire_latency_us), unless a fault drops or
 * corrupts it. Frames in flight wait on a list for an hrtimer. A PAUSE
 * from the peer holds a port's frames on it; RS-FEC at the receiving end
 * corrects a corrupted frame.
 */

#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "nicsim_hw.h"
#include "trace.h"

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

/* Send the peer a PAUSE for NICSIM_PAUSE_NS; it holds its TX if it obeys. */
static void nicsim_hw_pause_send(struct nicsim_hw_port *hw, u64 now)
{
	struct nicsim_hw_port *peer = hw->peer;

	spin_lock(&hw->mac_lock);
	WRITE_ONCE(hw->tx_pause_frames, hw->tx_pause_frames + 1);
	spin_unlock(&hw->mac_lock);

	spin_lock(&peer->mac_lock);
	WRITE_ONCE(peer->rx_pause_frames, peer->rx_pause_frames + 1);
	if (peer->pause_rx)
		WRITE_ONCE(peer->pause_until, now + NICSIM_PAUSE_NS);
	spin_unlock(&peer->mac_lock);
}

/* An enabled RX ring of the port has no buffer posted. */
static bool nicsim_hw_rx_starved(struct nicsim_hw_port *hw)
{
	unsigned int q;

	for (q = 0; q < hw->num_queues; q++) {
		const struct nicsim_hw_ring *rxr = &hw->queues[q].rxr;

		if (READ_ONCE(rxr->enabled) &&
		    READ_ONCE(rxr->head) == READ_ONCE(rxr->tail))
			return true;
	}
	return false;
}

/*
 * A frame found no RX buffer at @hw: with TX flow control on, its MAC sends
 * the peer a PAUSE.
 */
void nicsim_hw_mac_pause(struct nicsim_hw_port *hw)
{
	if (READ_ONCE(hw->pause_tx))
		nicsim_hw_pause_send(hw, ktime_get_ns());
}

/*
 * Does a PAUSE from the peer hold @hw's transmitter at @now? A receiver
 * sends XOFF again before the pause time runs out for as long as one of
 * its RX rings stays starved; that refresh is sent here, when the pause
 * would end, so that no timer has to be on time for it.
 */
static bool nicsim_hw_paused(struct nicsim_hw_port *hw, u64 now)
{
	u64 until = READ_ONCE(hw->pause_until);

	if (!until)
		return false;
	if (until > now)
		return true;
	if (READ_ONCE(hw->pause_rx) && READ_ONCE(hw->peer->pause_tx) &&
	    nicsim_hw_rx_starved(hw->peer)) {
		nicsim_hw_pause_send(hw->peer, now);
		return READ_ONCE(hw->pause_until) > now;
	}
	WRITE_ONCE(hw->pause_until, 0);	/* XON: the pause is over */
	return false;
}

/* Deliver the frames whose time has come; re-arm for the next one. */
static void nicsim_hw_wire_work(struct work_struct *work)
{
	struct nicsim_hw_port *hw = container_of(work, struct nicsim_hw_port,
						 wire_work);
	struct nicsim_wire_frame *wf;
	u64 now = ktime_get_ns(), at;

	for (;;) {
		spin_lock(&hw->wire_lock);
		wf = list_first_entry_or_null(&hw->wire_frames,
					      struct nicsim_wire_frame, list);
		if (hw->wire_stopped) {
			wf = NULL;	/* nicsim_hw_wire_fini() drops the rest */
		} else if (wf && (wf->due > now || nicsim_hw_paused(hw, now))) {
			/* not due yet, or the peer's PAUSE holds the MAC */
			at = max(wf->due, READ_ONCE(hw->pause_until));
			hrtimer_start(&hw->wire_timer, ns_to_ktime(at),
				      HRTIMER_MODE_ABS);
			wf = NULL;
		} else if (wf) {
			list_del(&wf->list);
			hw->wire_count--;
		}
		spin_unlock(&hw->wire_lock);
		if (!wf)
			break;
		if (wf->corrupted && nicsim_hw_fec_active(hw)) {
			/* the peer's PCS: one bad symbol, corrected */
			wf->data[wf->len - 1] ^= 0xff;
			wf->corrupted = false;
			WRITE_ONCE(hw->peer->fec_corrected_blocks,
				   hw->peer->fec_corrected_blocks + 1);
			WRITE_ONCE(hw->peer->fec_corrected_bits,
				   hw->peer->fec_corrected_bits + 8);
		}
		nicsim_hw_wire_deliver(hw, wf->data, wf->len, wf->seq,
				       now - wf->sent, wf->corrupted, wf->due);
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
 * latency (debugfs wire_latency_us), unless the wire drops it. While a
 * PAUSE holds the port, its frames wait on the cable until it ends (the
 * time stamps, @hwts the sender's if asked and the receiver's, are those
 * of a frame that was not held).
 */
void nicsim_hw_wire_xmit(struct nicsim_hw_queue *hwq, const void *frame,
			 u32 len, u64 seq, u64 *hwts)
{
	struct nicsim_hw_port *hw = hwq->hw;
	u32 latency = READ_ONCE(hw->wire_latency_us);
	struct nicsim_wire_frame *wf;
	u64 now = ktime_get_ns();
	bool first, corrupt;

	if (hwts)
		*hwts = nicsim_hw_phc_at(hw, now);

	if (unlikely(should_fail(&hw->faults.wire_drop, 1))) {
		hwq->tx_wire_drops++;
		trace_nicsim_wire(hw->trace_dev, hw->peer->trace_dev, seq, len,
				  0, NICSIM_WIRE_DROPPED);
		return;
	}
	corrupt = should_fail(&hw->faults.wire_corrupt, 1);
	/* straight to the peer, unless frames wait before it on the cable */
	if (!latency && likely(!corrupt && !READ_ONCE(hw->wire_count) &&
			       !nicsim_hw_paused(hw, now))) {
		nicsim_hw_wire_deliver(hw, frame, len, seq, 0, false, now);
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
	wf->sent = now;
	wf->due = now + (u64)latency * NSEC_PER_USEC;

	spin_lock(&hw->wire_lock);
	if (hw->wire_stopped || hw->wire_count >= NICSIM_WIRE_MAX_FRAMES) {
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

void nicsim_hw_wire_init(struct nicsim_hw_port *hw)
{
	spin_lock_init(&hw->wire_lock);
	INIT_LIST_HEAD(&hw->wire_frames);
	hrtimer_init(&hw->wire_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	hw->wire_timer.function = nicsim_hw_wire_timer;
	INIT_WORK(&hw->wire_work, nicsim_hw_wire_work);
}

/* Connect the cable (driver bind): frames go through it again. */
void nicsim_hw_wire_connect(struct nicsim_hw_port *hw)
{
	spin_lock(&hw->wire_lock);
	hw->wire_stopped = false;
	spin_unlock(&hw->wire_lock);
}

/*
 * Cut the cable: drop what is on it, and deliver nothing more. The TX
 * engines are stopped. Neither the work nor a send re-arms the timer once
 * wire_stopped is set, so the timer and the work stay cancelled.
 */
void nicsim_hw_wire_fini(struct nicsim_hw_port *hw)
{
	struct nicsim_wire_frame *wf, *tmp;

	spin_lock(&hw->wire_lock);
	hw->wire_stopped = true;
	spin_unlock(&hw->wire_lock);
	hrtimer_cancel(&hw->wire_timer);
	cancel_work_sync(&hw->wire_work);
	list_for_each_entry_safe(wf, tmp, &hw->wire_frames, list) {
		list_del(&wf->list);
		kfree(wf);
	}
	hw->wire_count = 0;
}
