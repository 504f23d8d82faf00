/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim: a software NIC with a hardware-faithful data path.
 *
 * Two halves, as with a PCI NIC:
 *  - the device ("hardware", hw.c): descriptor rings reached only through
 *    bus addresses, doorbell registers, a DMA engine per queue that runs
 *    asynchronously to the driver, a cable between port pairs and an
 *    MSI-X-like interrupt controller raising real Linux IRQs;
 *  - the driver (netdev.c, tx.c, rx.c, bpf.c): DMA API, page_pool, NAPI,
 *    XDP and BQL, talking to the device only through rings and registers.
 */
#ifndef _NICSIM_H
#define _NICSIM_H

#include <linux/device.h>
#include <linux/ethtool.h>
#include <linux/fault-inject.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/netdevice.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/xdp.h>

#include "hw.h"

#define DRV_NAME	"nicsim"

struct bpf_prog;
struct irq_domain;
struct page_pool;
struct nicsim_dev;
struct nicsim_hw_port;

/* ---- device side (hw.c) ------------------------------------------ */

/*
 * One interrupt vector: a Linux IRQ from the device's irq_domain. Two
 * gates as on real NICs: the driver's per-vector enable, auto-cleared
 * when a message is sent (completions while disabled are latched), and
 * the MSI-X mask bit driven by the IRQ core (a message while masked is
 * latched in @pending and sent on unmask). Completions are moderated by
 * frame thresholds and a timer (ethtool -C).
 */
struct nicsim_vector {
	struct nicsim_hw_port *hw;
	unsigned int index;		/* vector number within the port */
	unsigned int irq;		/* Linux IRQ number */
	int cpu;			/* delivery target, from the affinity */

	raw_spinlock_t lock;		/* all below; nests in irq_desc lock */
	bool enabled;			/* driver interrupt enable */
	bool masked;			/* MSI-X vector mask */
	bool pending;			/* message latched while masked */
	u32 latched_rx;			/* completions the latched message covers */
	u32 latched_tx;
	bool timer_armed;
	u32 rx_pending;			/* completions since the last message */
	u32 tx_pending;
	/* moderation registers */
	u32 rx_usecs;
	u32 rx_frames;
	u32 tx_usecs;
	u32 tx_frames;
	struct hrtimer mod_timer;
	u64 events;			/* completions reported */
	u64 lost;			/* messages lost (fault injection) */

	struct irq_work local_msg;	/* message to the raising CPU */
	call_single_data_t remote_msg;	/* message to another CPU */
	atomic_t in_flight;		/* messages sent but not handled */
	u64 raised;			/* messages sent, under @lock */
	/* of the last message, for the driver: written under @lock */
	u64 raise_ns;			/* when it was sent */
	u32 batch_rx;			/* RX completions it covered */
	u32 batch_tx;
};

/* Device view of one descriptor ring. */
struct nicsim_hw_ring {
	/* registers, written by the driver */
	dma_addr_t base;		/* ring base bus address */
	u32 size;			/* entries, a power of two */
	u32 tail;			/* doorbell: producer index */
	bool enabled;
	/* device internal */
	u32 head;			/* next descriptor the device uses */
};

/* Device side of one queue pair. */
struct nicsim_hw_queue {
	struct nicsim_hw_port *hw;
	unsigned int index;
	struct nicsim_vector *vec;

	spinlock_t tx_lock;		/* TX registers and FIFO vs the engine */
	struct nicsim_hw_ring txr;
	struct work_struct tx_engine;	/* DMA engine, woken by the doorbell */
	/* the frame being gathered from its descriptors */
	u8 *fifo;			/* NICSIM_TX_FIFO_SIZE bytes */
	u32 fifo_len;
	bool fifo_bad;			/* a buffer did not translate or fit */
	u16 fifo_cmd;			/* first descriptor's command */
	u16 fifo_csum_start;
	u16 fifo_csum_offset;
	u64 fifo_seq;
	u32 fifo_first;			/* its first descriptor */

	spinlock_t rx_lock;		/* RX registers vs the peer's engine */
	struct nicsim_hw_ring rxr;

	/* device counters, under the matching ring lock */
	u64 tx_frames;
	u64 tx_dma_errors;
	u64 tx_csum_errors;		/* offload asked outside the frame */
	u64 tx_wire_drops;		/* lost on the cable */
	u64 tx_wire_corrupted;		/* a bit error on the cable */
	u64 rx_frames;
	u64 rx_stalled;			/* dropped by a stalled RX engine */
	u64 rx_no_buffer;		/* ring empty or disabled: dropped */
	u64 rx_oversize;		/* frame larger than the buffer */
	u64 rx_csum_errors;		/* TCP/UDP checksum wrong */
	u64 rx_vlan_stripped;
	u64 rx_dma_errors;
};

/*
 * Fault injection (debugfs, the kernel's fault_attr): device faults in
 * hw.c, driver faults in tx.c and rx.c.
 */
struct nicsim_faults {
	struct fault_attr wire_drop;	/* a frame is lost on the cable */
	struct fault_attr wire_corrupt;	/* a frame's last byte is flipped */
	struct fault_attr rx_stall;	/* the RX DMA engine drops a frame */
	struct fault_attr lost_irq;	/* an interrupt message is lost */
	struct fault_attr tx_dma_map;	/* driver: TX dma_map_single fails */
	struct fault_attr rx_refill;	/* driver: RX buffer allocation fails */
};

struct nicsim_hw_port {
	struct nicsim_dev *ndev;
	unsigned int index;
	struct nicsim_hw_port *peer;	/* the other end of the cable */
	/* names the port in trace events only: the device never uses it */
	struct net_device *trace_dev;
	unsigned int num_queues;	/* queue pairs the device has */

	spinlock_t rss_lock;		/* RSS registers vs the RX parser */
	u8 rss_key[NICSIM_RSS_KEY_SIZE];
	u8 rss_indir[NICSIM_RSS_INDIR_SIZE];

	bool vlan_strip;		/* register: strip 802.1Q tags */

	/* this port's direction of the cable */
	u32 wire_latency_us;		/* debugfs knob */
	spinlock_t wire_lock;		/* the frames in flight */
	struct list_head wire_frames;
	unsigned int wire_count;
	struct hrtimer wire_timer;	/* the next frame is due */
	struct work_struct wire_work;	/* delivers due frames */

	struct nicsim_faults faults;
	struct dentry *debugfs;

	struct nicsim_hw_queue queues[NICSIM_MAX_QUEUES];
	struct nicsim_vector vectors[NICSIM_MAX_QUEUES];
};

/* A nicsim device on the nicsim bus: one "card" with its ports. */
struct nicsim_dev {
	struct device dev;
	unsigned int id;
	unsigned int num_ports;
	unsigned int num_queues;	/* queue pairs per port */
	u64 dma_mask;
	int probe_err;			/* why the driver did not bind */
	struct workqueue_struct *wq;	/* the DMA engines run here */
	struct fwnode_handle *irq_fwnode;
	struct irq_domain *irq_domain;
	atomic64_t frame_seq;		/* per-frame sequence numbers */
	struct dentry *debugfs;
	struct list_head list;		/* in nicsim_bus_devs */
	struct nicsim_port **ports;	/* driver side, set by probe */
	struct nicsim_hw_port hw_ports[] __counted_by(num_ports);
};

static inline struct nicsim_dev *to_nicsim_dev(struct device *dev)
{
	return container_of(dev, struct nicsim_dev, dev);
}

/* ---- driver side -------------------------------------------------- */

/* What a TX descriptor carries, and how to release it on completion. */
enum nicsim_tx_buf_type {
	NICSIM_TX_SKB,		/* skb head: unmap; the last one frees the skb */
	NICSIM_TX_SKB_FRAG,	/* skb fragment: unmap the page */
	NICSIM_TX_XDP_TX,	/* XDP_TX: a page_pool page of this queue */
	NICSIM_TX_XDP_XMIT,	/* ndo_xdp_xmit: unmap, return the frame */
};

struct nicsim_tx_buf {
	union {
		struct sk_buff *skb;	/* on the frame's last descriptor */
		struct xdp_frame *xdpf;
	};
	dma_addr_t dma;
	u32 len;
	enum nicsim_tx_buf_type type;
};

struct nicsim_txq {
	struct nicsim_port *port;
	struct nicsim_hw_queue *hwq;
	unsigned int qid;
	u32 size;			/* entries, power of two */
	u32 tail;			/* next descriptor to post */
	u32 doorbell_tail;		/* tail last written to the device */
	u32 clean;			/* next descriptor to complete */
	struct nicsim_tx_desc *desc;	/* ring, DMA-coherent */
	dma_addr_t desc_dma;
	struct nicsim_tx_buf *bufs;	/* per-descriptor driver state */

	/* written under the netdev TX queue lock: xmit, XDP_TX, xdp_xmit */
	struct u64_stats_sync syncp;
	u64_stats_t doorbells;
	u64_stats_t dma_map_errors;
	u64_stats_t ring_full;
	u64_stats_t frags;		/* descriptors for skb fragments */
	u64_stats_t csum_partial;	/* frames with checksum offload */
	u64_stats_t xdp_xmit;		/* frames from ndo_xdp_xmit */
	u64_stats_t xdp_xmit_errors;
	/* written by the NAPI poll that cleans completions */
	struct u64_stats_sync clean_syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
};

struct nicsim_rxq {
	struct nicsim_port *port;
	struct nicsim_hw_queue *hwq;
	unsigned int qid;
	u32 size;
	u32 tail;			/* next descriptor to post */
	u32 clean;			/* next descriptor to consume */
	struct nicsim_rx_desc *desc;
	dma_addr_t desc_dma;
	struct page **pages;		/* buffer posted at each descriptor */
	struct page_pool *pp;
	u32 buf_len;			/* frame bytes a buffer takes (MTU) */
	u64 poll_ns;			/* start of the poll, with XDP only */
	unsigned int buf_order;		/* buffer size: PAGE_SIZE << order */
	struct xdp_rxq_info xdp_rxq;

	struct u64_stats_sync syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t doorbells;
	u64_stats_t alloc_errors;
	u64_stats_t csum_unnecessary;	/* skbs the device's checksum spared */
	u64_stats_t polls;		/* NAPI polls of the queue pair */
	u64_stats_t xdp_pass;
	u64_stats_t xdp_drop;
	u64_stats_t xdp_tx;
	u64_stats_t xdp_redirect;
	u64_stats_t xdp_aborted;
};

/* A queue pair and the vector and NAPI instance that serve it. */
struct nicsim_qpair {
	struct nicsim_port *port;
	unsigned int qid;
	struct napi_struct napi;
	struct nicsim_vector *vec;
	struct u64_stats_sync irq_syncp;
	u64_stats_t irqs;		/* interrupts handled */
	/* the interrupt that started this NAPI run (0: none), for XDP */
	u64 irq_raise_ns;
	u32 irq_batch;
	/* the watchdog's view at its last run, and its rescues */
	u32 wd_rx_clean;
	u32 wd_tx_clean;
	bool wd_rx_done;
	bool wd_tx_done;
	u64 wd_polls;
	struct nicsim_txq txq;
	struct nicsim_rxq rxq;
	char irq_name[IFNAMSIZ + 16];
};

/* The xdp_buff the driver hands to XDP, with its descriptor's metadata. */
struct nicsim_xdp_buff {
	struct xdp_buff xdp;
	struct nicsim_rxq *rxq;
	u32 desc_idx;
	u16 status;
	u16 vlan_tci;
	u32 rss_hash;
	u16 rss_type;
	u64 seq;
	u64 dma_tstamp;
};

/*
 * What the driver keeps of an RX descriptor at the start of its buffer,
 * in the part of the headroom that XDP programs cannot reach (an
 * xdp_frame's place), for bpf_nicsim_skb_meta() to find from the skb.
 */
struct nicsim_rx_stamp {
	u32 magic;			/* NICSIM_RX_STAMP_MAGIC ^ seq */
	u32 ifindex;
	u32 queue;
	u32 desc_idx;
	u64 seq;
	u64 dma_tstamp;
};

#define NICSIM_RX_STAMP_MAGIC	0x4e53494dU	/* "NSIM" */

static inline bool nicsim_rss_type_is_l4(u16 type)
{
	return type != NICSIM_RSS_TYPE_IPV4 && type != NICSIM_RSS_TYPE_IPV6 &&
	       type != NICSIM_RSS_TYPE_NONE;
}

/* netdev_priv() of a nicsim port. */
struct nicsim_port {
	struct net_device *netdev;
	struct nicsim_dev *ndev;
	struct nicsim_hw_port *hw;
	unsigned int num_queues;	/* active queue pairs (channels) */
	u32 ring_size;
	u8 rss_key[NICSIM_RSS_KEY_SIZE];
	u32 rss_indir[NICSIM_RSS_INDIR_SIZE];
	struct ethtool_coalesce coalesce;	/* what ethtool -C set */
	struct timer_list watchdog;	/* finds completions nobody announced */
	struct bpf_prog __rcu *xdp_prog;
	struct nicsim_qpair qp[NICSIM_MAX_QUEUES];
};

/*
 * An RX buffer is one page_pool allocation of PAGE_SIZE << order: XDP
 * headroom, the frame, then room for the skb_shared_info of build_skb.
 * The driver posts it for the largest frame of its MTU (a VLAN tag
 * included); the device drops longer frames as oversize.
 */
#define NICSIM_RX_HEADROOM	XDP_PACKET_HEADROOM
#define NICSIM_RX_SHINFO	SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
#define NICSIM_MAX_MTU		9000
/* Largest MTU whose frame fits one page: XDP is single-buffer only. */
#define NICSIM_XDP_MAX_MTU	(PAGE_SIZE - NICSIM_RX_HEADROOM - \
				 NICSIM_RX_SHINFO - VLAN_ETH_HLEN)

static inline u32 nicsim_rx_buf_len(unsigned int mtu)
{
	return mtu + VLAN_ETH_HLEN;
}

static inline unsigned int nicsim_rx_buf_order(unsigned int mtu)
{
	return get_order(NICSIM_RX_HEADROOM + nicsim_rx_buf_len(mtu) +
			 NICSIM_RX_SHINFO);
}

/* hw.c: the device, and the registers the driver writes */
int nicsim_hw_init(struct nicsim_dev *ndev);
void nicsim_hw_fini(struct nicsim_dev *ndev);
void nicsim_hw_txr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size);
void nicsim_hw_txr_disable(struct nicsim_hw_queue *hwq);
void nicsim_hw_rxr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size);
void nicsim_hw_rxr_disable(struct nicsim_hw_queue *hwq);
void nicsim_hw_rss_program(struct nicsim_hw_port *hw, const u8 *key,
			   const u32 *indir);
void nicsim_hw_vlan_strip(struct nicsim_hw_port *hw, bool on);
void nicsim_hw_tx_doorbell(struct nicsim_hw_queue *hwq, u32 tail);
void nicsim_hw_rx_doorbell(struct nicsim_hw_queue *hwq, u32 tail);
void nicsim_hw_irq_enable(struct nicsim_vector *vec);
void nicsim_hw_irq_disable(struct nicsim_vector *vec);
void nicsim_hw_vector_mask(struct nicsim_vector *vec, bool mask);
void nicsim_hw_irq_moderation(struct nicsim_vector *vec, u32 rx_usecs,
			      u32 rx_frames, u32 tx_usecs, u32 tx_frames);

/* debugfs.c */
void nicsim_faults_init(struct nicsim_faults *faults);
void nicsim_debugfs_init(void);
void nicsim_debugfs_exit(void);
void nicsim_dev_debugfs_create(struct nicsim_dev *ndev);
void nicsim_dev_debugfs_remove(struct nicsim_dev *ndev);

/* netdev.c */
extern const struct net_device_ops nicsim_netdev_ops;
int nicsim_reconfigure(struct nicsim_port *port, unsigned int num_queues,
		       u32 ring_size);
void nicsim_program_coalesce(struct nicsim_port *port);
int nicsim_ports_create(struct nicsim_dev *ndev);
void nicsim_ports_destroy(struct nicsim_dev *ndev);
static inline bool nicsim_netdev_is_nicsim(const struct net_device *dev)
{
	return dev->netdev_ops == &nicsim_netdev_ops;
}

/* tx.c */
netdev_tx_t nicsim_start_xmit(struct sk_buff *skb, struct net_device *dev);
int nicsim_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		    u32 flags);
bool nicsim_xdp_tx(struct nicsim_txq *txq, struct xdp_frame *xdpf);
void nicsim_xdp_tx_flush(struct nicsim_txq *txq);
int nicsim_txq_alloc(struct nicsim_txq *txq);
void nicsim_txq_free(struct nicsim_txq *txq);
void nicsim_txq_clean(struct nicsim_txq *txq, int budget);

/* rx.c */
int nicsim_rxq_alloc(struct nicsim_rxq *rxq, struct napi_struct *napi);
void nicsim_rxq_free(struct nicsim_rxq *rxq);
int nicsim_rxq_poll(struct nicsim_rxq *rxq, struct napi_struct *napi,
		    int budget);
int nicsim_napi_poll(struct napi_struct *napi, int budget);
irqreturn_t nicsim_irq_handler(int irq, void *data);

/* ethtool.c */
extern const struct ethtool_ops nicsim_ethtool_ops;

/* bpf.c */
int nicsim_bpf_init(void);
int nicsim_bpf(struct net_device *dev, struct netdev_bpf *bpf);
extern const struct xdp_metadata_ops nicsim_xdp_metadata_ops;

#endif /* _NICSIM_H */
