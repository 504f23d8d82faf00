// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim test knobs in debugfs, per port:
 *   /sys/kernel/debug/nicsim/nicsimID/portN/
 *	wire_latency_us		delay of the frames this port sends
 *	phc_drift_ppb		how far the oscillator of the port's PTP
 *				clock is off, parts per billion (signed)
 *	msix			the MSI-X table: one line per vector; writing
 *				"VECTOR mask" or "VECTOR unmask" sets its
 *				mask bit, as a bus analyser's poke would
 *	fail_wire_drop/		the cable loses a frame this port sends
 *	fail_wire_corrupt/	a bit error in a frame this port sends
 *	fail_rx_stall/		the RX DMA engine drops a received frame
 *	fail_rx_bad_len/	it writes back a length past the buffer
 *	fail_lost_irq/		an interrupt message never arrives
 *	fail_tx_dma_map/	the driver's TX DMA mapping fails
 *	fail_rx_refill/		the driver's RX buffer allocation fails
 *	txQ/completion_delay_us	the TX engine of queue Q writes its
 *				descriptors back (and interrupts) this long
 *				after it sent their frames
 * The fail_* directories are the kernel's fault_attr (probability,
 * interval, times, verbose...; see fault-injection.rst).
 */

#include <linux/debugfs.h>
#include <linux/irq.h>

#include "nicsim_hw.h"

static struct dentry *nicsim_debugfs_root;

static int nicsim_msix_show(struct seq_file *m, void *v)
{
	struct nicsim_hw_port *hw = m->private;
	unsigned int i;

	seq_puts(m, "vector irq cpu masked pending enabled raised\n");
	/* masked: by the IRQ core (1), by a test through this file (2) */
	for (i = 0; i < hw->num_queues; i++) {
		struct nicsim_vector *vec = &hw->vectors[i];
		unsigned long flags;

		raw_spin_lock_irqsave(&vec->lock, flags);
		seq_printf(m, "%u %u %d %u %u %u %llu\n", i, vec->irq, vec->cpu,
			   vec->masked | vec->test_masked << 1, vec->pending,
			   vec->enabled, vec->raised);
		raw_spin_unlock_irqrestore(&vec->lock, flags);
	}
	return 0;
}

static int nicsim_msix_open(struct inode *inode, struct file *file)
{
	return single_open(file, nicsim_msix_show, inode->i_private);
}

static ssize_t nicsim_msix_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct nicsim_hw_port *hw = file_inode(file)->i_private;
	struct nicsim_vector *vec;
	unsigned int i;
	char buf[32], op[8];
	bool mask;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u %7s", &i, op) != 2 || i >= hw->num_queues ||
	    (strcmp(op, "mask") && strcmp(op, "unmask"))) {
		pr_warn_ratelimited("nicsim: msix: want \"VECTOR mask|unmask\", VECTOR < %u\n",
				    hw->num_queues);
		return -EINVAL;
	}
	vec = &hw->vectors[i];
	mask = !strcmp(op, "mask");
	/* a bit of its own: the IRQ core's mask stays the IRQ core's */
	nicsim_hw_vector_test_mask(vec, mask);
	return count;
}

static const struct file_operations nicsim_msix_fops = {
	.owner		= THIS_MODULE,
	.open		= nicsim_msix_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
	.write		= nicsim_msix_write,
};

/* The cable's latency: at most a second, or frames pile up on it. */
#define NICSIM_WIRE_MAX_LATENCY_US	USEC_PER_SEC

static int nicsim_wire_latency_get(void *data, u64 *val)
{
	struct nicsim_hw_port *hw = data;

	*val = READ_ONCE(hw->wire_latency_us);
	return 0;
}

static int nicsim_wire_latency_set(void *data, u64 val)
{
	struct nicsim_hw_port *hw = data;

	if (val > NICSIM_WIRE_MAX_LATENCY_US) {
		pr_warn_ratelimited("nicsim: wire_latency_us: at most %lu\n",
				    NICSIM_WIRE_MAX_LATENCY_US);
		return -EINVAL;
	}
	WRITE_ONCE(hw->wire_latency_us, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(nicsim_wire_latency_fops, nicsim_wire_latency_get,
			 nicsim_wire_latency_set, "%llu\n");

/* The engine waits for late completions: a tenth of a second at most. */
#define NICSIM_TX_MAX_COMPLETION_DELAY_US	(USEC_PER_SEC / 10)

static int nicsim_completion_delay_get(void *data, u64 *val)
{
	struct nicsim_hw_queue *hwq = data;

	*val = READ_ONCE(hwq->completion_delay_us);
	return 0;
}

static int nicsim_completion_delay_set(void *data, u64 val)
{
	struct nicsim_hw_queue *hwq = data;

	if (val > NICSIM_TX_MAX_COMPLETION_DELAY_US) {
		pr_warn_ratelimited("nicsim: completion_delay_us: at most %lu\n",
				    NICSIM_TX_MAX_COMPLETION_DELAY_US);
		return -EINVAL;
	}
	WRITE_ONCE(hwq->completion_delay_us, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(nicsim_completion_delay_fops,
			 nicsim_completion_delay_get,
			 nicsim_completion_delay_set, "%llu\n");

/* A cheap crystal is off by 100 ppm; allow ten times that. */
#define NICSIM_PHC_MAX_DRIFT_PPB	1000000

static int nicsim_phc_drift_get(void *data, u64 *val)
{
	struct nicsim_hw_port *hw = data;

	*val = (s64)READ_ONCE(hw->phc_drift_ppb);
	return 0;
}

static int nicsim_phc_drift_set(void *data, u64 val)
{
	struct nicsim_hw_port *hw = data;
	s64 ppb = val;

	if (ppb < -NICSIM_PHC_MAX_DRIFT_PPB || ppb > NICSIM_PHC_MAX_DRIFT_PPB) {
		pr_warn_ratelimited("nicsim: phc_drift_ppb: -%d to %d\n",
				    NICSIM_PHC_MAX_DRIFT_PPB,
				    NICSIM_PHC_MAX_DRIFT_PPB);
		return -EINVAL;
	}
	nicsim_hw_phc_drift(hw, ppb);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(nicsim_phc_drift_fops, nicsim_phc_drift_get,
				nicsim_phc_drift_set, "%lld\n");

static void nicsim_port_debugfs_create(struct nicsim_hw_port *hw,
				       struct dentry *parent)
{
	struct nicsim_faults *f = &hw->faults;
	struct dentry *dir;
	char name[16];
	unsigned int q;

	snprintf(name, sizeof(name), "port%u", hw->index);
	hw->debugfs = debugfs_create_dir(name, parent);
	debugfs_create_file_unsafe("wire_latency_us", 0600, hw->debugfs, hw,
				   &nicsim_wire_latency_fops);
	debugfs_create_file_unsafe("phc_drift_ppb", 0600, hw->debugfs, hw,
				   &nicsim_phc_drift_fops);
	debugfs_create_file("msix", 0600, hw->debugfs, hw, &nicsim_msix_fops);
	fault_create_debugfs_attr("fail_wire_drop", hw->debugfs, &f->wire_drop);
	fault_create_debugfs_attr("fail_wire_corrupt", hw->debugfs,
				  &f->wire_corrupt);
	fault_create_debugfs_attr("fail_rx_stall", hw->debugfs, &f->rx_stall);
	fault_create_debugfs_attr("fail_rx_bad_len", hw->debugfs,
				  &f->rx_bad_len);
	fault_create_debugfs_attr("fail_lost_irq", hw->debugfs, &f->lost_irq);
	fault_create_debugfs_attr("fail_tx_dma_map", hw->debugfs,
				  &f->tx_dma_map);
	fault_create_debugfs_attr("fail_rx_refill", hw->debugfs,
				  &f->rx_refill);
	for (q = 0; q < hw->num_queues; q++) {
		snprintf(name, sizeof(name), "tx%u", q);
		dir = debugfs_create_dir(name, hw->debugfs);
		debugfs_create_file_unsafe("completion_delay_us", 0600, dir,
					   &hw->queues[q],
					   &nicsim_completion_delay_fops);
	}
}

void nicsim_dev_debugfs_create(struct nicsim_dev *ndev)
{
	unsigned int p;

	ndev->debugfs = debugfs_create_dir(dev_name(&ndev->dev),
					   nicsim_debugfs_root);
	for (p = 0; p < ndev->num_ports; p++)
		nicsim_port_debugfs_create(&ndev->hw_ports[p], ndev->debugfs);
}

void nicsim_dev_debugfs_remove(struct nicsim_dev *ndev)
{
	debugfs_remove_recursive(ndev->debugfs);
	ndev->debugfs = NULL;
}

void nicsim_debugfs_init(void)
{
	nicsim_debugfs_root = debugfs_create_dir(DRV_NAME, NULL);
}

void nicsim_debugfs_exit(void)
{
	debugfs_remove_recursive(nicsim_debugfs_root);
}
