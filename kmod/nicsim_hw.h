/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim's device: the simulated card behind the nicsim bus. Descriptor
 * rings reached only through bus addresses, doorbell registers, a DMA
 * engine per queue that runs asynchronously to the driver, a cable between
 * port pairs and an MSI-X-like interrupt controller raising real Linux
 * IRQs. The driver (nicsim.h) reaches it only through hw.h's descriptors
 * and the register functions below.
 */
#ifndef _NICSIM_HW_INTERNAL_H
#define _NICSIM_HW_INTERNAL_H

#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/seqlock.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hw.h"

#define DRV_NAME	"nicsim"

/* The longest RSS hash input: IPv6 addresses and ports. */
#define NICSIM_RSS_INPUT_MAX	36

struct irq_domain;
struct net_device;
struct nicsim_dev;
struct nicsim_hw_port;
struct nicsim_port;

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
	bool masked;			/* MSI-X vector mask: the IRQ core's */
	bool test_masked;		/* and debugfs msix's, its own bit */
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
	u16 fifo_mss;			/* TSO, from the first descriptor */
	u16 fifo_hdr_len;
	u16 fifo_l3_start;
	u64 fifo_seq;
	u64 fifo_hwts;			/* PTP clock when the MAC sent it */
	u32 fifo_first;			/* its first descriptor */
	u32 completion_delay_us;	/* debugfs knob: late write-backs */

	spinlock_t rx_lock;		/* RX registers vs the peer's engine */
	struct nicsim_hw_ring rxr;

	/* device counters, under the matching ring lock */
	u64 tx_frames;			/* put on the cable */
	u64 tx_dma_errors;
	u64 tx_csum_errors;		/* offload asked outside the frame */
	u64 tx_tso_segs;		/* frames cut from TSO frames */
	u64 tx_tso_errors;		/* TSO asked of a frame it does not fit */
	u64 tx_wire_drops;		/* lost on the cable */
	u64 tx_wire_corrupted;		/* a bit error on the cable */
	u64 rx_frames;
	u64 rx_stalled;			/* dropped by a stalled RX engine */
	u64 rx_no_buffer;		/* ring empty or disabled: dropped */
	u64 rx_oversize;		/* frame larger than the buffer */
	u64 rx_csum_errors;		/* TCP/UDP checksum wrong */
	u64 rx_vlan_stripped;
	u64 rx_header_split;		/* TCP headers and payload apart */
	u64 rx_dma_errors;
};

/*
 * Fault injection (debugfs, the kernel's fault_attr): device faults in
 * hw_*.c, driver faults in tx.c and rx.c.
 */
struct nicsim_faults {
	struct fault_attr wire_drop;	/* a frame is lost on the cable */
	struct fault_attr wire_corrupt;	/* a frame's last byte is flipped */
	struct fault_attr rx_stall;	/* the RX DMA engine drops a frame */
	struct fault_attr rx_bad_len;	/* it writes back a length too long */
	struct fault_attr lost_irq;	/* an interrupt message is lost */
	struct fault_attr tx_dma_map;	/* driver: TX dma_map_single fails */
	struct fault_attr rx_refill;	/* driver: RX buffer allocation fails */
};

/* One RSS context's tables: key, indirection table, the key expanded. */
struct nicsim_hw_rss_ctx {
	u8 key[NICSIM_RSS_KEY_SIZE];
	u8 indir[NICSIM_RSS_INDIR_SIZE];	/* queue numbers */
	/* each input nibble's share of the hash, for each of its values */
	u32 lut[2 * NICSIM_RSS_INPUT_MAX][16];
};

/* an indirection table entry is a byte */
static_assert(U8_MAX + 1 >= NICSIM_MAX_QUEUES);

/*
 * A flow steering rule (ethtool -N), as the driver writes it into the
 * device's rule table: the frame's IP version, L4 protocol, addresses and
 * ports under masks (all in network order), and where a match goes.
 */
enum nicsim_flow_action {
	NICSIM_FLOW_QUEUE,		/* to @queue */
	NICSIM_FLOW_RSS,		/* RSS in @context, plus @queue */
	NICSIM_FLOW_DROP,
};

struct nicsim_hw_flow_rule {
	bool valid;
	u8 ip_proto;			/* IPPROTO_TCP or _UDP; 0: any */
	__be16 n_proto;			/* ETH_P_IP or ETH_P_IPV6 */
	__be32 src[4], src_mask[4];	/* an IPv4 address in [0] */
	__be32 dst[4], dst_mask[4];
	__be16 sport, sport_mask;
	__be16 dport, dport_mask;
	enum nicsim_flow_action action;
	u16 queue;
	u16 context;
};

struct nicsim_hw_port {
	struct nicsim_dev *ndev;
	unsigned int index;
	struct nicsim_hw_port *peer;	/* the other end of the cable */
	/* names the port in trace events only: the device never uses it */
	struct net_device *trace_dev;
	unsigned int num_queues;	/* queue pairs the device has */

	/*
	 * The RX steering tables: flow rules first, then RSS in the context
	 * a rule names or in the main one (rss_ctx[0] == &rss).
	 */
	spinlock_t rss_lock;		/* the tables vs the RX parser */
	struct nicsim_hw_rss_ctx rss;
	struct nicsim_hw_rss_ctx *rss_ctx[NICSIM_RSS_MAX_CTX];
	bool flow_steering;		/* register: consult the rules */
	unsigned int flow_rules_end;	/* past the last valid rule */
	struct nicsim_hw_flow_rule flow_rules[NICSIM_FLOW_RULES];
	u64 rx_flow_drops;		/* dropped by a rule, under rss_lock */

	bool vlan_strip;		/* register: strip 802.1Q tags */

	/*
	 * The MAC's 802.3x flow control (ethtool -A): with tx_pause, a frame
	 * that finds no RX buffer makes the MAC send a PAUSE to the peer,
	 * and send it again before it runs out for as long as an RX ring
	 * stays empty. A peer with rx_pause holds its frames meanwhile.
	 */
	spinlock_t mac_lock;		/* the PAUSE counters */
	bool pause_tx;
	bool pause_rx;
	u64 pause_until;		/* ns: TX held by the peer's PAUSE */
	u64 tx_pause_frames;
	u64 rx_pause_frames;
	/*
	 * RS-FEC (Clause 91, ethtool --set-fec): active when both ends have
	 * it on. The receiving PCS corrects a frame the cable corrupted.
	 * Counters written by the cable's delivery work, which runs alone.
	 */
	u32 fec;			/* ETHTOOL_FEC_OFF, _RS or _AUTO */
	u64 fec_corrected_blocks;
	u64 fec_corrected_bits;

	/*
	 * The PTP hardware clock (hw_phc.c): the counter is phc_base at
	 * oscillator time phc_base_mono, and runs phc_rate_ppb off the
	 * oscillator since.
	 */
	seqlock_t phc_lock;
	u64 phc_base;
	u64 phc_base_mono;
	s64 phc_rate_ppb;		/* phc_adj_ppb + phc_drift_ppb */
	s32 phc_adj_ppb;		/* register: adjfine */
	s32 phc_drift_ppb;		/* debugfs knob: the oscillator's error */

	/* this port's direction of the cable */
	u32 wire_latency_us;		/* debugfs knob */
	spinlock_t wire_lock;		/* the frames in flight */
	struct list_head wire_frames;
	unsigned int wire_count;
	bool wire_stopped;		/* the cable is cut: device teardown */
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

/* The registers the driver writes (hw.c, hw_irq.c) */
int nicsim_hw_init(struct nicsim_dev *ndev);
void nicsim_hw_fini(struct nicsim_dev *ndev);
void nicsim_hw_txr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size);
void nicsim_hw_txr_disable(struct nicsim_hw_queue *hwq);
void nicsim_hw_rxr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size);
void nicsim_hw_rxr_disable(struct nicsim_hw_queue *hwq);
void nicsim_hw_rss_program(struct nicsim_hw_port *hw, u32 context,
			   const u8 *key, const u32 *indir);
int nicsim_hw_rss_ctx_alloc(struct nicsim_hw_port *hw, u32 context);
void nicsim_hw_rss_ctx_free(struct nicsim_hw_port *hw, u32 context);
void nicsim_hw_flow_steering(struct nicsim_hw_port *hw, bool on);
void nicsim_hw_flow_rule_write(struct nicsim_hw_port *hw, unsigned int loc,
			       const struct nicsim_hw_flow_rule *rule);
void nicsim_hw_vlan_strip(struct nicsim_hw_port *hw, bool on);
void nicsim_hw_pause_set(struct nicsim_hw_port *hw, bool rx, bool tx);
void nicsim_hw_fec_set(struct nicsim_hw_port *hw, u32 fec);
u64 nicsim_hw_phc_now(struct nicsim_hw_port *hw);
void nicsim_hw_phc_write(struct nicsim_hw_port *hw, u64 ns);
void nicsim_hw_phc_step(struct nicsim_hw_port *hw, s64 delta);
void nicsim_hw_phc_adjfine(struct nicsim_hw_port *hw, s32 ppb);
bool nicsim_hw_fec_active(const struct nicsim_hw_port *hw);
void nicsim_hw_tx_doorbell(struct nicsim_hw_queue *hwq, u32 tail);
void nicsim_hw_rx_doorbell(struct nicsim_hw_queue *hwq, u32 tail);
void nicsim_hw_irq_enable(struct nicsim_vector *vec);
void nicsim_hw_irq_disable(struct nicsim_vector *vec);
void nicsim_hw_vector_mask(struct nicsim_vector *vec, bool mask);
void nicsim_hw_vector_test_mask(struct nicsim_vector *vec, bool mask);
void nicsim_hw_irq_moderation(struct nicsim_vector *vec, u32 rx_usecs,
			      u32 rx_frames, u32 tx_usecs, u32 tx_frames);

/* Inside the device, one file per block */
/* hw.c */
void *nicsim_hw_dma_va(struct nicsim_dev *ndev, dma_addr_t addr, size_t len);
void *nicsim_hw_desc(struct nicsim_dev *ndev, struct nicsim_hw_ring *r,
		     u32 idx, size_t desc_size);
/* hw_irq.c */
int nicsim_hw_irq_domain_create(struct nicsim_dev *ndev);
void nicsim_hw_irq_domain_remove(struct nicsim_dev *ndev);
void nicsim_hw_vector_init(struct nicsim_hw_port *hw, unsigned int i);
void nicsim_hw_vector_fini(struct nicsim_dev *ndev, struct nicsim_vector *vec);
void nicsim_hw_vector_event(struct nicsim_vector *vec, u32 rx, u32 tx);
/* hw_phc.c */
void nicsim_hw_phc_init(struct nicsim_hw_port *hw);
u64 nicsim_hw_phc_at(struct nicsim_hw_port *hw, u64 t);
void nicsim_hw_phc_drift(struct nicsim_hw_port *hw, s32 ppb);
/* hw_tx.c */
void nicsim_hw_tx_engine(struct work_struct *work);
/* hw_wire.c */
/* PAUSE time: 0xffff quanta of 512 bit times at 100 Gb/s */
#define NICSIM_PAUSE_NS		(0xffffULL * 512 / 100)
void nicsim_hw_mac_pause(struct nicsim_hw_port *hw);
void nicsim_hw_wire_init(struct nicsim_hw_port *hw);
void nicsim_hw_wire_xmit(struct nicsim_hw_queue *hwq, const void *frame,
			 u32 len, u64 seq, u64 *hwts);
void nicsim_hw_wire_connect(struct nicsim_hw_port *hw);
void nicsim_hw_wire_fini(struct nicsim_hw_port *hw);
/* hw_rx.c */
void nicsim_hw_rss_expand(struct nicsim_hw_rss_ctx *ctx);
void nicsim_hw_wire_deliver(struct nicsim_hw_port *hw, const void *frame,
			    u32 len, u64 seq, u64 latency_ns, bool corrupted,
			    u64 arrival);

/* debugfs.c */
void nicsim_debugfs_init(void);
void nicsim_debugfs_exit(void);
void nicsim_dev_debugfs_create(struct nicsim_dev *ndev);
void nicsim_dev_debugfs_remove(struct nicsim_dev *ndev);

#endif /* _NICSIM_HW_INTERNAL_H */
