/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim tracepoints: the driver-level steps that the upstream dma:*,
 * irq:*, napi:*, page_pool:*, xdp:*, net:* and skb:* events do not show.
 * Each carries the netdev and queue, and the join keys to follow one
 * frame: the device's frame sequence number (seq) from the TX DMA read to
 * the RX descriptor, the descriptor index, and the skb address before the
 * device has the frame (TX) and after the driver built it (RX).
 *
 * The arguments are what the caller has at hand; anything derived is
 * computed in TP_fast_assign, so a disabled event costs its static key.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nicsim

#if !defined(_NICSIM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NICSIM_TRACE_H

#include <linux/bpf.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tracepoint.h>

#include "hw.h"

#ifndef NICSIM_TRACEPOINTS
/*
 * Compiled out (CONFIG_NICSIM_TRACEPOINTS=n, for measuring what even a
 * disabled tracepoint costs): every trace_nicsim_*() is an empty inline.
 * The standard definitions are restored at the end of this file.
 */
#undef TRACE_EVENT
#define TRACE_EVENT(name, proto, ...)	static inline void trace_##name(proto) {}
#undef DECLARE_EVENT_CLASS
#define DECLARE_EVENT_CLASS(...)
#undef DEFINE_EVENT
/* @type: the event class */
#define DEFINE_EVENT(type, name, proto, ...)	\
	static inline void trace_##name(proto) {}
#endif

/* user space (perf, bpftrace) resolves the symbolic names through these */
TRACE_DEFINE_ENUM(NICSIM_IRQ_FRAMES);
TRACE_DEFINE_ENUM(NICSIM_IRQ_TIMER);
TRACE_DEFINE_ENUM(NICSIM_IRQ_ENABLE);
TRACE_DEFINE_ENUM(NICSIM_IRQ_UNMASK);
TRACE_DEFINE_ENUM(NICSIM_IRQ_RETRIGGER);
TRACE_DEFINE_ENUM(NICSIM_WIRE_DELIVERED);
TRACE_DEFINE_ENUM(NICSIM_WIRE_CORRUPTED);
TRACE_DEFINE_ENUM(NICSIM_WIRE_DROPPED);
TRACE_DEFINE_ENUM(NICSIM_WIRE_OVERFLOW);
TRACE_DEFINE_ENUM(NICSIM_RX_DROP_NO_BUFFER);
TRACE_DEFINE_ENUM(NICSIM_RX_DROP_OVERSIZE);
TRACE_DEFINE_ENUM(NICSIM_RX_DROP_STALLED);
TRACE_DEFINE_ENUM(NICSIM_RX_DROP_DMA_ERROR);
TRACE_DEFINE_ENUM(NICSIM_RX_DROP_FILTER);
TRACE_DEFINE_ENUM(XDP_ABORTED);
TRACE_DEFINE_ENUM(XDP_DROP);
TRACE_DEFINE_ENUM(XDP_PASS);
TRACE_DEFINE_ENUM(XDP_TX);
TRACE_DEFINE_ENUM(XDP_REDIRECT);

/* The driver wrote a ring's tail register: @posted descriptors since the last. */
DECLARE_EVENT_CLASS(nicsim_doorbell,
		    TP_PROTO(const struct net_device *dev, u16 queue, u32 tail,
			     u32 posted),
		    TP_ARGS(dev, queue, tail, posted),
		    TP_STRUCT__entry(__string(name, dev->name)
				     __field(int, ifindex)
				     __field(u16, queue)
				     __field(u32, tail)
				     __field(u32, posted)),
		    TP_fast_assign(__assign_str(name);
				   __entry->ifindex = dev->ifindex;
				   __entry->queue = queue;
				   __entry->tail = tail;
				   __entry->posted = posted;),
		    TP_printk("dev=%s ifindex=%d queue=%u tail=%u posted=%u",
			      __get_str(name), __entry->ifindex,
			      __entry->queue, __entry->tail, __entry->posted)
);

/* TX: frames posted, once per xmit_more batch and per XDP flush. */
DEFINE_EVENT(nicsim_doorbell, nicsim_tx_doorbell,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 tail,
		      u32 posted),
	     TP_ARGS(dev, queue, tail, posted)
);

/* RX: fresh buffers posted by the NAPI poll's refill. */
DEFINE_EVENT(nicsim_doorbell, nicsim_rx_doorbell,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 tail,
		      u32 posted),
	     TP_ARGS(dev, queue, tail, posted)
);

/*
 * The driver wrote an skb's descriptors (@ndesc from @desc_idx, head then
 * fragments) to a TX ring; the doorbell may wait for the batch's end.
 */
TRACE_EVENT(nicsim_tx_post,
	    TP_PROTO(const struct net_device *dev, u16 queue,
		     const struct sk_buff *skb, u32 desc_idx, u32 ndesc),
	    TP_ARGS(dev, queue, skb, desc_idx, ndesc),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, queue)
			     __field(const void *, skbaddr)
			     __field(u32, desc_idx)
			     __field(u32, ndesc)
			     __field(u32, len)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->queue = queue;
			   __entry->skbaddr = skb;
			   __entry->desc_idx = desc_idx;
			   __entry->ndesc = ndesc;
			   __entry->len = skb->len;),
	    TP_printk("dev=%s ifindex=%d queue=%u skbaddr=%p desc=%u ndesc=%u len=%u",
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->skbaddr, __entry->desc_idx, __entry->ndesc,
		      __entry->len)
);

DECLARE_EVENT_CLASS(nicsim_frame,
		    TP_PROTO(const struct net_device *dev, u16 queue,
			     u32 desc_idx, u32 len, u64 seq, u64 dma_tstamp),
		    TP_ARGS(dev, queue, desc_idx, len, seq, dma_tstamp),
		    TP_STRUCT__entry(__string(name, dev->name)
				     __field(int, ifindex)
				     __field(u16, queue)
				     __field(u32, desc_idx)
				     __field(u32, len)
				     __field(u64, seq)
				     __field(u64, dma_tstamp)),
		    TP_fast_assign(__assign_str(name);
				   __entry->ifindex = dev->ifindex;
				   __entry->queue = queue;
				   __entry->desc_idx = desc_idx;
				   __entry->len = len;
				   __entry->seq = seq;
				   __entry->dma_tstamp = dma_tstamp;),
		    TP_printk("dev=%s ifindex=%d queue=%u desc=%u len=%u seq=%llu dma_ts=%llu",
			      __get_str(name), __entry->ifindex,
			      __entry->queue, __entry->desc_idx, __entry->len,
			      __entry->seq, __entry->dma_tstamp)
);

/*
 * The TX DMA engine read a whole frame from its descriptors (the first is
 * @desc_idx) and gave it sequence number @seq; dma_tstamp is the read's
 * completion time, also written back to the descriptors.
 */
DEFINE_EVENT(nicsim_frame, nicsim_tx_dma_read,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		      u32 len, u64 seq, u64 dma_tstamp),
	     TP_ARGS(dev, queue, desc_idx, len, seq, dma_tstamp)
);

/*
 * A frame left the cable from @dev towards @peer: delivered to the peer's
 * MAC (possibly corrupted), or lost on the way. @latency_ns is the time
 * the frame spent on the cable. Either port may be going away: NULL.
 */
TRACE_EVENT(nicsim_wire,
	    TP_PROTO(const struct net_device *dev,
		     const struct net_device *peer, u64 seq, u32 len,
		     u64 latency_ns, int result),
	    TP_ARGS(dev, peer, seq, len, latency_ns, result),
	    TP_STRUCT__entry(__string(name, dev ? dev->name : "")
			     __field(int, ifindex)
			     __string(peer, peer ? peer->name : "")
			     __field(u64, seq)
			     __field(u32, len)
			     __field(u64, latency_ns)
			     __field(int, result)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev ? dev->ifindex : 0;
			   __assign_str(peer);
			   __entry->seq = seq;
			   __entry->len = len;
			   __entry->latency_ns = latency_ns;
			   __entry->result = result;),
	    TP_printk("dev=%s ifindex=%d peer=%s seq=%llu len=%u latency_ns=%llu result=%s",
		      __get_str(name), __entry->ifindex, __get_str(peer),
		      __entry->seq, __entry->len, __entry->latency_ns,
		      __print_symbolic(__entry->result,
				       { NICSIM_WIRE_DELIVERED, "delivered" },
				       { NICSIM_WIRE_CORRUPTED, "corrupted" },
				       { NICSIM_WIRE_DROPPED, "dropped" },
				       { NICSIM_WIRE_OVERFLOW, "overflow" }))
);

/*
 * The device wrote a frame to a posted RX buffer and wrote back its
 * descriptor (DD set); dma_tstamp is the completion time it recorded.
 */
DEFINE_EVENT(nicsim_frame, nicsim_rx_dma_write,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		      u32 len, u64 seq, u64 dma_tstamp),
	     TP_ARGS(dev, queue, desc_idx, len, seq, dma_tstamp)
);

/* The device dropped a received frame, and counted it; @dev may be NULL. */
TRACE_EVENT(nicsim_rx_drop,
	    TP_PROTO(const struct net_device *dev, u16 queue, u64 seq, u32 len,
		     int reason),
	    TP_ARGS(dev, queue, seq, len, reason),
	    TP_STRUCT__entry(__string(name, dev ? dev->name : "")
			     __field(int, ifindex)
			     __field(u16, queue)
			     __field(u64, seq)
			     __field(u32, len)
			     __field(int, reason)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev ? dev->ifindex : 0;
			   __entry->queue = queue;
			   __entry->seq = seq;
			   __entry->len = len;
			   __entry->reason = reason;),
	    TP_printk("dev=%s ifindex=%d queue=%u seq=%llu len=%u reason=%s",
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->seq, __entry->len,
		      __print_symbolic(__entry->reason,
				       { NICSIM_RX_DROP_NO_BUFFER, "no_buffer" },
				       { NICSIM_RX_DROP_OVERSIZE, "oversize" },
				       { NICSIM_RX_DROP_STALLED, "stalled" },
				       { NICSIM_RX_DROP_DMA_ERROR, "dma_error" },
				       { NICSIM_RX_DROP_FILTER, "filter" }))
);

/*
 * The device sent an interrupt message for a vector, covering @rx_batch RX
 * and @tx_batch TX completions.
 */
TRACE_EVENT(nicsim_irq_raise,
	    TP_PROTO(const struct net_device *dev, u16 vector,
		     unsigned int irq, int cpu, int reason, u32 rx_batch,
		     u32 tx_batch),
	    TP_ARGS(dev, vector, irq, cpu, reason, rx_batch, tx_batch),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, vector)
			     __field(unsigned int, irq)
			     __field(int, cpu)
			     __field(int, reason)
			     __field(u32, rx_batch)
			     __field(u32, tx_batch)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->vector = vector;
			   __entry->irq = irq;
			   __entry->cpu = cpu;
			   __entry->reason = reason;
			   __entry->rx_batch = rx_batch;
			   __entry->tx_batch = tx_batch;),
	    TP_printk("dev=%s ifindex=%d vector=%u irq=%u cpu=%d reason=%s rx_batch=%u tx_batch=%u",
		      __get_str(name), __entry->ifindex, __entry->vector,
		      __entry->irq, __entry->cpu,
		      __print_symbolic(__entry->reason,
				       { NICSIM_IRQ_FRAMES, "frames" },
				       { NICSIM_IRQ_TIMER, "timer" },
				       { NICSIM_IRQ_ENABLE, "enable" },
				       { NICSIM_IRQ_UNMASK, "unmask" },
				       { NICSIM_IRQ_RETRIGGER, "retrigger" }),
		      __entry->rx_batch, __entry->tx_batch)
);

/*
 * The driver's interrupt handler ran for a queue pair's vector, in hard-IRQ
 * context; @raise_ns is when the device sent the message.
 */
TRACE_EVENT(nicsim_irq_handle,
	    TP_PROTO(const struct net_device *dev, u16 queue, unsigned int irq,
		     u64 raise_ns),
	    TP_ARGS(dev, queue, irq, raise_ns),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, queue)
			     __field(unsigned int, irq)
			     __field(u64, raise_ns)
			     __field(u64, delay_ns)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->queue = queue;
			   __entry->irq = irq;
			   __entry->raise_ns = raise_ns;
			   __entry->delay_ns = ktime_get_ns() - raise_ns;),
	    TP_printk("dev=%s ifindex=%d queue=%u irq=%u raise_ns=%llu delay_ns=%llu",
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->irq, __entry->raise_ns, __entry->delay_ns)
);

/* The driver consumed a written-back RX descriptor in its NAPI poll. */
DEFINE_EVENT(nicsim_frame, nicsim_rx_desc,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		      u32 len, u64 seq, u64 dma_tstamp),
	     TP_ARGS(dev, queue, desc_idx, len, seq, dma_tstamp)
);

/* The native XDP program returned @act for a received frame. */
TRACE_EVENT(nicsim_xdp_verdict,
	    TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		     u64 seq, u32 act),
	    TP_ARGS(dev, queue, desc_idx, seq, act),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, queue)
			     __field(u32, desc_idx)
			     __field(u64, seq)
			     __field(u32, act)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->queue = queue;
			   __entry->desc_idx = desc_idx;
			   __entry->seq = seq;
			   __entry->act = act;),
	    TP_printk("dev=%s ifindex=%d queue=%u desc=%u seq=%llu act=%s",
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->desc_idx, __entry->seq,
		      __print_symbolic(__entry->act,
				       { XDP_ABORTED, "ABORTED" },
				       { XDP_DROP, "DROP" },
				       { XDP_PASS, "PASS" },
				       { XDP_TX, "TX" },
				       { XDP_REDIRECT, "REDIRECT" }))
);

/*
 * The driver built @skb around a received frame's buffer and is about to
 * hand it to GRO: from here the skb address is the join key.
 */
TRACE_EVENT(nicsim_rx_skb,
	    TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		     u64 seq, const struct sk_buff *skb),
	    TP_ARGS(dev, queue, desc_idx, seq, skb),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, queue)
			     __field(u32, desc_idx)
			     __field(u64, seq)
			     __field(const void *, skbaddr)
			     __field(u32, len)
			     __field(u32, hash)
			     __field(u8, ip_summed)
			     __field(u16, vlan_tci)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->queue = queue;
			   __entry->desc_idx = desc_idx;
			   __entry->seq = seq;
			   __entry->skbaddr = skb;
			   __entry->len = skb->len;
			   __entry->hash = skb->hash;
			   __entry->ip_summed = skb->ip_summed;
			   __entry->vlan_tci = skb_vlan_tag_get(skb);),
	    TP_printk("dev=%s ifindex=%d queue=%u desc=%u seq=%llu skbaddr=%p len=%u hash=0x%08x ip_summed=%u vlan_tci=0x%04x",
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->desc_idx, __entry->seq, __entry->skbaddr,
		      __entry->len, __entry->hash, __entry->ip_summed,
		      __entry->vlan_tci)
);

/*
 * The driver cleaned a completed TX frame in NAPI: @desc is its last
 * descriptor, whose write-back gives seq and the DMA-read time; @skb is
 * NULL for XDP frames.
 */
TRACE_EVENT(nicsim_tx_clean,
	    TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		     const struct nicsim_tx_desc *desc,
		     const struct sk_buff *skb, u32 len),
	    TP_ARGS(dev, queue, desc_idx, desc, skb, len),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, queue)
			     __field(u32, desc_idx)
			     __field(const void *, skbaddr)
			     __field(u32, len)
			     __field(u64, seq)
			     __field(u64, dma_tstamp)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->queue = queue;
			   __entry->desc_idx = desc_idx;
			   __entry->skbaddr = skb;
			   __entry->len = len;
			   __entry->seq = le64_to_cpu(desc->seq);
			   __entry->dma_tstamp = le64_to_cpu(desc->tstamp);),
	    TP_printk("dev=%s ifindex=%d queue=%u desc=%u skbaddr=%p len=%u seq=%llu dma_ts=%llu",
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->desc_idx, __entry->skbaddr, __entry->len,
		      __entry->seq, __entry->dma_tstamp)
);

#ifndef NICSIM_TRACEPOINTS
#undef TRACE_EVENT
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#include <linux/tracepoint.h>	/* defines them again */
#endif

#endif /* _NICSIM_TRACE_H */

#ifdef NICSIM_TRACEPOINTS
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
#endif
