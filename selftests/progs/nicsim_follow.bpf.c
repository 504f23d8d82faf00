// SPDX-License-Identifier: GPL-2.0
/*
 * Follow one UDP datagram through nicsim with nicsim's tracepoints and
 * kfunc and the upstream hooks: from the sender's sendto() to the wire and
 * the TX completion, and from the receiver's DMA write to its recvfrom().
 * The frame is known by its length until it has an skb address, then by
 * that address and the device's sequence number.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nicsim_kfuncs.h"
#include "hw.h"
#include "nicsim_follow.h"
#include "nicsim_progs.h"

const volatile __u32 tx_ifindex;	/* sending port */
const volatile __u32 rx_ifindex;	/* receiving port */
const volatile __u32 frame_len;		/* the datagram's frame on the wire */
const volatile __u32 tgid;		/* the test, which sends and receives */
const volatile __u16 udp_port;		/* the receiving socket's */
/* this architecture's syscall numbers, from the test's <sys/syscall.h> */
const volatile long nr_sendto, nr_recvfrom;

__u32 armed;				/* set by the test before sendto() */
__u32 in_recvfrom;			/* the test is in recvfrom() */
struct nicsim_follow_rec f;
struct nicsim_follow_drops drops;

/* the kfuncs, called on the followed frame: 1 until called */
struct nicsim_xdp_meta xdp_meta;
struct nicsim_skb_meta skb_meta_tp, skb_meta_tc;
int skb_err_tp = 1, skb_err_tc = 1, skb_err_egress = 1;
struct nicsim_queue_state qs_egress;
int qs_err_egress = 1;
/* header_push_over_stamp: TC ingress pushes push_len bytes, then asks */
__u32 push_len;
int push_err = 1, skb_err_pushed = 1;
__u32 headroom;
__u64 head_before, head_after;
struct nicsim_skb_meta skb_meta_pushed;

/*
 * Record a stage once. Stages with a key of their own (the skb, the
 * device's sequence number, the descriptor) are recorded whenever their
 * event comes (after ST_NR), so the test's order check can fail for them.
 * An event with no key (a doorbell, an interrupt, a poll) is taken as the
 * first one after the previous stage of its chain: for those, the order
 * is how the event is chosen, not something the test checks.
 */
static __always_inline bool stage(enum nicsim_follow_stage s,
				  enum nicsim_follow_stage after)
{
	if (!armed || f.ts[s] || (after != ST_NR && !f.ts[after]))
		return false;
	f.ts[s] = bpf_ktime_get_ns();
	return true;
}

static __always_inline bool is_us(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == tgid;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(follow_sys_enter, struct pt_regs *regs, long id)
{
	if (!is_us())
		return 0;
	if (id == nr_sendto)
		stage(ST_SENDTO, ST_NR);
	else if (id == nr_recvfrom)
		in_recvfrom = 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(follow_sys_exit, struct pt_regs *regs, long ret)
{
	if (!is_us() || !in_recvfrom)
		return 0;
	in_recvfrom = 0;
	if (ret > 0)
		stage(ST_RECV_EXIT, ST_SOCK_RECV);
	return 0;
}

SEC("tcx/egress")
int follow_tc_egress(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);
	struct nicsim_skb_meta meta;

	if (ctx->ifindex == tx_ifindex && ctx->len == frame_len &&
	    stage(ST_TC_EGRESS, ST_SENDTO)) {
		f.tx_skb = (__u64)skb;
		/* a locally sent skb: not a nicsim RX buffer */
		skb_err_egress = bpf_nicsim_skb_meta((struct sk_buff *)ctx,
						     &meta, sizeof(meta));
		/* egress runs in the sender's task: its namespace has the port */
		qs_err_egress = bpf_nicsim_queue_state(tx_ifindex, 0, &qs_egress,
						       sizeof(qs_egress));
	}
	return TCX_NEXT;
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(follow_net_dev_queue, struct sk_buff *skb)
{
	if ((__u64)skb == f.tx_skb)
		stage(ST_NET_DEV_QUEUE, ST_NR);
	return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(follow_start_xmit, struct sk_buff *skb, struct net_device *dev)
{
	if ((__u64)skb == f.tx_skb)
		stage(ST_START_XMIT, ST_NR);
	return 0;
}

SEC("tp_btf/nicsim_tx_post")
int BPF_PROG(follow_tx_post, struct net_device *dev, u16 queue,
	     struct sk_buff *skb, u32 desc_idx, u32 ndesc)
{
	if ((__u64)skb == f.tx_skb && stage(ST_TX_POST, ST_NR))
		f.tx_desc = desc_idx;
	return 0;
}

SEC("tp_btf/nicsim_tx_doorbell")
int BPF_PROG(follow_tx_doorbell, struct net_device *dev, u16 queue, u32 tail,
	     u32 posted)
{
	if (dev && dev->ifindex == tx_ifindex)
		stage(ST_TX_DOORBELL, ST_TX_POST);
	return 0;
}

SEC("tp_btf/nicsim_tx_dma_read")
int BPF_PROG(follow_tx_dma_read, struct net_device *dev, u16 queue,
	     u32 desc_idx, u32 len, u64 seq, u64 dma_tstamp)
{
	if (dev && dev->ifindex == tx_ifindex && f.ts[ST_TX_POST] &&
	    desc_idx == f.tx_desc && len == frame_len &&
	    stage(ST_TX_DMA_READ, ST_NR)) {
		f.seq = seq;
		f.tx_dma_tstamp = dma_tstamp;
	}
	return 0;
}

SEC("tp_btf/nicsim_wire")
int BPF_PROG(follow_wire, struct net_device *dev, struct net_device *peer,
	     u64 seq, u32 len, u64 latency_ns, int result)
{
	if (f.seq && seq == f.seq && result == NICSIM_WIRE_DELIVERED)
		stage(ST_WIRE, ST_NR);
	if (armed && len == frame_len && result == NICSIM_WIRE_DROPPED &&
	    !drops.wire_seq) {
		drops.wire_seq = seq;
		drops.wire_len = len;
		drops.wire_result = result;
	}
	return 0;
}

SEC("tp_btf/nicsim_rx_drop")
int BPF_PROG(follow_rx_drop, struct net_device *dev, u16 queue, u64 seq,
	     u32 len, int reason)
{
	if (armed && len == frame_len && !drops.rx_seq) {
		drops.rx_seq = seq;
		drops.rx_len = len;
		drops.rx_reason = reason;
		drops.rx_queue = queue;
	}
	return 0;
}

/* the same event as a raw tracepoint: its arguments as u64s */
SEC("raw_tp/nicsim_rx_drop")
int follow_rx_drop_raw(struct bpf_raw_tracepoint_args *ctx)
{
	struct net_device *dev = (struct net_device *)ctx->args[0];

	if (armed && ctx->args[3] == frame_len && !drops.raw_rx_len) {
		drops.raw_rx_len = ctx->args[3];
		drops.raw_rx_reason = ctx->args[4];
		drops.raw_rx_ifindex = BPF_CORE_READ(dev, ifindex);
	}
	return 0;
}

SEC("tp_btf/nicsim_rx_doorbell")
int BPF_PROG(follow_rx_doorbell, struct net_device *dev, u16 queue, u32 tail,
	     u32 posted)
{
	if (dev && dev->ifindex == rx_ifindex && queue == f.rx_queue &&
	    f.ts[ST_RX_SKB] && !f.rx_doorbell_ts && armed)
		f.rx_doorbell_ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/nicsim_rx_dma_write")
int BPF_PROG(follow_rx_dma_write, struct net_device *dev, u16 queue,
	     u32 desc_idx, u32 len, u64 seq, u64 dma_tstamp)
{
	if (f.seq && seq == f.seq && stage(ST_RX_DMA_WRITE, ST_NR)) {
		f.rx_queue = queue;
		f.rx_desc = desc_idx;
		f.rx_dma_tstamp = dma_tstamp;
	}
	return 0;
}

SEC("tp_btf/nicsim_irq_raise")
int BPF_PROG(follow_irq_raise, struct net_device *dev, u16 vector,
	     unsigned int irq, int cpu, int reason, u32 rx_batch, u32 tx_batch)
{
	if (!dev)
		return 0;
	if (dev->ifindex == rx_ifindex && vector == f.rx_queue && rx_batch &&
	    stage(ST_RX_IRQ_RAISE, ST_RX_DMA_WRITE))
		f.rx_irq = irq;
	if (dev->ifindex == tx_ifindex && tx_batch)
		stage(ST_TX_IRQ_RAISE, ST_WIRE);
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(follow_irq_entry, int irq, struct irqaction *action)
{
	if (f.rx_irq && irq == f.rx_irq)
		stage(ST_RX_IRQ_ENTRY, ST_RX_IRQ_RAISE);
	return 0;
}

SEC("tp_btf/nicsim_irq_handle")
int BPF_PROG(follow_irq_handle, struct net_device *dev, u16 queue,
	     unsigned int irq, u64 raise_ns)
{
	if (!dev)
		return 0;
	if (dev->ifindex == rx_ifindex && queue == f.rx_queue)
		stage(ST_RX_IRQ_HANDLE, ST_RX_IRQ_ENTRY);
	if (dev->ifindex == tx_ifindex)
		stage(ST_TX_IRQ_HANDLE, ST_TX_IRQ_RAISE);
	return 0;
}

SEC("tp_btf/nicsim_rx_desc")
int BPF_PROG(follow_rx_desc, struct net_device *dev, u16 queue, u32 desc_idx,
	     u32 len, u64 seq, u64 dma_tstamp)
{
	if (f.seq && seq == f.seq)
		stage(ST_RX_DESC, ST_NR);
	return 0;
}

SEC("xdp")
int follow_xdp(struct xdp_md *ctx)
{
	struct nicsim_xdp_meta meta = {};
	int err;

	if (!f.seq || f.ts[ST_XDP])
		return XDP_PASS;
	err = bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta));
	if (err || meta.seq != f.seq)
		return XDP_PASS;
	if (stage(ST_XDP, ST_NR)) {
		xdp_meta = meta;
		f.xdp_err = err;
		f.xdp_desc = meta.desc_idx;
		f.xdp_seq = meta.seq;
		f.xdp_dma_tstamp = meta.dma_tstamp;
	}
	return XDP_PASS;
}

SEC("tp_btf/nicsim_xdp_verdict")
int BPF_PROG(follow_xdp_verdict, struct net_device *dev, u16 queue,
	     u32 desc_idx, u64 seq, u32 act)
{
	if (f.seq && seq == f.seq && act == XDP_PASS)
		stage(ST_XDP_VERDICT, ST_NR);
	return 0;
}

SEC("tp_btf/nicsim_rx_skb")
int BPF_PROG(follow_rx_skb, struct net_device *dev, u16 queue, u32 desc_idx,
	     u64 seq, struct sk_buff *skb)
{
	/* tracepoint arguments may be NULL, as far as the verifier knows */
	if (skb && f.seq && seq == f.seq && stage(ST_RX_SKB, ST_NR)) {
		f.rx_skb = (__u64)skb;
		skb_err_tp = bpf_nicsim_skb_meta(skb, &skb_meta_tp,
						 sizeof(skb_meta_tp));
	}
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(follow_netif_receive, struct sk_buff *skb)
{
	if (f.rx_skb && (__u64)skb == f.rx_skb)
		stage(ST_NETIF_RECEIVE, ST_NR);
	return 0;
}

SEC("tcx/ingress")
int follow_tc_ingress(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);

	if (!f.rx_skb || (__u64)skb != f.rx_skb ||
	    !stage(ST_TC_INGRESS, ST_NR))
		return TCX_NEXT;
	/* the kfunc takes a TC program's context as its skb */
	skb_err_tc = bpf_nicsim_skb_meta((struct sk_buff *)ctx, &skb_meta_tc,
					 sizeof(skb_meta_tc));
	if (!push_len)
		return TCX_NEXT;
	/* a header pushed in front of the MAC header, into the headroom */
	headroom = skb->data - skb->head;
	head_before = (__u64)skb->head;
	push_err = bpf_skb_change_head(ctx, push_len, 0);
	skb = bpf_cast_to_kern_ctx(ctx);
	head_after = (__u64)skb->head;
	skb_err_pushed = bpf_nicsim_skb_meta((struct sk_buff *)ctx,
					     &skb_meta_pushed,
					     sizeof(skb_meta_pushed));
	return TCX_DROP;
}

static __always_inline bool our_socket(const struct sock *sk)
{
	return sk && sk->__sk_common.skc_num == udp_port;
}

SEC("tp_btf/sk_data_ready")
int BPF_PROG(follow_sk_data_ready, const struct sock *sk)
{
	if (our_socket(sk))
		stage(ST_SK_DATA_READY, ST_TC_INGRESS);
	return 0;
}

SEC("tp_btf/napi_poll")
int BPF_PROG(follow_napi_poll, struct napi_struct *napi, int work, int budget)
{
	struct net_device *dev = napi ? napi->dev : NULL;

	if (dev && dev->ifindex == rx_ifindex)
		stage(ST_NAPI_POLL, ST_SK_DATA_READY);
	return 0;
}

SEC("tp_btf/consume_skb")
int BPF_PROG(follow_consume_skb, struct sk_buff *skb, void *location)
{
	if (f.rx_skb && (__u64)skb == f.rx_skb)
		stage(ST_SKB_CONSUMED, ST_NR);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(follow_sock_recv, struct sock *sk, int ret, int flags)
{
	if (our_socket(sk) && ret > 0 && is_us())
		stage(ST_SOCK_RECV, ST_SKB_CONSUMED);
	return 0;
}

SEC("tp_btf/nicsim_tx_clean")
int BPF_PROG(follow_tx_clean, struct net_device *dev, u16 queue,
	     u32 desc_idx, struct nicsim_tx_desc *desc, struct sk_buff *skb,
	     u32 len)
{
	if (f.tx_skb && (__u64)skb == f.tx_skb)
		stage(ST_TX_CLEAN, ST_NR);
	return 0;
}

SEC("syscall")
int follow_queue_state(struct nicsim_follow_qs_args *args)
{
	struct nicsim_queue_state state;
	char small[8];

	args->err = bpf_nicsim_queue_state(args->ifindex, args->queue, &state,
					   sizeof(state));
	args->state = state;
	/* a buffer the verifier accepts, but not a struct nicsim_queue_state */
	args->small_err = bpf_nicsim_queue_state(args->ifindex, args->queue,
						 (void *)small, sizeof(small));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
