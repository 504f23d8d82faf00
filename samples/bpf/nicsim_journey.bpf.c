// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_journey: the seed's packet journey, measured. Each received frame
 * is followed from the NIC's DMA write to the application's read, each
 * sent packet from the application's send to the TX completion, with
 * nicsim's tracepoints, the upstream ones and TC programs. A finished
 * journey goes into per-stage latency histograms (per-CPU, log2 of
 * microseconds) and, in timeline mode, to user space through a ring buffer.
 *
 * Join keys: the device's sequence number (DMA write, descriptor, XDP,
 * skb), then the skb address; for TX the skb address, the descriptor and
 * then the sequence number again.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "hw.h"
#include "nicsim_common.bpf.h"
#include "nicsim_journey.h"

#define AF_INET		2
#define AF_INET6	10
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff
#define TCPHDR_FIN	0x01
#define TCPHDR_SYN	0x02
#define ENODATA		61

const volatile bool filter_ports;	/* only the ports in ports */
const volatile struct flow filter;	/* zero fields match anything */
const volatile __u32 sample_every = 1;	/* timelines: 1 in N */
const volatile bool timelines;
/*
 * The system calls that send, numbered for this architecture by the
 * loader's <sys/syscall.h>: the number is all sys_enter has.
 */
const volatile long nr_write, nr_writev, nr_sendto, nr_sendmsg, nr_sendmmsg;
/*
 * CLOCK_TAI and CLOCK_REALTIME minus CLOCK_MONOTONIC at the start, in ns:
 * a NIC's clock (PHC) that follows either gives receive times in it.
 */
const volatile __s64 clock_offsets[2];

#define MAX_PACKETS	16384

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PACKETS);
	__type(key, __u64);			/* seq */
	__type(value, struct journey);
} rx_by_seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PACKETS);
	__type(key, __u64);			/* skb */
	__type(value, __u64);			/* seq */
} rx_by_skb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PACKETS);
	__type(key, __u64);			/* skb */
	__type(value, struct journey);
} tx_by_skb SEC(".maps");

struct desc_key {
	__u64 port;				/* PORT_KEY() */
	__u32 queue;
	__u32 desc;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PACKETS);
	__type(key, struct desc_key);
	__type(value, __u64);			/* skb */
} tx_by_desc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PACKETS);
	__type(key, __u64);			/* seq */
	__type(value, __u64);			/* skb */
} tx_by_seq SEC(".maps");

/*
 * Send journeys completed while their frame is still on the cable (the
 * wire latency): the wire stage is due when the cable delivers it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* seq */
	__type(value, struct journey);
} tx_on_cable SEC(".maps");

/* per queue pair: its last interrupt and doorbell */
struct qstate {
	__u64 raise;
	__u64 handle;
	__u64 doorbell;
	__u32 irq;
};

struct queue_key {
	__u64 port;				/* PORT_KEY() */
	__u32 queue;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct queue_key);
	__type(value, struct qstate);
} queues SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);			/* PORT_KEY() */
	__type(value, __u8);			/* enum port_kind */
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);			/* thread id */
	__type(value, __u64);			/* its send system call began */
} sending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HIST_ENTRIES);
	__type(key, __u32);
	__type(value, struct hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline __u32 dev_netns(const struct net_device *dev)
{
	return BPF_CORE_READ(dev, nd_net.net, ns.inum);
}

static __always_inline __u64 port_key(const struct net_device *dev)
{
	return PORT_KEY(dev_netns(dev), dev->ifindex);
}

static __always_inline bool port_ok(const struct net_device *dev)
{
	__u64 key;

	if (!dev)
		return false;
	key = port_key(dev);
	return !filter_ports || bpf_map_lookup_elem(&ports, &key);
}

/* What drives @dev, if it is a followed port; 0 if not. */
static __always_inline __u8 port_kind(const struct net_device *dev)
{
	__u64 key;
	__u8 *kind;

	if (!dev)
		return 0;
	key = port_key(dev);
	kind = bpf_map_lookup_elem(&ports, &key);
	return kind ? *kind : 0;
}

static __always_inline void count(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		(*v)++;
}

/*
 * hist_add() and finish() are global functions: the verifier checks each
 * once per program, not at every call (and not at every stage of
 * finish()'s loop), which cuts the object's load time several times.
 */
__noinline int hist_add(__u32 dir, __u32 stage, __u64 ns)
{
	__u32 key = HIST_IDX(dir, stage);
	struct hist *h = bpf_map_lookup_elem(&hists, &key);

	if (!h)
		return 0;
	h->slots[nicsim_us_slot(ns, HIST_SLOTS)]++;
	h->count++;
	h->sum_ns += ns;
	return 0;
}

static __always_inline bool addr_match(const __u32 *want, const __u32 *have)
{
	return !(want[0] | want[1] | want[2] | want[3]) ||
	       (want[0] == have[0] && want[1] == have[1] &&
		want[2] == have[2] && want[3] == have[3]);
}

static __always_inline bool flow_match(const struct flow *f)
{
	struct flow want = filter;	/* the loader's filter, read once */

	return (!want.family || want.family == f->family) &&
	       (!want.proto || want.proto == f->proto) &&
	       (!want.sport || want.sport == f->sport) &&
	       (!want.dport || want.dport == f->dport) &&
	       addr_match(want.saddr, f->saddr) &&
	       addr_match(want.daddr, f->daddr);
}

/* The addresses, protocol and ports of the packet whose L3 header is at @l3. */
static __always_inline void parse_flow(struct flow *f, const void *l3,
				       __be16 protocol)
{
	const void *l4 = NULL;
	__be16 ports[2];

	if (protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr iph;

		if (bpf_probe_read_kernel(&iph, sizeof(iph), l3))
			return;
		f->family = AF_INET;
		f->proto = iph.protocol;
		f->saddr[0] = iph.saddr;
		f->daddr[0] = iph.daddr;
		if (!(iph.frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			l4 = l3 + iph.ihl * 4;
	} else if (protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6h;

		if (bpf_probe_read_kernel(&ip6h, sizeof(ip6h), l3))
			return;
		f->family = AF_INET6;
		f->proto = ip6h.nexthdr;
		__builtin_memcpy(f->saddr, &ip6h.saddr, 16);
		__builtin_memcpy(f->daddr, &ip6h.daddr, 16);
		l4 = l3 + sizeof(ip6h);
	}
	if (l4 && (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) &&
	    !bpf_probe_read_kernel(ports, sizeof(ports), l4)) {
		f->sport = bpf_ntohs(ports[0]);
		f->dport = bpf_ntohs(ports[1]);
	}
}

static __always_inline void stamp(struct journey *j, __u32 stage, __u64 ts)
{
	if (stage < MAX_STAGES && !j->ts[stage]) {
		j->ts[stage] = ts;
		j->cpu[stage] = bpf_get_smp_processor_id();
	}
}

/* The first bytes of the frame whose MAC header is at @mac, @len long. */
static __always_inline void capture(struct journey *j, const void *mac,
				    __u32 len)
{
	if (!timelines)
		return;
	j->caplen = len < CAP_BYTES ? len : CAP_BYTES;
	if (bpf_probe_read_kernel(j->data, CAP_BYTES, mac))
		j->caplen = 0;
}

static __u32 sampled;

/* A journey is over: into the histograms, and maybe out as a timeline. */
__noinline int finish(struct journey *j, enum journey_end end)
{
	__u64 first = 0, prev = 0;
	struct journey *e;
	__u32 nr, s;

	if (!j)
		return 0;
	nr = j->dir == DIR_RX ? RX_NR : TX_NR;
	j->end = end;
	if (!flow_match(&j->flow))
		return 0;
	for (s = 0; s < MAX_STAGES; s++) {
		__u64 t = j->ts[s];

		if (s >= nr || !t)
			continue;
		/* each stage against the last one seen before it */
		if (prev && t >= prev)
			hist_add(j->dir, s, t - prev);
		if (!first)
			first = t;
		prev = t;
	}
	if (first && prev > first)
		hist_add(j->dir, 0, prev - first);	/* stage 0: the total */
	count(j->dir == DIR_RX ? CNT_JOURNEYS_RX : CNT_JOURNEYS_TX);

	if (!timelines)
		return 0;
	if (sample_every > 1 && __sync_fetch_and_add(&sampled, 1) % sample_every) {
		count(CNT_SAMPLED_OUT);
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CNT_LOST_EVENTS);
		return 0;
	}
	__builtin_memcpy(e, j, sizeof(*e));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* ---- receive ------------------------------------------------------- */

/*
 * The cable delivered frame @seq to @peer after @latency_ns: when it went
 * on the cable is where the receive journey starts, and the send journey
 * leaves the device.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);			/* seq */
	__type(value, __u64);			/* on the cable since */
} wire_sent SEC(".maps");

SEC("tp_btf/nicsim_wire")
int BPF_PROG(wire, struct net_device *dev, struct net_device *peer, u64 seq,
	     u32 len, u64 latency_ns, int status)
{
	__u64 sent = bpf_ktime_get_ns() - latency_ns, *skb;
	struct journey *j;

	if (status != NICSIM_WIRE_DELIVERED && status != NICSIM_WIRE_CORRUPTED)
		return 0;
	if (port_ok(peer))
		bpf_map_update_elem(&wire_sent, &seq, &sent, BPF_ANY);
	skb = bpf_map_lookup_elem(&tx_by_seq, &seq);
	if (skb) {
		j = bpf_map_lookup_elem(&tx_by_skb, skb);
		if (j)
			stamp(j, TX_WIRE, sent);
		bpf_map_delete_elem(&tx_by_seq, &seq);
		return 0;
	}
	/* completed while on the cable: the journey ends now */
	j = bpf_map_lookup_elem(&tx_on_cable, &seq);
	if (!j)
		return 0;
	stamp(j, TX_WIRE, sent);
	finish(j, END_DELIVERED);
	bpf_map_delete_elem(&tx_on_cable, &seq);
	return 0;
}

SEC("tp_btf/nicsim_rx_dma_write")
int BPF_PROG(rx_dma_write, struct net_device *dev, u16 queue, u32 desc_idx,
	     u32 len, u64 seq, u64 dma_tstamp)
{
	struct journey j = {};
	__u64 *sent;

	if (!port_ok(dev))
		return 0;
	j.dir = DIR_RX;
	sent = bpf_map_lookup_elem(&wire_sent, &seq);
	if (sent) {
		stamp(&j, RX_WIRE, *sent);
		bpf_map_delete_elem(&wire_sent, &seq);
	}
	stamp(&j, RX_DMA, dma_tstamp);
	j.seq = seq;
	j.ifindex = dev->ifindex;
	j.netns = dev_netns(dev);
	j.queue = queue;
	j.desc = desc_idx;
	j.len = len;
	bpf_map_update_elem(&rx_by_seq, &seq, &j, BPF_ANY);
	return 0;
}

static __always_inline struct qstate *qstate(const struct net_device *dev,
					     __u32 queue)
{
	struct queue_key key = { .port = port_key(dev), .queue = queue };
	struct qstate *q = bpf_map_lookup_elem(&queues, &key), zero = {};

	if (q)
		return q;
	bpf_map_update_elem(&queues, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&queues, &key);
}

SEC("tp_btf/nicsim_irq_raise")
int BPF_PROG(irq_raise, struct net_device *dev, u16 vector, unsigned int irq)
{
	struct qstate *q;

	if (!port_ok(dev))
		return 0;
	q = qstate(dev, vector);
	if (q) {
		q->raise = bpf_ktime_get_ns();
		q->irq = irq;
	}
	return 0;
}

SEC("tp_btf/nicsim_irq_handle")
int BPF_PROG(irq_handle, struct net_device *dev, u16 queue)
{
	struct qstate *q;

	if (!port_ok(dev))
		return 0;
	q = qstate(dev, queue);
	if (q)
		q->handle = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/nicsim_rx_desc")
int BPF_PROG(rx_desc, struct net_device *dev, u16 queue, u32 desc_idx,
	     u32 len, u64 seq)
{
	struct journey *j = bpf_map_lookup_elem(&rx_by_seq, &seq);
	struct qstate *q;

	if (!j || !dev)
		return 0;
	stamp(j, RX_NAPI, bpf_ktime_get_ns());
	/*
	 * The interrupt that got NAPI here came after the DMA write; if the
	 * last one came before, NAPI was already polling: no interrupt.
	 */
	q = qstate(dev, queue);
	if (q && q->raise >= j->ts[RX_DMA]) {
		stamp(j, RX_IRQ, q->raise);
		j->irq = q->irq;
		if (q->handle >= q->raise)
			stamp(j, RX_HANDLER, q->handle);
	}
	return 0;
}

SEC("tp_btf/nicsim_xdp_verdict")
int BPF_PROG(xdp_verdict, struct net_device *dev, u16 queue, u32 desc_idx,
	     u64 seq, u32 act)
{
	struct journey *j = bpf_map_lookup_elem(&rx_by_seq, &seq);

	if (!j)
		return 0;
	stamp(j, RX_XDP, bpf_ktime_get_ns());
	j->xdp_act = act;
	if (act != XDP_PASS) {
		finish(j, END_XDP);
		bpf_map_delete_elem(&rx_by_seq, &seq);
	}
	return 0;
}

SEC("tp_btf/nicsim_rx_skb")
int BPF_PROG(rx_skb, struct net_device *dev, u16 queue, u32 desc_idx, u64 seq,
	     struct sk_buff *skb)
{
	struct journey *j = bpf_map_lookup_elem(&rx_by_seq, &seq);
	__u64 key = (__u64)skb;

	if (!j || !skb)
		return 0;
	stamp(j, RX_SKB, bpf_ktime_get_ns());
	j->skb = key;
	/* eth_type_trans() has run: data is the network header */
	parse_flow(&j->flow, skb->data, skb->protocol);
	capture(j, skb->head + skb->mac_header, j->len);
	bpf_map_update_elem(&rx_by_skb, &key, &seq, BPF_ANY);
	return 0;
}

static __always_inline struct journey *rx_of_skb(const void *skb, __u64 *seq)
{
	__u64 key = (__u64)skb, *s = bpf_map_lookup_elem(&rx_by_skb, &key);

	if (!s)
		return NULL;
	*seq = *s;
	return bpf_map_lookup_elem(&rx_by_seq, s);
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(rx_stack, struct sk_buff *skb)
{
	struct journey *j;
	__u64 seq;

	j = rx_of_skb(skb, &seq);
	if (j)
		stamp(j, RX_STACK, bpf_ktime_get_ns());
	return 0;
}

SEC("tcx/ingress")
int rx_tc(struct __sk_buff *ctx)
{
	struct journey *j;
	__u64 seq;

	j = rx_of_skb(bpf_cast_to_kern_ctx(ctx), &seq);
	if (j)
		stamp(j, RX_TC, bpf_ktime_get_ns());
	return TCX_NEXT;
}

SEC("fentry/__udp_enqueue_schedule_skb")
int BPF_PROG(rx_socket_udp, struct sock *sk, struct sk_buff *skb)
{
	struct journey *j;
	__u64 seq;

	j = rx_of_skb(skb, &seq);
	if (j)
		stamp(j, RX_SOCKET, bpf_ktime_get_ns());
	return 0;
}

/*
 * TCP: the socket stage is tcp_rcv_established(), which every segment of
 * an established connection reaches, from softirq or from the backlog. A
 * segment's data may then be coalesced into the skb before it, so the
 * application stage is not the skb's free but the read that copies past
 * the segment's end: each socket keeps its unread segments in order.
 */
struct tcp_unread {
	__u32 head;		/* free-running; the reader advances it */
	__u32 tail;		/* the receive path advances it */
	struct {
		__u64 seq;	/* the journey */
		__u32 end_seq;	/* TCP: read when copied_seq reaches it */
		__u32 pad;
	} seg[TCP_UNREAD];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tcp_unread);
} tcp_socks SEC(".maps");

SEC("fentry/tcp_rcv_established")
int BPF_PROG(rx_socket_tcp, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = (const void *)skb->cb;
	__u64 seq, key = (__u64)skb;
	struct tcp_unread *u;
	struct journey *j;
	__u32 slot;

	j = rx_of_skb(skb, &seq);
	if (!j)
		return 0;
	stamp(j, RX_SOCKET, bpf_ktime_get_ns());
	/* end_seq counts a FIN (and a SYN) too: data is what a read gets */
	if (cb->end_seq - cb->seq - !!(cb->tcp_flags & (TCPHDR_FIN | TCPHDR_SYN)) == 0) {
		/* no data (an ACK, a FIN): the socket is where it ends */
		finish(j, END_CONSUMED);
		goto forget;
	}
	u = bpf_sk_storage_get(&tcp_socks, sk, NULL,
			       BPF_SK_STORAGE_GET_F_CREATE);
	if (!u || u->tail - u->head >= TCP_UNREAD) {
		count(CNT_TCP_UNFOLLOWED);
		goto forget;
	}
	slot = u->tail % TCP_UNREAD;
	u->seg[slot].seq = seq;
	u->seg[slot].end_seq = cb->end_seq;
	u->tail++;
	/* the journey waits for the read; the skb may be coalesced away */
	bpf_map_delete_elem(&rx_by_skb, &key);
	return 0;
forget:
	bpf_map_delete_elem(&rx_by_seq, &seq);
	bpf_map_delete_elem(&rx_by_skb, &key);
	return 0;
}

struct tcp_read_ctx {
	struct tcp_unread *u;
	__u32 copied;
	__u64 now;
};

static long tcp_read_one(__u64 i, struct tcp_read_ctx *c)
{
	struct tcp_unread *u = c->u;
	__u32 slot = u->head % TCP_UNREAD;
	struct journey *j;
	__u64 seq;

	if (u->head == u->tail || (__s32)(c->copied - u->seg[slot].end_seq) < 0)
		return 1;
	seq = u->seg[slot].seq;
	u->head++;
	j = bpf_map_lookup_elem(&rx_by_seq, &seq);
	if (j) {
		stamp(j, RX_APP, c->now);
		finish(j, END_DELIVERED);
		bpf_map_delete_elem(&rx_by_seq, &seq);
	}
	return 0;
}

SEC("fexit/tcp_recvmsg")
int BPF_PROG(rx_app_tcp, struct sock *sk, struct msghdr *msg, size_t len,
	     int flags, int *addr_len, int ret)
{
	struct tcp_read_ctx c = { .now = bpf_ktime_get_ns() };
	struct tcp_sock *tp;

	if (ret <= 0)
		return 0;
	c.u = bpf_sk_storage_get(&tcp_socks, sk, NULL, 0);
	tp = bpf_skc_to_tcp_sock(sk);
	if (!c.u || !tp)
		return 0;
	c.copied = tp->copied_seq;
	bpf_loop(TCP_UNREAD, tcp_read_one, &c, 0);
	return 0;
}

/* The skb is freed: read by the application if it reached a socket. */
static __always_inline void rx_end(const struct sk_buff *skb, bool dropped)
{
	__u64 key = (__u64)skb, seq;
	struct journey *j;

	j = rx_of_skb(skb, &seq);
	if (!j)
		return;
	if (dropped) {
		finish(j, END_DROPPED);
	} else if (j->ts[RX_SOCKET]) {
		stamp(j, RX_APP, bpf_ktime_get_ns());
		finish(j, END_DELIVERED);
	} else {
		finish(j, END_CONSUMED);
	}
	bpf_map_delete_elem(&rx_by_seq, &seq);
	bpf_map_delete_elem(&rx_by_skb, &key);
}

/*
 * A sent skb is freed: dropped, or, on another driver than nicsim (whose
 * nicsim_tx_clean ended the journey), completed if the driver had it.
 * Consumed before that, it was cut into segments (software GSO) that
 * journey on as packets of their own.
 */
static __always_inline void tx_end(const struct sk_buff *skb, bool dropped)
{
	__u64 key = (__u64)skb;
	struct journey *j = bpf_map_lookup_elem(&tx_by_skb, &key);

	if (!j)
		return;
	if (dropped) {
		finish(j, END_DROPPED);
	} else if (j->ts[TX_XMIT]) {
		stamp(j, TX_DONE, bpf_ktime_get_ns());
		finish(j, END_DELIVERED);
	}
	bpf_map_delete_elem(&tx_by_skb, &key);
}

SEC("tp_btf/consume_skb")
int BPF_PROG(rx_consumed, struct sk_buff *skb)
{
	rx_end(skb, false);
	tx_end(skb, false);
	return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(rx_dropped, struct sk_buff *skb)
{
	rx_end(skb, true);
	tx_end(skb, true);
	return 0;
}

/* ---- receive, on any driver ------------------------------------------ */

/*
 * Another driver has no tracepoint per frame until it hands the sk_buff to
 * the stack. The stages before come from what its CPU saw while polling:
 * - napi: the poll began after the NET_RX softirq did and after the poll
 *   before it on this CPU ended (napi:napi_poll fires at each poll's end);
 * - handler: the port's interrupt (irq:irq_handler_entry, for the IRQs
 *   user space found) scheduled the poll if it came before the poll began,
 *   after this CPU's previous NET_RX run, and no frame claimed it yet;
 * - xdp: the journey's XDP program notes each frame it passes; within a
 *   poll the driver builds their sk_buffs in that order.
 */
#define GEN_SEQ		0x8000000000000000ULL	/* numbered here, not by nicsim */
#define XDP_FIFO	16

struct cpu_state {
	__u64 net_rx;		/* the NET_RX softirq began; 0: not in it */
	__u64 net_rx_end;	/* the previous one ended */
	__u64 poll_end;		/* the last NAPI poll here ended */
	__u64 irq;		/* a followed port's last interrupt here */
	__u64 irq_port;
	__u64 irq_claimed;	/* a frame of this poll's came with it */
	__u64 irq_served;	/* the last interrupt that brought frames */
	__u32 xdp_head;		/* free-running */
	__u32 xdp_tail;
	struct {
		__u64 ts;
		__u64 port;	/* PORT_KEY() */
		__u64 hw;	/* its hardware receive time, or 0 */
	} xdp[XDP_FIFO];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpu_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);			/* Linux IRQ */
	__type(value, struct irq_port);
} irqs SEC(".maps");

static __u64 gen_seq;

static __always_inline struct cpu_state *cpu_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_states, &zero);
}

static __always_inline __u64 poll_start(const struct cpu_state *c)
{
	return c->poll_end > c->net_rx ? c->poll_end : c->net_rx;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(gen_irq, int irq, struct irqaction *action)
{
	__u32 key = irq;
	struct irq_port *p = bpf_map_lookup_elem(&irqs, &key);
	struct cpu_state *c;

	if (!p)
		return 0;
	c = cpu_state();
	if (c) {
		c->irq = bpf_ktime_get_ns();
		c->irq_port = p->port;
	}
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(gen_net_rx, unsigned int vec)
{
	struct cpu_state *c;

	if (vec != NET_RX_SOFTIRQ)
		return 0;
	c = cpu_state();
	if (!c)
		return 0;
	c->net_rx = bpf_ktime_get_ns();
	c->xdp_head = c->xdp_tail;
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(gen_net_rx_exit, unsigned int vec)
{
	struct cpu_state *c;

	if (vec != NET_RX_SOFTIRQ)
		return 0;
	c = cpu_state();
	if (!c)
		return 0;
	c->net_rx = 0;
	c->net_rx_end = bpf_ktime_get_ns();
	return 0;
}

/* A NAPI poll on this CPU ended: the next begins after it. */
SEC("tp_btf/napi_poll")
int BPF_PROG(gen_napi_poll, struct napi_struct *napi, int work, int budget)
{
	struct cpu_state *c = cpu_state();

	if (!c || !c->net_rx)
		return 0;
	if (c->irq_claimed) {
		c->irq_served = c->irq_claimed;
		c->irq_claimed = 0;
	}
	/* frames XDP passed that did not become an sk_buff: gone */
	c->xdp_head = c->xdp_tail;
	c->poll_end = bpf_ktime_get_ns();
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PORTS);
	__type(key, __u64);			/* PORT_KEY() */
	__type(value, struct hwts_stat);
} hwts SEC(".maps");

int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;

/*
 * The driver's receive time of the frame, from XDP RX metadata, on the
 * monotonic clock; 0 if there is none. Only a program bound to the port's
 * device may ask (user space loads journey_xdp_hw for each), and drivers
 * without the metadata answer -EOPNOTSUPP. A NIC's own clock may follow the monotonic clock
 * (nicsim), TAI or UTC (a PHC that phc2sys steers): the time is taken in
 * whichever puts it within the last second; any other is not shown.
 */
#define HW_AHEAD_NS	100000ULL

static __always_inline __u64 hw_rx_time(struct xdp_md *ctx, __u64 port, __u64 now)
{
	struct hwts_stat *st = bpf_map_lookup_elem(&hwts, &port);
	__u64 hw = 0, t;
	int err, i;

	if (!st)
		return 0;
	err = bpf_xdp_metadata_rx_timestamp(ctx, &hw);
	if (err == -ENODATA) {		/* this frame has none */
		__sync_fetch_and_add(&st->nodata, 1);
		return 0;
	}
	if (err) {
		if (st->err != err)
			st->err = err;
		return 0;
	}
	if (!hw) {
		__sync_fetch_and_add(&st->zero, 1);
		return 0;
	}
	/* a synchronised clock may be a little ahead: up to HW_AHEAD_NS */
	now += HW_AHEAD_NS;
	for (i = 0; i < 3; i++) {
		t = i ? hw - clock_offsets[i - 1] : hw;
		if (t <= now && now - t < 1000000000ULL) {
			__sync_fetch_and_add(&st->stamped, 1);
			now -= HW_AHEAD_NS;
			return t < now ? t : now;
		}
	}
	__sync_fetch_and_add(&st->unsynced, 1);
	return 0;
}

/*
 * --xdp: a pass-through program for ports that have none, so that frames
 * go through the XDP stage of the journey: nicsim_xdp_verdict stamps it on
 * nicsim; on other drivers the program notes when each frame passed, and
 * (@hw: bound to the port's device) the driver's receive time.
 */
static __always_inline int xdp_pass(struct xdp_md *ctx, bool hw)
{
	struct xdp_buff *xdp = bpf_cast_to_kern_ctx(ctx);
	struct cpu_state *c = cpu_state();
	__u64 now = bpf_ktime_get_ns();
	__u64 port = port_key(xdp->rxq->dev);
	/* asked for every frame: what the driver answers is counted */
	__u64 t = hw ? hw_rx_time(ctx, port, now) : 0;
	__u32 slot;

	if (c && c->net_rx && c->xdp_tail - c->xdp_head < XDP_FIFO) {
		slot = c->xdp_tail % XDP_FIFO;
		c->xdp[slot].ts = now;
		c->xdp[slot].port = port;
		c->xdp[slot].hw = t;
		c->xdp_tail++;
	}
	return XDP_PASS;
}

SEC("xdp")
int journey_xdp(struct xdp_md *ctx)
{
	return xdp_pass(ctx, false);
}

/* Not in the skeleton's load: user space loads it once per device. */
SEC("xdp")
int journey_xdp_hw(struct xdp_md *ctx)
{
	return xdp_pass(ctx, true);
}

/* A veth hands the skb it sends to its peer: that is its completion. */
static __always_inline void tx_handover(const struct sk_buff *skb)
{
	__u64 key = (__u64)skb, port;
	struct journey *t = bpf_map_lookup_elem(&tx_by_skb, &key);
	__u8 *kind;

	if (!t)
		return;
	port = PORT_KEY(t->netns, t->ifindex);
	kind = bpf_map_lookup_elem(&ports, &port);
	if (!kind || *kind != JPORT_VETH)
		return;
	stamp(t, TX_DONE, bpf_ktime_get_ns());
	finish(t, END_DELIVERED);
	bpf_map_delete_elem(&tx_by_skb, &key);
}

/*
 * Stages from what this CPU saw in the NAPI poll that brought the frame.
 * Global: verified once per program, not at each caller.
 */
__noinline int gen_rx_poll(struct journey *j, __u64 port)
{
	struct cpu_state *c = cpu_state();
	__u64 start, irq;
	__u32 i, slot;

	if (!j || !c || !c->net_rx)
		return 0;
	start = poll_start(c);
	/*
	 * The port's interrupt since the CPU's last NET_RX run that no
	 * earlier poll's frames claimed scheduled this poll; if it came after
	 * the poll before ended, net_rx_action() went on to this poll then.
	 * Read once: a newer one may come in meanwhile.
	 */
	irq = c->irq;
	if (c->irq_port == port && irq > c->irq_served && irq > c->net_rx_end) {
		stamp(j, RX_HANDLER, irq);
		c->irq_claimed = irq;
		if (irq > start)
			start = irq;
	}
	stamp(j, RX_NAPI, start);
	/* the frame's XDP pass: skip those of frames that made no skb */
	for (i = 0; i < XDP_FIFO && c->xdp_head != c->xdp_tail; i++) {
		slot = c->xdp_head++ % XDP_FIFO;
		if (c->xdp[slot].port == port) {
			if (c->xdp[slot].hw)
				stamp(j, RX_DMA, c->xdp[slot].hw);
			stamp(j, RX_XDP, c->xdp[slot].ts);
			j->xdp_act = XDP_PASS;
			break;
		}
	}
	return 0;
}

/*
 * Another driver hands @skb to the stack: its receive journey begins. From
 * a NAPI poll (@polled) the stages before come from the poll; netif_rx()
 * queues it for a later one (the backlog's), whatever context it runs in.
 */
static __always_inline void gen_rx_start(struct sk_buff *skb, bool polled)
{
	__u64 key = (__u64)skb, seq, mac, port, *old;
	struct net_device *dev = skb->dev;
	struct journey j = {};
	__u8 kind;

	tx_handover(skb);
	kind = port_kind(dev);
	if (kind != JPORT_OTHER && kind != JPORT_VETH)
		return;
	port = port_key(dev);
	/*
	 * A journey on this address is over: the stack took its skb and it
	 * comes back as another port's frame (forwarded), or it was freed
	 * without a tracepoint.
	 */
	old = bpf_map_lookup_elem(&rx_by_skb, &key);
	if (old) {
		struct journey *o = bpf_map_lookup_elem(&rx_by_seq, old);

		if (o && o->ts[RX_STACK])
			finish(o, END_CONSUMED);
		else
			count(CNT_END_UNSEEN);
		bpf_map_delete_elem(&rx_by_seq, old);
	}
	seq = GEN_SEQ | __sync_fetch_and_add(&gen_seq, 1);
	j.dir = DIR_RX;
	j.seq = seq;
	j.skb = key;
	j.ifindex = dev->ifindex;
	j.netns = port >> 32;
	j.queue = skb->queue_mapping ? skb->queue_mapping - 1 : 0;
	/* eth_type_trans() has run: data is the network header */
	mac = (__u64)(skb->head + skb->mac_header);
	j.len = skb->len + ((__u64)skb->data - mac);
	if (polled)
		gen_rx_poll(&j, port);
	stamp(&j, RX_SKB, bpf_ktime_get_ns());
	parse_flow(&j.flow, skb->data, skb->protocol);
	capture(&j, (void *)mac, j.len);
	bpf_map_update_elem(&rx_by_seq, &seq, &j, BPF_ANY);
	bpf_map_update_elem(&rx_by_skb, &key, &seq, BPF_ANY);
}

SEC("tp_btf/netif_receive_skb_entry")
int BPF_PROG(gen_rx_receive, struct sk_buff *skb)
{
	gen_rx_start(skb, true);
	return 0;
}

SEC("tp_btf/netif_receive_skb_list_entry")
int BPF_PROG(gen_rx_receive_list, struct sk_buff *skb)
{
	gen_rx_start(skb, true);
	return 0;
}

SEC("tp_btf/netif_rx")
int BPF_PROG(gen_rx_netif_rx, struct sk_buff *skb)
{
	gen_rx_start(skb, false);
	return 0;
}

/*
 * GRO merged the frame into a packet it holds: its journey ends here (the
 * packet it joined goes on). The exit tracepoint has no skb: the entry's,
 * per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gro_skb SEC(".maps");

SEC("tp_btf/napi_gro_receive_entry")
int BPF_PROG(rx_gro_entry, struct sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&gro_skb, &zero);

	gen_rx_start(skb, true);
	if (slot)
		*slot = (__u64)skb;
	return 0;
}

SEC("tp_btf/napi_gro_receive_exit")
int BPF_PROG(rx_gro_exit, int ret)
{
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&gro_skb, &zero), key, seq;
	struct journey *j;

	if (!slot || (ret != GRO_MERGED && ret != GRO_MERGED_FREE))
		return 0;
	key = *slot;
	j = rx_of_skb((void *)key, &seq);
	if (!j)
		return 0;
	finish(j, END_MERGED);
	bpf_map_delete_elem(&rx_by_seq, &seq);
	bpf_map_delete_elem(&rx_by_skb, &key);
	return 0;
}

/* ---- send ---------------------------------------------------------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(tx_syscall, struct pt_regs *regs, long id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now;

	if (id != nr_sendto && id != nr_sendmsg && id != nr_sendmmsg &&
	    id != nr_write && id != nr_writev)
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&sending, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tx_syscall_exit, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&sending, &tid);
	return 0;
}

/* The send journey of @skb, begun if need be (by the sending thread). */
static __always_inline struct journey *
tx_journey(const struct sk_buff *skb, const struct net_device *dev)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 key = (__u64)skb, *sent;
	struct journey *j, zero = {};

	j = bpf_map_lookup_elem(&tx_by_skb, &key);
	if (j)
		return j;
	zero.dir = DIR_TX;
	zero.skb = key;
	zero.ifindex = dev->ifindex;
	zero.netns = dev_netns(dev);
	sent = bpf_map_lookup_elem(&sending, &tid);
	if (sent)
		stamp(&zero, TX_APP, *sent);
	bpf_map_update_elem(&tx_by_skb, &key, &zero, BPF_ANY);
	return bpf_map_lookup_elem(&tx_by_skb, &key);
}

SEC("tcx/egress")
int tx_tc(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);
	struct journey *j;

	j = tx_journey(skb, skb->dev);
	if (j)
		stamp(j, TX_TC, bpf_ktime_get_ns());
	return TCX_NEXT;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(tx_xmit, struct sk_buff *skb, struct net_device *dev)
{
	struct journey *j;

	if (!skb || !port_ok(dev))
		return 0;
	j = tx_journey(skb, dev);
	if (!j)
		return 0;
	stamp(j, TX_XMIT, bpf_ktime_get_ns());
	parse_flow(&j->flow, skb->head + skb->network_header, skb->protocol);
	j->len = skb->len;
	capture(j, skb->data, skb->len - skb->data_len);
	return 0;
}

/* Another driver's ndo_start_xmit() took the skb: its descriptors are out. */
SEC("tp_btf/net_dev_xmit")
int BPF_PROG(gen_tx_post, struct sk_buff *skb, int rc, struct net_device *dev,
	     unsigned int len)
{
	__u64 key = (__u64)skb;
	struct journey *j;

	/* a veth has no ring: it handed the skb to its peer already */
	if (rc != NETDEV_TX_OK || port_kind(dev) != JPORT_OTHER)
		return 0;
	j = bpf_map_lookup_elem(&tx_by_skb, &key);
	/* by now its completion may have freed it for another's journey */
	if (j && j->ts[TX_XMIT] && !j->ts[TX_DONE])
		stamp(j, TX_POST, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/nicsim_tx_post")
int BPF_PROG(tx_post, struct net_device *dev, u16 queue, struct sk_buff *skb,
	     u32 desc_idx)
{
	__u64 key = (__u64)skb;
	struct desc_key dk;
	struct journey *j;

	if (!dev)
		return 0;
	j = bpf_map_lookup_elem(&tx_by_skb, &key);
	if (!j)
		return 0;
	stamp(j, TX_POST, bpf_ktime_get_ns());
	j->queue = queue;
	j->desc = desc_idx;
	dk = (struct desc_key){ port_key(dev), queue, desc_idx };
	bpf_map_update_elem(&tx_by_desc, &dk, &key, BPF_ANY);
	return 0;
}

SEC("tp_btf/nicsim_tx_doorbell")
int BPF_PROG(tx_doorbell, struct net_device *dev, u16 queue)
{
	struct qstate *q;

	if (!port_ok(dev))
		return 0;
	q = qstate(dev, queue);
	if (q)
		q->doorbell = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/nicsim_tx_dma_read")
int BPF_PROG(tx_dma_read, struct net_device *dev, u16 queue, u32 desc_idx,
	     u32 len, u64 seq, u64 dma_tstamp)
{
	struct desc_key dk;
	struct journey *j;
	struct qstate *q;
	__u64 *skb;

	if (!dev)
		return 0;
	dk = (struct desc_key){ port_key(dev), queue, desc_idx };
	skb = bpf_map_lookup_elem(&tx_by_desc, &dk);
	if (!skb)
		return 0;
	j = bpf_map_lookup_elem(&tx_by_skb, skb);
	if (j) {
		/* the last doorbell on the queue before the read covered it */
		q = qstate(dev, queue);
		if (q && q->doorbell >= j->ts[TX_POST] && q->doorbell <= dma_tstamp)
			stamp(j, TX_DOORBELL, q->doorbell);
		stamp(j, TX_DMA, dma_tstamp);
		j->seq = seq;
		bpf_map_update_elem(&tx_by_seq, &seq, skb, BPF_ANY);
	}
	bpf_map_delete_elem(&tx_by_desc, &dk);
	return 0;
}

SEC("tp_btf/nicsim_tx_clean")
int BPF_PROG(tx_clean, struct net_device *dev, u16 queue, u32 desc_idx,
	     struct nicsim_tx_desc *desc, struct sk_buff *skb)
{
	__u64 key = (__u64)skb;
	struct journey *j;

	if (!skb)
		return 0;
	j = bpf_map_lookup_elem(&tx_by_skb, &key);
	if (!j)
		return 0;
	stamp(j, TX_DONE, bpf_ktime_get_ns());
	if (!j->ts[TX_WIRE] && j->ts[TX_DMA] &&
	    bpf_map_lookup_elem(&tx_by_seq, &j->seq)) {
		/* on the cable yet: keyed by seq, for the skb is freed */
		bpf_map_update_elem(&tx_on_cable, &j->seq, j, BPF_ANY);
		bpf_map_delete_elem(&tx_by_seq, &j->seq);
	} else {
		finish(j, END_DELIVERED);
	}
	bpf_map_delete_elem(&tx_by_skb, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
