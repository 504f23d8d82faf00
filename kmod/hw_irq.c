// SPDX-License-Identifier: GPL-2.0
/*
 * The device's interrupt controller: one MSI-X-like vector per queue pair,
 * a Linux IRQ of the device's irq_domain. A message is delivered to the
 * CPU the vector's affinity names and runs the handler there in hard-IRQ
 * context (from an irq_work); a message sent while the vector is masked
 * is latched in its pending bit and sent on unmask. Moderation (frame
 * thresholds and a timer) decides when completions raise a message.
 *
 * kernel/irq/irq_sim.c has the irq_work idiom, but drops an interrupt
 * raised while masked and ignores affinity: a NIC's vector does neither.
 */

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/ktime.h>

#include "nicsim_hw.h"
#include "trace.h"

/* Send an interrupt message to the vector's target CPU. */
static void nicsim_vector_send(struct nicsim_vector *vec,
			       enum nicsim_irq_reason reason, u32 rx, u32 tx)
	__must_hold(&vec->lock)
{
	int cpu;

	if (vec->masked || vec->test_masked) {
		vec->pending = true;
		vec->latched_rx += rx;
		vec->latched_tx += tx;
		return;
	}

	if (unlikely(should_fail(&vec->hw->faults.lost_irq, 1))) {
		vec->lost++;	/* the message never reaches the CPU */
		return;
	}
	cpu = READ_ONCE(vec->cpu);
	vec->raised++;
	/* the message's timestamp and batch, which the driver may read */
	WRITE_ONCE(vec->raise_ns, ktime_get_ns());
	WRITE_ONCE(vec->batch_rx, rx);
	WRITE_ONCE(vec->batch_tx, tx);
	atomic_inc(&vec->in_flight);
	trace_nicsim_irq_raise(vec->hw->trace_dev, vec->index, vec->irq, cpu,
			       reason, rx, tx);
	/*
	 * A message already on its way covers this one, as a second MSI
	 * write to an already pending vector would.
	 */
	if (cpu == smp_processor_id() || !cpu_online(cpu)) {
		if (!irq_work_queue(&vec->local_msg))
			atomic_dec(&vec->in_flight);
	} else if (smp_call_function_single_async(cpu, &vec->remote_msg)) {
		atomic_dec(&vec->in_flight);
	}
}

/* Runs in hard-IRQ context on the target CPU, as a device interrupt. */
static void nicsim_vector_local_msg(struct irq_work *work)
{
	struct nicsim_vector *vec = container_of(work, struct nicsim_vector,
						 local_msg);

	generic_handle_irq(vec->irq);
	atomic_dec(&vec->in_flight);
}

/*
 * On the target CPU, but possibly from an idle or hotplug flush of the
 * call queue rather than the IPI: go through a self-IPI so that the
 * handler always runs in hard-IRQ context.
 */
static void nicsim_vector_remote_msg(void *data)
{
	struct nicsim_vector *vec = data;

	if (!irq_work_queue(&vec->local_msg))
		atomic_dec(&vec->in_flight);
}

/* Interrupt now: the vector auto-disables and its completion counts reset. */
static void nicsim_vector_fire(struct nicsim_vector *vec,
			       enum nicsim_irq_reason reason)
	__must_hold(&vec->lock)
{
	u32 rx = vec->rx_pending, tx = vec->tx_pending;

	vec->enabled = false;	/* auto-disable, as EIAM does */
	vec->rx_pending = 0;
	vec->tx_pending = 0;
	nicsim_vector_send(vec, reason, rx, tx);
}

/*
 * Interrupt moderation: with the vector enabled and completions pending,
 * interrupt once a frame threshold is met; otherwise start the timer, which
 * interrupts when it expires. A zero time means no delay.
 */
static void nicsim_vector_moderate(struct nicsim_vector *vec,
				   enum nicsim_irq_reason reason)
	__must_hold(&vec->lock)
{
	u32 usecs = U32_MAX;

	if (!vec->enabled || (!vec->rx_pending && !vec->tx_pending))
		return;
	if ((vec->rx_pending && vec->rx_pending >= vec->rx_frames) ||
	    (vec->tx_pending && vec->tx_pending >= vec->tx_frames)) {
		nicsim_vector_fire(vec, reason);
		return;
	}
	if (vec->rx_pending)
		usecs = vec->rx_usecs;
	if (vec->tx_pending)
		usecs = min(usecs, vec->tx_usecs);
	if (!usecs) {
		nicsim_vector_fire(vec, reason);
	} else if (!vec->timer_armed) {
		vec->timer_armed = true;
		hrtimer_start(&vec->mod_timer, ns_to_ktime(usecs * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
	}
}

static enum hrtimer_restart nicsim_vector_timer(struct hrtimer *timer)
{
	struct nicsim_vector *vec = container_of(timer, struct nicsim_vector,
						 mod_timer);
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->timer_armed = false;
	if (vec->enabled && (vec->rx_pending || vec->tx_pending))
		nicsim_vector_fire(vec, NICSIM_IRQ_TIMER);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
	return HRTIMER_NORESTART;
}

/* @rx RX and @tx TX completions for the vector: moderate, or latch them. */
void nicsim_hw_vector_event(struct nicsim_vector *vec, u32 rx, u32 tx)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->events += rx + tx;
	vec->rx_pending += rx;
	vec->tx_pending += tx;
	nicsim_vector_moderate(vec, NICSIM_IRQ_FRAMES);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/* Interrupt enable register: latched completions are moderated at once. */
void nicsim_hw_irq_enable(struct nicsim_vector *vec)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->enabled = true;
	nicsim_vector_moderate(vec, NICSIM_IRQ_ENABLE);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

void nicsim_hw_irq_disable(struct nicsim_vector *vec)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->enabled = false;
	vec->rx_pending = 0;
	vec->tx_pending = 0;
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/* Moderation registers; frame thresholds of 0 count as 1. */
void nicsim_hw_irq_moderation(struct nicsim_vector *vec, u32 rx_usecs,
			      u32 rx_frames, u32 tx_usecs, u32 tx_frames)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	vec->rx_usecs = rx_usecs;
	vec->rx_frames = max(rx_frames, 1U);
	vec->tx_usecs = tx_usecs;
	vec->tx_frames = max(tx_frames, 1U);
	nicsim_vector_moderate(vec, NICSIM_IRQ_FRAMES);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/*
 * The MSI-X Vector Control mask bit: a message the vector sends while
 * masked sets its Pending Bit instead, and goes out when it is unmasked.
 */
static void nicsim_hw_vector_set_mask(struct nicsim_vector *vec, bool *bit,
				      bool mask)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	*bit = mask;
	if (!vec->masked && !vec->test_masked && vec->pending) {
		vec->pending = false;
		nicsim_vector_send(vec, NICSIM_IRQ_UNMASK, vec->latched_rx,
				   vec->latched_tx);
		vec->latched_rx = 0;
		vec->latched_tx = 0;
	}
	raw_spin_unlock_irqrestore(&vec->lock, flags);
}

/* The IRQ core's mask bit (irq_chip). */
void nicsim_hw_vector_mask(struct nicsim_vector *vec, bool mask)
{
	nicsim_hw_vector_set_mask(vec, &vec->masked, mask);
}

/*
 * A second mask bit for tests (debugfs msix): a message goes out only
 * when neither masks it, so a test's unmask never undoes the IRQ core's.
 */
void nicsim_hw_vector_test_mask(struct nicsim_vector *vec, bool mask)
{
	nicsim_hw_vector_set_mask(vec, &vec->test_masked, mask);
}

static void nicsim_irq_mask(struct irq_data *d)
{
	nicsim_hw_vector_mask(irq_data_get_irq_chip_data(d), true);
}

static void nicsim_irq_unmask(struct irq_data *d)
{
	nicsim_hw_vector_mask(irq_data_get_irq_chip_data(d), false);
}

/* A message is not acknowledged at the device, as with MSI. */
static void nicsim_irq_ack(struct irq_data *d)
{
}

static int nicsim_irq_retrigger(struct irq_data *d)
{
	struct nicsim_vector *vec = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&vec->lock, flags);
	nicsim_vector_send(vec, NICSIM_IRQ_RETRIGGER, 0, 0);
	raw_spin_unlock_irqrestore(&vec->lock, flags);
	return 1;
}

static int nicsim_irq_set_affinity(struct irq_data *d,
				   const struct cpumask *mask, bool force)
{
	struct nicsim_vector *vec = irq_data_get_irq_chip_data(d);
	unsigned int cpu;

	cpu = cpumask_first_and(mask, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	WRITE_ONCE(vec->cpu, cpu);
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	return IRQ_SET_MASK_OK_DONE;
}

static struct irq_chip nicsim_irq_chip = {
	.name			= DRV_NAME,
	.irq_ack		= nicsim_irq_ack,
	.irq_mask		= nicsim_irq_mask,
	.irq_unmask		= nicsim_irq_unmask,
	.irq_retrigger		= nicsim_irq_retrigger,
	.irq_set_affinity	= nicsim_irq_set_affinity,
};

static int nicsim_irq_domain_map(struct irq_domain *domain, unsigned int irq,
				 irq_hw_number_t hwirq)
{
	struct nicsim_dev *ndev = domain->host_data;
	struct nicsim_hw_port *hw;

	hw = &ndev->hw_ports[hwirq / NICSIM_MAX_QUEUES];
	irq_set_chip_data(irq, &hw->vectors[hwirq % NICSIM_MAX_QUEUES]);
	/*
	 * The edge flow, as MSI controllers have: a message that comes while
	 * the handler runs on another CPU (the affinity just moved) is kept
	 * pending and handled, where handle_simple_irq() would drop it.
	 */
	irq_set_chip_and_handler(irq, &nicsim_irq_chip, handle_edge_irq);
	irq_set_noprobe(irq);
	/* the target is a variable: retarget at once, not at the next IRQ */
	irq_set_status_flags(irq, IRQ_MOVE_PCNTXT);
	return 0;
}

static void nicsim_irq_domain_unmap(struct irq_domain *domain,
				    unsigned int irq)
{
	irq_set_chip_and_handler(irq, NULL, NULL);
	irq_set_chip_data(irq, NULL);
}

static const struct irq_domain_ops nicsim_irq_domain_ops = {
	.map	= nicsim_irq_domain_map,
	.unmap	= nicsim_irq_domain_unmap,
};

/* The device's irq_domain: hwirq = port * NICSIM_MAX_QUEUES + queue. */
int nicsim_hw_irq_domain_create(struct nicsim_dev *ndev)
{
	ndev->irq_fwnode = irq_domain_alloc_named_id_fwnode(DRV_NAME, ndev->id);
	if (!ndev->irq_fwnode)
		return -ENOMEM;
	ndev->irq_domain = irq_domain_create_linear(ndev->irq_fwnode,
						    ndev->num_ports *
						    NICSIM_MAX_QUEUES,
						    &nicsim_irq_domain_ops,
						    ndev);
	if (!ndev->irq_domain) {
		irq_domain_free_fwnode(ndev->irq_fwnode);
		return -ENOMEM;
	}
	return 0;
}

void nicsim_hw_irq_domain_remove(struct nicsim_dev *ndev)
{
	irq_domain_remove(ndev->irq_domain);
	irq_domain_free_fwnode(ndev->irq_fwnode);
}

void nicsim_hw_vector_init(struct nicsim_hw_port *hw, unsigned int i)
{
	struct nicsim_vector *vec = &hw->vectors[i];

	vec->hw = hw;
	vec->index = i;
	vec->cpu = cpumask_local_spread(i, NUMA_NO_NODE);
	vec->masked = true;
	vec->rx_frames = 1;
	vec->tx_frames = 1;
	raw_spin_lock_init(&vec->lock);
	hrtimer_init(&vec->mod_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	vec->mod_timer.function = nicsim_vector_timer;
	vec->local_msg = IRQ_WORK_INIT_HARD(nicsim_vector_local_msg);
	INIT_CSD(&vec->remote_msg, nicsim_vector_remote_msg, vec);
	atomic_set(&vec->in_flight, 0);
}

/* Wait until no interrupt message of @vec is in flight, then unmap it. */
void nicsim_hw_vector_fini(struct nicsim_dev *ndev, struct nicsim_vector *vec)
{
	if (!vec->irq)		/* never mapped, so its timer never ran */
		return;
	hrtimer_cancel(&vec->mod_timer);
	while (atomic_read(&vec->in_flight))
		cpu_relax();
	irq_work_sync(&vec->local_msg);
	irq_dispose_mapping(vec->irq);
	vec->irq = 0;
}
