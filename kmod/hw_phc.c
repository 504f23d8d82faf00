// SPDX-License-Identifier: GPL-2.0
/*
 * Each port's PTP hardware clock: a nanosecond counter driven by the
 * card's oscillator, whose rate the driver trims (adjfine) and whose value
 * it reads, writes and steps. The MAC stamps frames with it: every frame
 * it receives, as it arrives, and a frame whose first TX descriptor asks,
 * as it leaves.
 *
 * The oscillator is CLOCK_MONOTONIC, the clock of the cable and of the
 * DMA time stamps, off by phc_drift_ppb (debugfs) as a real crystal is
 * off by some ppm: a frame's stamp is the counter at the instant the
 * cable model says it passed the MAC, however late the simulation gets
 * to it. The counter starts at CLOCK_REALTIME.
 */

#include <linux/math64.h>
#include <linux/timekeeping.h>

#include "nicsim_hw.h"

/* The counter at oscillator time @t; under a read of @hw->phc_lock. */
static u64 __nicsim_hw_phc_at(const struct nicsim_hw_port *hw, u64 t)
{
	s64 d = t - hw->phc_base_mono;
	s64 rate = hw->phc_rate_ppb;
	u64 adj;

	/* a stamp may be of an instant before the last rebase: d < 0 */
	adj = mul_u64_u64_div_u64(abs(d), abs(rate), NSEC_PER_SEC);
	return hw->phc_base + d + ((d < 0) != (rate < 0) ? -adj : adj);
}

/* The MAC's time stamps: the counter at @t, CLOCK_MONOTONIC ns */
u64 nicsim_hw_phc_at(struct nicsim_hw_port *hw, u64 t)
{
	unsigned int seq;
	u64 ts;

	do {
		seq = read_seqbegin(&hw->phc_lock);
		ts = __nicsim_hw_phc_at(hw, t);
	} while (read_seqretry(&hw->phc_lock, seq));
	return ts;
}

/* Register: the counter now */
u64 nicsim_hw_phc_now(struct nicsim_hw_port *hw)
{
	return nicsim_hw_phc_at(hw, ktime_get_ns());
}

/*
 * Start a new segment of the counter at the current time, with its value
 * then @base (U64_MAX: where it is) and its rate from the registers.
 */
static void nicsim_hw_phc_rebase(struct nicsim_hw_port *hw, u64 base,
				 s64 step)
{
	u64 now = ktime_get_ns();

	hw->phc_base = (base == U64_MAX ? __nicsim_hw_phc_at(hw, now) : base) +
		       step;
	hw->phc_base_mono = now;
	hw->phc_rate_ppb = (s64)hw->phc_adj_ppb + hw->phc_drift_ppb;
}

/* Register: load the counter */
void nicsim_hw_phc_write(struct nicsim_hw_port *hw, u64 ns)
{
	unsigned long flags;

	write_seqlock_irqsave(&hw->phc_lock, flags);
	nicsim_hw_phc_rebase(hw, ns, 0);
	write_sequnlock_irqrestore(&hw->phc_lock, flags);
}

/* Register: step the counter by @delta ns, atomically */
void nicsim_hw_phc_step(struct nicsim_hw_port *hw, s64 delta)
{
	unsigned long flags;

	write_seqlock_irqsave(&hw->phc_lock, flags);
	nicsim_hw_phc_rebase(hw, U64_MAX, delta);
	write_sequnlock_irqrestore(&hw->phc_lock, flags);
}

/* Set a rate register, @reg, to @ppb: the counter goes on from where it is. */
static void nicsim_hw_phc_set_rate(struct nicsim_hw_port *hw, s32 *reg,
				   s32 ppb)
{
	unsigned long flags;

	write_seqlock_irqsave(&hw->phc_lock, flags);
	*reg = ppb;
	nicsim_hw_phc_rebase(hw, U64_MAX, 0);
	write_sequnlock_irqrestore(&hw->phc_lock, flags);
}

/* Register: trim the counter's rate by @ppb parts per billion */
void nicsim_hw_phc_adjfine(struct nicsim_hw_port *hw, s32 ppb)
{
	nicsim_hw_phc_set_rate(hw, &hw->phc_adj_ppb, ppb);
}

/* debugfs: the oscillator's error, @ppb parts per billion */
void nicsim_hw_phc_drift(struct nicsim_hw_port *hw, s32 ppb)
{
	nicsim_hw_phc_set_rate(hw, &hw->phc_drift_ppb, ppb);
}

/* The counter starts at CLOCK_REALTIME: every port's at the same value. */
void nicsim_hw_phc_init(struct nicsim_hw_port *hw)
{
	seqlock_init(&hw->phc_lock);
	hw->phc_adj_ppb = 0;
	hw->phc_drift_ppb = 0;
	hw->phc_rate_ppb = 0;
	hw->phc_base_mono = ktime_get_ns();
	hw->phc_base = ktime_to_ns(ktime_mono_to_real(hw->phc_base_mono));
}
