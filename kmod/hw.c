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
#include <linux/ethtool.h>
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

/* MAC flow control registers (ethtool -A) */
void nicsim_hw_pause_set(struct nicsim_hw_port *hw, bool rx, bool tx)
{
	spin_lock(&hw->mac_lock);
	WRITE_ONCE(hw->pause_rx, rx);
	WRITE_ONCE(hw->pause_tx, tx);
	if (!rx)
		WRITE_ONCE(hw->pause_until, 0);	/* a held TX resumes */
	spin_unlock(&hw->mac_lock);
	if (!rx)
		queue_work(hw->ndev->wq, &hw->wire_work);
}

/* PCS FEC register (ethtool --set-fec) */
void nicsim_hw_fec_set(struct nicsim_hw_port *hw, u32 fec)
{
	WRITE_ONCE(hw->fec, fec);
}

/* The link runs RS-FEC when neither end has it off. */
bool nicsim_hw_fec_active(const struct nicsim_hw_port *hw)
{
	return READ_ONCE(hw->fec) != ETHTOOL_FEC_OFF &&
	       READ_ONCE(hw->peer->fec) != ETHTOOL_FEC_OFF;
}

/* RSS key and indirection table registers of a context. */
void nicsim_hw_rss_program(struct nicsim_hw_port *hw, u32 context,
			   const u8 *key, const u32 *indir)
{
	struct nicsim_hw_rss_ctx *ctx;
	unsigned int i;

	spin_lock(&hw->rss_lock);
	ctx = context < NICSIM_RSS_MAX_CTX ? hw->rss_ctx[context] : NULL;
	if (WARN_ON_ONCE(!ctx)) {
		spin_unlock(&hw->rss_lock);
		return;
	}
	if (key) {
		memcpy(ctx->key, key, NICSIM_RSS_KEY_SIZE);
		nicsim_hw_rss_expand(ctx);
	}
	if (indir)
		for (i = 0; i < NICSIM_RSS_INDIR_SIZE; i++)
			ctx->indir[i] = indir[i];
	spin_unlock(&hw->rss_lock);
}

/* Give an RSS context its tables; the driver programs them next. */
int nicsim_hw_rss_ctx_alloc(struct nicsim_hw_port *hw, u32 context)
{
	struct nicsim_hw_rss_ctx *ctx;

	if (!context || context >= NICSIM_RSS_MAX_CTX)
		return -EINVAL;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	spin_lock(&hw->rss_lock);
	if (hw->rss_ctx[context]) {
		spin_unlock(&hw->rss_lock);
		kfree(ctx);
		return -EBUSY;
	}
	hw->rss_ctx[context] = ctx;
	spin_unlock(&hw->rss_lock);
	return 0;
}

/* A rule that still names the context steers by the main one meanwhile. */
void nicsim_hw_rss_ctx_free(struct nicsim_hw_port *hw, u32 context)
{
	struct nicsim_hw_rss_ctx *ctx;

	if (!context || context >= NICSIM_RSS_MAX_CTX)
		return;
	spin_lock(&hw->rss_lock);
	ctx = hw->rss_ctx[context];
	hw->rss_ctx[context] = NULL;
	spin_unlock(&hw->rss_lock);
	kfree(ctx);
}

/* Flow steering registers: the enable bit and the rule table. */
void nicsim_hw_flow_steering(struct nicsim_hw_port *hw, bool on)
{
	spin_lock(&hw->rss_lock);
	hw->flow_steering = on;
	spin_unlock(&hw->rss_lock);
}

/* Write (or with @rule NULL, clear) the rule at @loc. */
void nicsim_hw_flow_rule_write(struct nicsim_hw_port *hw, unsigned int loc,
			       const struct nicsim_hw_flow_rule *rule)
{
	unsigned int end;

	if (WARN_ON_ONCE(loc >= NICSIM_FLOW_RULES))
		return;
	spin_lock(&hw->rss_lock);
	if (rule) {
		hw->flow_rules[loc] = *rule;
		hw->flow_rules[loc].valid = true;
	} else {
		hw->flow_rules[loc].valid = false;
	}
	for (end = NICSIM_FLOW_RULES; end; end--)
		if (hw->flow_rules[end - 1].valid)
			break;
	hw->flow_rules_end = end;
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
		hw->rss_ctx[0] = &hw->rss;
		spin_lock_init(&hw->mac_lock);
		hw->fec = ETHTOOL_FEC_OFF;
		nicsim_hw_phc_init(hw);
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
	for (p = 0; p < ndev->num_ports; p++) {
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_fini(ndev, &ndev->hw_ports[p].vectors[q]);
			kvfree(ndev->hw_ports[p].queues[q].fifo);
		}
		for (q = 1; q < NICSIM_RSS_MAX_CTX; q++)
			nicsim_hw_rss_ctx_free(&ndev->hw_ports[p], q);
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
	for (p = 0; p < ndev->num_ports; p++) {
		for (q = 0; q < NICSIM_MAX_QUEUES; q++) {
			nicsim_hw_vector_fini(ndev, &ndev->hw_ports[p].vectors[q]);
			kvfree(ndev->hw_ports[p].queues[q].fifo);
		}
		for (q = 1; q < NICSIM_RSS_MAX_CTX; q++)
			nicsim_hw_rss_ctx_free(&ndev->hw_ports[p], q);
	}
	nicsim_hw_irq_domain_remove(ndev);
	destroy_workqueue(ndev->wq);
}
