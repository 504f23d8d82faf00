/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the BPF halves of nicsim's samples. */
#ifndef _NICSIM_COMMON_BPF_H
#define _NICSIM_COMMON_BPF_H

/* kfunc: the kernel struct behind a BPF context, e.g. a __sk_buff's sk_buff */
void *bpf_cast_to_kern_ctx(void *obj) __ksym;

static __always_inline __u32 nicsim_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffff) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return r | (v >> 1);
}

/*
 * The log2 histogram slot of a latency of @ns: slot 0 holds under 1 us,
 * slot s holds [2^(s-1), 2^s) us, the last slot everything above.
 */
static __always_inline __u32 nicsim_us_slot(__u64 ns, __u32 nslots)
{
	__u64 us = ns / 1000;
	__u32 slot = us ? nicsim_log2(us) + 1 : 0;

	return slot < nslots ? slot : nslots - 1;
}

#endif
