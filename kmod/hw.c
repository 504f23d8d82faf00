// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated hardware: its registers, bus address translation, and
 * bring-up and teardown. The engines are in hw_tx.c and hw_rx.c, the cable
 * in hw_wire.c, the interrupt controller in hw_irq.c.
 *
 * The device reaches memory only through bus addresses (dma_addr_t) that
 * the driver wrote into its registers and descriptors, translated the way
 * the platform's DMA layer mapped them. It never dereferences a driver
 * pointer. Its engines run in their own workqueue, woken by doorbells,
 * asynchronously to the driver.
 */

#include <linux/dma-direct.h>
#include <linux/irqdomain.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>

#include "nicsim_hw.h"

/*
 * Translate a bus address as a device behind no IOMMU does: the DMA
 * layer's bus address back to a physical address, then to the kernel's
 * linear map (the simulation's stand-in for the memory bus). A range
 * outside RAM is a DMA error, as a master abort would be.
 */
void *nicsim_hw_dma_va(struct nicsim_dev *ndev, dma_addr_t addr, size_t len)
{
	phys_addr_t phys;

	if (!len || addr == DMA_MAPPING_ERROR || addr + len < addr)
		return NULL;
	phys = dma_to_phys(&ndev->dev, addr);
	if (!pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + len - 1)))
		return NULL;
	return phys_to_virt(phys);
}

void *nicsim_hw_desc(struct nicsim_dev *ndev, struct nicsim_hw_ring *r,
		     u32 idx, size_t desc_size)
{
	return nicsim_hw_dma_va(ndev, r->base + (dma_addr_t)idx * desc_size,
				desc_size);
}

/* Base, size and enable registers of a ring; head and tail restart at 0. */
static void nicsim_hw_ring_program(struct nicsim_hw_ring *r, dma_addr_t base,
				   u32 size)
{
	r->base = base;
	r->size = size;
	r->head = 0;
	r->tail = 0;
	r->enabled = true;
}

void nicsim_hw_txr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size)
{
	spin_lock(&hwq->tx_lock);
	nicsim_hw_ring_program(&hwq->txr, base, size);
	hwq->fifo_len = 0;
	hwq->fifo_bad = false;
	spin_unlock(&hwq->tx_lock);
}

/* Stop the TX engine; on return it no longer touches the ring. */
void nicsim_hw_txr_disable(struct nicsim_hw_queue *hwq)
{
	spin_lock(&hwq->tx_lock);
	hwq->txr.enabled = false;
	spin_unlock(&hwq->tx_lock);
	cancel_work_sync(&hwq->tx_engine);
}

void nicsim_hw_rxr_enable(struct nicsim_hw_queue *hwq, dma_addr_t base,
			  u32 size)
{
	spin_lock(&hwq->rx_lock);
	nicsim_hw_ring_program(&hwq->rxr, base, size);
	spin_unlock(&hwq->rx_lock);
}

/* Stop receiving; on return no engine writes to the ring or its buffers. */
void nicsim_hw_rxr_disable(struct nicsim_hw_queue *hwq)
{
	spin_lock(&hwq->rx_lock);
	hwq->rxr.enabled = false;
	spin_unlock(&hwq->rx_lock);
}

/* VLAN strip enable register. */
void nicsim_hw_vlan_strip(struct nicsim_hw_port *hw, bool on)
{
	WRITE_ONCE(hw->vlan_strip, on);
}

/* RSS key and indirection table registers. */
void nicsim_hw_rss_program(struct nicsim_hw_port *hw, const u8 *key,
			   const u32 *indir)
{
	unsigned int i;

	spin_lock(&hw->rss_lock);
	memcpy(hw->rss_key, key, NICSIM_RSS_KEY_SIZE);
	nicsim_hw_rss_expand(hw);
	for (i = 0; i < NICSIM_RSS_INDIR_SIZE; i++)
		hw->rss_indir[i] = indir[i];
	spin_unlock(&hw->rss_lock);
}

void nicsim_hw_tx_doorbell(struct nicsim_hw_queue *hwq, u32 tail)
{
	WRITE_ONCE(hwq->txr.tail, tail);
	queue_work(hwq->hw->ndev->wq, &hwq->tx_engine);
}

void nicsim_hw_rx_doorbell(struct nicsim_hw_queue *hwq, u32 tail)
{
	WRITE_ONCE(hwq->rxr.tail, tail);
}

/* Without CONFIG_FAULT_INJECTION a fault_attr is empty and never fails. */
static void nicsim_fault_init(struct fault_attr *attr)
{
#ifdef CONFIG_FAULT_INJECTION
	*attr = (struct fault_attr)FAULT_ATTR_INITIALIZER;
	/* the initializer's lock is for static objects: give it a class */
	ratelimit_state_init(&attr->ratelimit_state, 0,
			     DEFAULT_RATELIMIT_BURST);
#endif
}

static void nicsim_faults_init(struct nicsim_faults *faults)
{
	nicsim_fault_init(&faults->wire_drop);
	nicsim_fault_init(&faults->wire_corrupt);
	nicsim_fault_init(&faults->rx_stall);
	nicsim_fault_init(&faults->rx_bad_len);
	nicsim_fault_init(&faults->lost_irq);
	nicsim_fault_init(&faults->tx_dma_map);
	nicsim_fault_init(&faults->rx_refill);
}

static void nicsim_hw_queue_init(struct nicsim_hw_port *hw, unsigned int i)
{
	struct nicsim_hw_queue *hwq = &hw->queues[i];

	hwq->hw = hw;
	hwq->index = i;
	hwq->vec = &hw->vectors[i];
	spin_lock_init(&hwq->tx_lock);
	spin_lock_init(&hwq->rx_lock);
	INIT_WORK(&hwq->tx_engine, nicsim_hw_tx_engine);
}

int nicsim_hw_init(struct nicsim_dev *ndev)
{
	unsigned int p, q;
	int err;

	ndev->wq = alloc_workqueue("nicsim%u", WQ_UNBOUND, 0, ndev->id);
	if (!ndev->wq)
		return -ENOMEM;

	err = nicsim_hw_irq_domain_create(ndev);
	if (err)
		goto err_destroy_wq;

	for (p = 0; p < ndev->num_ports; p++) {
		struct nicsim_hw_port *hw = &ndev->hw_ports[p];

		hw->ndev = ndev;
		hw->index = p;
		hw->peer = &ndev->hw_ports[p ^ 1];
		hw->num_queues = ndev->num_queues;
		spin_lock_init(&hw->rss_lock);
		nicsim_hw_wire_init(hw);
		nicsim_faults_init(&hw->faults);
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_init(hw, q);
			nicsim_hw_queue_init(hw, q);
		}
		for (q = 0; q < hw->num_queues; q++) {
			struct nicsim_vector *vec = &hw->vectors[q];

			hw->queues[q].fifo = kvmalloc(NICSIM_TX_FIFO_SIZE,
						      GFP_KERNEL);
			if (!hw->queues[q].fifo) {
				err = -ENOMEM;
				goto err_unmap;
			}

			vec->irq = irq_create_mapping(ndev->irq_domain,
						      p * NICSIM_MAX_QUEUES + q);
			if (!vec->irq) {
				err = -ENOSPC;
				goto err_unmap;
			}
		}
	}
	return 0;

err_unmap:
	for (p = 0; p < ndev->num_ports; p++)
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_fini(ndev, &ndev->hw_ports[p].vectors[q]);
			kvfree(ndev->hw_ports[p].queues[q].fifo);
		}
	nicsim_hw_irq_domain_remove(ndev);
err_destroy_wq:
	destroy_workqueue(ndev->wq);
	return err;
}

/* Called with every ring disabled, so no engine or message is started. */
void nicsim_hw_fini(struct nicsim_dev *ndev)
{
	unsigned int p, q;

	for (p = 0; p < ndev->num_ports; p++)
		nicsim_hw_wire_fini(&ndev->hw_ports[p]);
	for (p = 0; p < ndev->num_ports; p++)
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_fini(ndev, &ndev->hw_ports[p].vectors[q]);
			kvfree(ndev->hw_ports[p].queues[q].fifo);
		}
	nicsim_hw_irq_domain_remove(ndev);
	destroy_workqueue(ndev->wq);
}
