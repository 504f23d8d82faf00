/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim: a software NIC with a hardware-faithful data path.
 *
 * Two halves, as with a PCI NIC:
 *  - the device ("hardware", nicsim_hw.h: hw*.c, with its bus and
 *    debugfs knobs in bus.c and debugfs.c);
 *  - the driver (netdev.c, tx.c, rx.c, xdp.c, ethtool.c, kfuncs.c): DMA
 *    API, page_pool, NAPI, XDP and BQL, talking to the device only through
 *    rings and registers.
 */
#ifndef _NICSIM_H
#define _NICSIM_H

#include <linux/ethtool.h>
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/u64_stats_sync.h>
#include <net/xdp.h>

#include "nicsim_hw.h"

struct bpf_prog;
struct page_pool;

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
		struct xdp_frame *frame;
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
	u64_stats_t tso;		/* frames the device segments */
	u64_stats_t xdp_xmit;		/* frames from ndo_xdp_xmit */
	u64_stats_t xdp_xmit_errors;
	u64_stats_t timeouts;		/* ndo_tx_timeout, under the TX lock */
	/* written by the NAPI poll that cleans completions */
	struct u64_stats_sync clean_syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
};

/* An RX buffer: a page_pool allocation, or a fragment of one. */
struct nicsim_rx_buf {
	netmem_ref netmem;
	u32 offset;			/* of the fragment in the netmem */
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
	struct nicsim_rx_buf *bufs;	/* buffer posted at each descriptor */
	struct page_pool *pp;
	/*
	 * Header split: a header buffer at each descriptor too, from a pool
	 * of its own; the frame buffers are payload only, and may be
	 * memory the CPU cannot read (a dma-buf bound to the queue).
	 */
	bool hds;
	struct page **hdrs;
	struct page_pool *hdr_pp;
	u32 buf_len;			/* bytes a buffer takes (the MTU's) */
	u64 poll_ns;			/* start of the poll, with XDP only */
	/* a buffer is PAGE_SIZE << buf_order, or NICSIM_RX_FRAG_SIZE */
	unsigned int buf_order;
	bool frags;
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
	/* frames the device wrote that neither XDP nor the stack got */
	u64_stats_t discards;
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
	bool irq_requested;		/* the vector is ours (request_irq) */
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
	u64 hwts;		/* the PTP clock's time, at the MAC */
};

/*
 * What the driver keeps of an RX descriptor at the start of its buffer,
 * in the part of the headroom that XDP programs cannot reach (an
 * xdp_frame's place), for bpf_nicsim_skb_meta() to find from the skb.
 * The magic is last: a header pushed into the headroom overwrites it
 * before any other field.
 */
struct nicsim_rx_stamp {
	u64 seq;
	u64 dma_tstamp;
	u32 ifindex;
	u32 queue;
	u32 desc_idx;
	u32 magic;			/* NICSIM_RX_STAMP_MAGIC ^ seq */
};

#define NICSIM_RX_STAMP_MAGIC	0x4e53494dU	/* "NSIM" */

static inline bool nicsim_rss_type_is_l4(u16 type)
{
	return type != NICSIM_RSS_TYPE_IPV4 && type != NICSIM_RSS_TYPE_IPV6 &&
	       type != NICSIM_RSS_TYPE_NONE;
}

/* An ethtool -N rule as the user gave it, for ethtool -n. */
struct nicsim_flow_rule {
	struct ethtool_rx_flow_spec fs;
	u32 rss_context;		/* with FLOW_RSS in fs.flow_type */
	bool valid;
};

/* netdev_priv() of a nicsim port. */
struct nicsim_port {
	struct net_device *netdev;
	struct nicsim_dev *ndev;
	struct nicsim_hw_port *hw;
	unsigned int num_queues;	/* active queue pairs (channels) */
	bool running;			/* rings allocated, NAPI enabled */
	u32 ring_size;
	u8 rss_key[NICSIM_RSS_KEY_SIZE];
	u32 rss_indir[NICSIM_RSS_INDIR_SIZE];
	struct ethtool_coalesce coalesce;	/* what ethtool -C set */
	bool hds;			/* header split (tcp-data-split), RTNL */
	/* flow steering rules, under RTNL; the device has its own copy */
	unsigned int num_flow_rules;
	struct nicsim_flow_rule flow_rules[NICSIM_FLOW_RULES];
	struct timer_list watchdog;	/* finds completions nobody announced */
	/* the port's PTP clock, and what SIOCSHWTSTAMP set (under RTNL) */
	struct ptp_clock *ptp;
	struct ptp_clock_info ptp_info;
	bool tstamp_tx;			/* TX time stamps for skbs that ask */
	bool tstamp_rx;			/* RX time stamps on every skb */
	struct bpf_prog __rcu *xdp_prog;
	/* new RX rings are of whole pages, for XDP (RTNL) */
	bool xdp_rings;
	struct nicsim_qpair qp[NICSIM_MAX_QUEUES];
};

/* Default interrupt moderation (ethtool -C): as a NIC's, not per frame. */
#define NICSIM_DEFAULT_COALESCE_USECS	30
#define NICSIM_DEFAULT_COALESCE_FRAMES	64

/*
 * With XDP, an RX buffer is one page_pool allocation of PAGE_SIZE <<
 * order: XDP headroom, the frame, then room for the skb_shared_info of
 * build_skb; without, it may be a fragment (nicsim_rx_use_frags()). The
 * driver posts it for the largest frame of its MTU (a VLAN tag
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

/*
 * Header split: a header buffer is a page (headroom, headers and room for
 * skb_shared_info: the skb is built around it), a payload buffer a page
 * (the memory a dma-buf provider gives is in pages). The MTU keeps any
 * whole frame within a header buffer: a frame the device cannot split
 * goes there, readable.
 */
#define NICSIM_RX_HDR_LEN	(PAGE_SIZE - NICSIM_RX_HEADROOM - NICSIM_RX_SHINFO)
#define NICSIM_HDS_MAX_MTU	min(NICSIM_RX_HDR_LEN - VLAN_ETH_HLEN,	\
				    NICSIM_MAX_MTU)

static inline unsigned int nicsim_rx_buf_order(unsigned int mtu)
{
	return get_order(NICSIM_RX_HEADROOM + nicsim_rx_buf_len(mtu) +
			 NICSIM_RX_SHINFO);
}

/*
 * Without XDP or header split, a frame of an MTU up to 1646 (x86-64)
 * takes half a page: a page_pool fragment with the stack's usual headroom,
 * the skb built around it. An skb's truesize is then half a page's, and a
 * socket's receive buffer holds twice the frames (a packet socket's
 * default one, about 100 frames of a page each, overflows under bursts
 * that a NIC's driver delivers whole).
 */
#define NICSIM_RX_FRAG_SIZE	2048
#define NICSIM_RX_FRAG_HEADROOM	(NET_SKB_PAD + NET_IP_ALIGN)

static inline bool nicsim_rx_frag_fits(unsigned int mtu)
{
	return NICSIM_RX_FRAG_HEADROOM + nicsim_rx_buf_len(mtu) +
	       NICSIM_RX_SHINFO <= NICSIM_RX_FRAG_SIZE;
}

/*
 * Whether new RX rings of @port at @mtu take fragments: not for XDP nor
 * header split, and not with pages of 8 KiB or more, where one small skb
 * would pin a large page.
 */
static inline bool nicsim_rx_use_frags(const struct nicsim_port *port,
				       unsigned int mtu, bool hds)
{
	return PAGE_SIZE < 8192 && !hds && !port->xdp_rings &&
	       nicsim_rx_frag_fits(mtu);
}

/* An skb takes its head and its fragments; stop before one may not fit. */
#define NICSIM_TX_MAX_DESCS	(MAX_SKB_FRAGS + 1)
/* Wake a stopped queue once this many descriptors are free again. */
#define NICSIM_TX_WAKE_THRESH	(2 * NICSIM_TX_MAX_DESCS)
/*
 * The driver's smallest ring: the device takes NICSIM_MIN_RING_SIZE, but a
 * stopped queue must be able to reach its wake threshold with room for
 * the next skb (CONFIG_MAX_SKB_FRAGS goes up to 45).
 */
#define NICSIM_DRV_MIN_RING_SIZE					\
	(NICSIM_TX_WAKE_THRESH + NICSIM_TX_MAX_DESCS <= NICSIM_MIN_RING_SIZE ?	\
	 NICSIM_MIN_RING_SIZE :						\
	 roundup_pow_of_two(NICSIM_TX_WAKE_THRESH + NICSIM_TX_MAX_DESCS))

/* netdev.c */
extern const struct net_device_ops nicsim_netdev_ops;
extern const struct netdev_queue_mgmt_ops nicsim_queue_mgmt_ops;
int nicsim_rx_rings_swap(struct nicsim_port *port);
int nicsim_reconfigure(struct nicsim_port *port, unsigned int num_queues,
		       u32 ring_size, unsigned int mtu, bool hds);
void nicsim_program_coalesce(struct nicsim_port *port);
int nicsim_ports_create(struct nicsim_dev *ndev);
void nicsim_ports_destroy(struct nicsim_dev *ndev);
static inline bool nicsim_netdev_is_nicsim(const struct net_device *dev)
{
	return dev->netdev_ops == &nicsim_netdev_ops;
}

/* tx.c */
netdev_tx_t nicsim_start_xmit(struct sk_buff *skb, struct net_device *dev);
void nicsim_tx_timeout(struct net_device *dev, unsigned int qid);
int nicsim_txq_alloc(struct nicsim_txq *txq);
void nicsim_txq_start(struct nicsim_txq *txq, const struct nicsim_txq *new);
void nicsim_txq_free(struct nicsim_txq *txq);
void nicsim_txq_clean(struct nicsim_txq *txq, int budget);
u32 nicsim_txq_free_descs(const struct nicsim_txq *txq);
bool nicsim_tx_map(struct nicsim_txq *txq, void *data, u32 len,
		   dma_addr_t *dma);
void nicsim_txq_post(struct nicsim_txq *txq, u32 idx, dma_addr_t dma, u32 len);
void nicsim_txq_doorbell(struct nicsim_txq *txq);
bool nicsim_txq_has_xdp_tx(struct nicsim_txq *txq);

/* rx.c */
int nicsim_rxq_alloc(struct nicsim_rxq *rxq, struct napi_struct *napi,
		     unsigned int mtu, bool hds, bool napi_live);
void nicsim_rxq_start(struct nicsim_rxq *rxq, const struct nicsim_rxq *new);
void nicsim_rxq_take(struct nicsim_rxq *old, struct nicsim_rxq *rxq);
void nicsim_rxq_free(struct nicsim_rxq *rxq);
int nicsim_rxq_poll(struct nicsim_rxq *rxq, struct napi_struct *napi,
		    int budget);
int nicsim_napi_poll(struct napi_struct *napi, int budget);
irqreturn_t nicsim_irq_handler(int irq, void *data);

/* ethtool.c */
extern const struct ethtool_ops nicsim_ethtool_ops;

/* ptp.c */
int nicsim_ptp_init(struct nicsim_port *port);
void nicsim_ptp_fini(struct nicsim_port *port);
int nicsim_hwtstamp_get(struct net_device *dev,
			struct kernel_hwtstamp_config *config);
int nicsim_hwtstamp_set(struct net_device *dev,
			struct kernel_hwtstamp_config *config,
			struct netlink_ext_ack *extack);
int nicsim_get_ts_info(struct net_device *dev,
		       struct kernel_ethtool_ts_info *info);

/* xdp.c */
int nicsim_bpf(struct net_device *dev, struct netdev_bpf *bpf);
int nicsim_xdp_check_mtu(struct net_device *dev, int mtu);
extern const struct xdp_metadata_ops nicsim_xdp_metadata_ops;
const struct nicsim_xdp_buff *nicsim_xdp_buff(const struct xdp_buff *xdp);
#define NICSIM_XDP_FLUSH_TX	BIT(0)	/* XDP_TX frames wait for a doorbell */
#define NICSIM_XDP_FLUSH_REDIR	BIT(1)	/* redirected frames wait for a flush */
bool nicsim_run_xdp(struct nicsim_rxq *rxq, struct bpf_prog *prog,
		    struct page *page, struct nicsim_xdp_buff *nxdp,
		    u32 *offset, u32 *len, u32 *metasize, unsigned int *flush);
bool nicsim_xdp_tx(struct nicsim_txq *txq, struct xdp_frame *frame);
void nicsim_xdp_tx_flush(struct nicsim_txq *txq);
int nicsim_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		    u32 flags);

/* kfuncs.c */
int nicsim_kfuncs_init(void);

#endif /* _NICSIM_H */
