/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim tracepoints: the driver-level steps that the upstream dma:*,
 * irq:*, napi:*, page_pool:*, xdp:* and net:* events do not show. Each
 * carries the netdev and queue, and the join keys to follow one frame:
 * the descriptor index and the device's frame sequence number.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nicsim

#if !defined(_NICSIM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NICSIM_TRACE_H

#include <linux/netdevice.h>
#include <linux/tracepoint.h>

#include "hw.h"

TRACE_EVENT(nicsim_tx_doorbell,
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
		      __get_str(name), __entry->ifindex, __entry->queue,
		      __entry->tail, __entry->posted)
);

DECLARE_EVENT_CLASS(nicsim_rx_frame,
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
 * The device wrote a frame to a posted RX buffer and wrote back its
 * descriptor (DD set); dma_tstamp is the completion time it recorded.
 */
DEFINE_EVENT(nicsim_rx_frame, nicsim_rx_dma_write,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		      u32 len, u64 seq, u64 dma_tstamp),
	     TP_ARGS(dev, queue, desc_idx, len, seq, dma_tstamp)
);

/* The driver consumed a written-back RX descriptor in its NAPI poll. */
DEFINE_EVENT(nicsim_rx_frame, nicsim_rx_desc,
	     TP_PROTO(const struct net_device *dev, u16 queue, u32 desc_idx,
		      u32 len, u64 seq, u64 dma_tstamp),
	     TP_ARGS(dev, queue, desc_idx, len, seq, dma_tstamp)
);

/* The device sent an interrupt message for a vector. */
TRACE_EVENT(nicsim_irq_raise,
	    TP_PROTO(const struct net_device *dev, u16 vector,
		     unsigned int irq, int cpu, int reason),
	    TP_ARGS(dev, vector, irq, cpu, reason),
	    TP_STRUCT__entry(__string(name, dev->name)
			     __field(int, ifindex)
			     __field(u16, vector)
			     __field(unsigned int, irq)
			     __field(int, cpu)
			     __field(int, reason)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ifindex = dev->ifindex;
			   __entry->vector = vector;
			   __entry->irq = irq;
			   __entry->cpu = cpu;
			   __entry->reason = reason;),
	    TP_printk("dev=%s ifindex=%d vector=%u irq=%u cpu=%d reason=%s",
		      __get_str(name), __entry->ifindex, __entry->vector,
		      __entry->irq, __entry->cpu,
		      __print_symbolic(__entry->reason,
				       { NICSIM_IRQ_FRAMES, "frames" },
				       { NICSIM_IRQ_TIMER, "timer" },
				       { NICSIM_IRQ_ENABLE, "enable" },
				       { NICSIM_IRQ_UNMASK, "unmask" },
				       { NICSIM_IRQ_RETRIGGER, "retrigger" }))
);

#endif /* _NICSIM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
