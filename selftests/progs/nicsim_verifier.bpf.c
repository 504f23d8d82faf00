// SPDX-License-Identifier: GPL-2.0
/*
 * Misuses of nicsim's kfuncs that the verifier must reject, each with the
 * message it must give (bpf_misc.h's __failure/__msg, as in the BPF
 * selftests), and a correct use of each that must load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"
#include "nicsim_kfuncs.h"

SEC("xdp")
__success
int xdp_meta_ok(struct xdp_md *ctx)
{
	struct nicsim_xdp_meta meta;

	bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta));
	return XDP_PASS;
}

SEC("xdp")
__failure __msg("R2 type=scalar expected=fp")
__msg("arg#1 arg#2 memory, len pair leads to invalid memory access")
int xdp_meta_null(struct xdp_md *ctx)
{
	bpf_nicsim_xdp_meta(ctx, NULL, sizeof(struct nicsim_xdp_meta));
	return XDP_PASS;
}

SEC("xdp")
__failure __msg("invalid indirect access to stack R2 off=-8 size=56")
int xdp_meta_short(struct xdp_md *ctx)
{
	__u64 small;

	/* claims a whole struct nicsim_xdp_meta of 8 bytes */
	bpf_nicsim_xdp_meta(ctx, (void *)&small, sizeof(struct nicsim_xdp_meta));
	return XDP_PASS;
}

SEC("tc")
__failure __msg("calling kernel function bpf_nicsim_xdp_meta is not allowed")
int xdp_meta_from_tc(struct __sk_buff *ctx)
{
	struct nicsim_xdp_meta meta;

	bpf_nicsim_xdp_meta((void *)ctx, &meta, sizeof(meta));
	return 0;
}

SEC("tp_btf/nicsim_rx_skb")
__success
int BPF_PROG(skb_meta_ok, struct net_device *dev, u16 queue, u32 desc_idx,
	     u64 seq, struct sk_buff *skb)
{
	struct nicsim_skb_meta meta;

	/* tracepoint arguments may be NULL, as far as the verifier knows */
	if (skb)
		bpf_nicsim_skb_meta(skb, &meta, sizeof(meta));
	return 0;
}

SEC("tc")
__success
int skb_meta_tc_ok(struct __sk_buff *ctx)
{
	struct nicsim_skb_meta meta;

	/* the verifier takes a TC program's context for struct sk_buff * */
	bpf_nicsim_skb_meta((struct sk_buff *)ctx, &meta, sizeof(meta));
	return 0;
}

SEC("action")
__success
int skb_meta_act_ok(struct __sk_buff *ctx)
{
	struct nicsim_skb_meta meta;

	bpf_nicsim_skb_meta((struct sk_buff *)ctx, &meta, sizeof(meta));
	return 0;
}

/* 6.12 does not trust fentry arguments: tp_btf it is */
SEC("fentry/netif_receive_skb")
__failure __msg("R1 must be referenced or trusted")
int BPF_PROG(skb_meta_fentry, struct sk_buff *skb)
{
	struct nicsim_skb_meta meta;

	bpf_nicsim_skb_meta(skb, &meta, sizeof(meta));
	return 0;
}

SEC("tp_btf/nicsim_rx_skb")
__failure __msg("R1 must be referenced or trusted")
int BPF_PROG(skb_meta_untrusted, struct net_device *dev, u16 queue,
	     u32 desc_idx, u64 seq, struct sk_buff *skb)
{
	struct nicsim_skb_meta meta;

	/* a pointer walked to from the argument is not trusted */
	if (skb && skb->next)
		bpf_nicsim_skb_meta(skb->next, &meta, sizeof(meta));
	return 0;
}

SEC("tp_btf/nicsim_rx_skb")
__failure __msg("Possibly NULL pointer passed to trusted arg1")
int BPF_PROG(skb_meta_null, struct net_device *dev, u16 queue, u32 desc_idx,
	     u64 seq, struct sk_buff *skb)
{
	if (skb)
		bpf_nicsim_skb_meta(skb, NULL, sizeof(struct nicsim_skb_meta));
	return 0;
}

SEC("xdp")
__failure __msg("calling kernel function bpf_nicsim_skb_meta is not allowed")
int skb_meta_from_xdp(struct xdp_md *ctx)
{
	struct nicsim_skb_meta meta;

	bpf_nicsim_skb_meta((void *)ctx, &meta, sizeof(meta));
	return XDP_PASS;
}

/* ifindex 1 is lo, not a nicsim port: -ENODEV */
SEC("syscall")
__success __retval(-19)
int queue_state_ok(void *ctx)
{
	struct nicsim_queue_state state;

	return bpf_nicsim_queue_state(1, 0, &state, sizeof(state));
}

/* a buffer of the wrong size is refused at run time: -EINVAL */
SEC("syscall")
__success __retval(-22)
int queue_state_bad_size(void *ctx)
{
	char small[8];

	return bpf_nicsim_queue_state(1, 0, (void *)small, sizeof(small));
}

/* bpf_nicsim_queue_state() is for every program type */
SEC("xdp")
__success
int queue_state_xdp_ok(struct xdp_md *ctx)
{
	struct nicsim_queue_state state;

	bpf_nicsim_queue_state(1, 0, &state, sizeof(state));
	return XDP_PASS;
}

SEC("tc")
__success
int queue_state_tc_ok(struct __sk_buff *ctx)
{
	struct nicsim_queue_state state;

	bpf_nicsim_queue_state(ctx->ifindex, 0, &state, sizeof(state));
	return 0;
}

SEC("tp_btf/nicsim_irq_raise")
__success
int BPF_PROG(queue_state_tracing_ok, struct net_device *dev, u16 vector)
{
	struct nicsim_queue_state state;

	bpf_nicsim_queue_state(1, vector, &state, sizeof(state));
	return 0;
}

SEC("kprobe/napi_complete_done")
__success
int queue_state_kprobe_ok(struct pt_regs *ctx)
{
	struct nicsim_queue_state state;

	bpf_nicsim_queue_state(1, 0, &state, sizeof(state));
	return 0;
}

SEC("syscall")
__failure __msg("R3 type=scalar expected=fp")
__msg("arg#2 arg#3 memory, len pair leads to invalid memory access")
int queue_state_null(void *ctx)
{
	return bpf_nicsim_queue_state(1, 0, NULL,
				      sizeof(struct nicsim_queue_state));
}

SEC("syscall")
__failure __msg("invalid indirect access to stack R3 off=-16 size=144")
int queue_state_short(void *ctx)
{
	__u64 small[2];

	return bpf_nicsim_queue_state(1, 0, (void *)small,
				      sizeof(struct nicsim_queue_state));
}

char LICENSE[] SEC("license") = "GPL";
