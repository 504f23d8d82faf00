// SPDX-License-Identifier: GPL-2.0
/*
 * The nicsim bus: /sys/bus/nicsim/new_device plugs in a simulated card,
 * del_device pulls it out. Plugging in creates the device (its hardware:
 * queues, interrupt controller, cable); the nicsim driver then binds to it
 * and creates one netdev per port, as a PCI driver would.
 */

#include <linux/dma-mapping.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "nicsim_hw.h"
#include "nicsim.h"

static LIST_HEAD(nicsim_bus_devs);
static DEFINE_MUTEX(nicsim_bus_lock);	/* protects the two below */
static bool nicsim_bus_going;		/* module exit: no new devices */

static const struct bus_type nicsim_bus;

static void nicsim_dev_release(struct device *dev)
{
	kvfree(to_nicsim_dev(dev));
}

static const struct device_type nicsim_dev_type = {
	.name = DRV_NAME,
	.release = nicsim_dev_release,
};

static struct nicsim_dev *nicsim_dev_find(unsigned int id)
{
	struct nicsim_dev *ndev;

	list_for_each_entry(ndev, &nicsim_bus_devs, list)
		if (ndev->id == id)
			return ndev;
	return NULL;
}

/* Plug in a card: its hardware first, then device_add() lets it bind. */
static int nicsim_dev_add(unsigned int id, unsigned int num_ports,
			  unsigned int num_queues)
{
	struct nicsim_dev *ndev;
	int err;

	/* a port holds every queue's registers and vectors: large */
	ndev = kvzalloc(struct_size(ndev, hw_ports, num_ports), GFP_KERNEL);
	if (!ndev)
		return -ENOMEM;
	ndev->num_ports = num_ports;
	ndev->num_queues = num_queues;
	ndev->id = id;
	atomic64_set(&ndev->frame_seq, 0);

	device_initialize(&ndev->dev);
	ndev->dev.bus = &nicsim_bus;
	ndev->dev.type = &nicsim_dev_type;
	ndev->dev.id = id;
	ndev->dev.dma_mask = &ndev->dma_mask;
	err = dev_set_name(&ndev->dev, DRV_NAME "%u", id);
	if (err)
		goto err_put;
	err = dma_set_mask_and_coherent(&ndev->dev, DMA_BIT_MASK(64));
	if (err)
		goto err_put;

	err = nicsim_hw_init(ndev);
	if (err)
		goto err_put;
	nicsim_dev_debugfs_create(ndev);

	err = device_add(&ndev->dev);
	if (err)
		goto err_hw_fini;
	if (!ndev->dev.driver) {
		/* probe failed and said why; report its error */
		err = ndev->probe_err ? ndev->probe_err : -ENODEV;
		goto err_del;
	}
	list_add_tail(&ndev->list, &nicsim_bus_devs);
	return 0;

err_del:
	device_del(&ndev->dev);
err_hw_fini:
	nicsim_dev_debugfs_remove(ndev);
	nicsim_hw_fini(ndev);
err_put:
	put_device(&ndev->dev);
	return err;
}

/* Pull a card out: the driver unbinds, then the hardware goes. */
static void nicsim_dev_del(struct nicsim_dev *ndev)
{
	list_del(&ndev->list);
	device_del(&ndev->dev);
	nicsim_dev_debugfs_remove(ndev);
	nicsim_hw_fini(ndev);
	put_device(&ndev->dev);
}

/*
 * Parse up to @max unsigned decimal numbers separated by blanks. Returns
 * how many were found, or -EINVAL for anything else (overflow included).
 */
static int nicsim_parse_uints(const char *buf, unsigned int *vals, int max)
{
	char *copy, *cur, *tok;
	int n = 0;

	copy = kstrdup(buf, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = copy;
	while ((tok = strsep(&cur, " \t\n"))) {
		if (!*tok)
			continue;
		if (n == max || kstrtouint(tok, 10, &vals[n])) {
			n = -EINVAL;
			break;
		}
		n++;
	}
	kfree(copy);
	return n;
}

static ssize_t new_device_store(const struct bus_type *bus, const char *buf,
				size_t count)
{
	unsigned int vals[3] = { 0, NICSIM_DEFAULT_PORTS, NICSIM_DEFAULT_QUEUES };
	unsigned int id, num_ports, num_queues;
	int n, err;

	n = nicsim_parse_uints(buf, vals, ARRAY_SIZE(vals));
	if (n == -ENOMEM)
		return n;
	id = vals[0];
	num_ports = vals[1];
	num_queues = vals[2];
	if (n < 1 || id > INT_MAX) {
		pr_err("nicsim: new_device: expected \"ID [PORTS [QUEUES]]\"\n");
		return -EINVAL;
	}
	if (num_queues < 1 || num_queues > NICSIM_MAX_QUEUES) {
		pr_err("nicsim: new_device: QUEUES must be 1..%u\n",
		       NICSIM_MAX_QUEUES);
		return -EINVAL;
	}
	if (num_ports < 2 || num_ports > NICSIM_MAX_PORTS || num_ports % 2) {
		pr_err("nicsim: new_device: PORTS must be even, 2..%u (ports are cabled in pairs)\n",
		       NICSIM_MAX_PORTS);
		return -EINVAL;
	}

	mutex_lock(&nicsim_bus_lock);
	if (nicsim_bus_going) {
		err = -ENODEV;
	} else if (nicsim_dev_find(id)) {
		pr_err("nicsim: new_device: device %u already exists\n", id);
		err = -EEXIST;
	} else {
		err = nicsim_dev_add(id, num_ports, num_queues);
		if (err)
			pr_err("nicsim: new_device: creating device %u failed: %d\n",
			       id, err);
	}
	mutex_unlock(&nicsim_bus_lock);
	return err ? err : count;
}
static BUS_ATTR_WO(new_device);

static ssize_t del_device_store(const struct bus_type *bus, const char *buf,
				size_t count)
{
	struct nicsim_dev *ndev;
	unsigned int id;
	int err = 0;

	err = nicsim_parse_uints(buf, &id, 1);
	if (err == -ENOMEM)
		return err;
	if (err != 1) {
		pr_err("nicsim: del_device: expected \"ID\"\n");
		return -EINVAL;
	}
	err = 0;

	mutex_lock(&nicsim_bus_lock);
	ndev = nicsim_dev_find(id);
	if (ndev) {
		nicsim_dev_del(ndev);
	} else {
		pr_err("nicsim: del_device: no device %u\n", id);
		err = -ENOENT;
	}
	mutex_unlock(&nicsim_bus_lock);
	return err ? err : count;
}
static BUS_ATTR_WO(del_device);

static struct attribute *nicsim_bus_attrs[] = {
	&bus_attr_new_device.attr,
	&bus_attr_del_device.attr,
	NULL
};
ATTRIBUTE_GROUPS(nicsim_bus);

static int nicsim_bus_probe(struct device *dev)
{
	struct nicsim_dev *ndev = to_nicsim_dev(dev);

	ndev->probe_err = nicsim_ports_create(ndev);
	return ndev->probe_err;
}

static void nicsim_bus_remove(struct device *dev)
{
	nicsim_ports_destroy(to_nicsim_dev(dev));
}

static const struct bus_type nicsim_bus = {
	.name		= DRV_NAME,
	.dev_name	= DRV_NAME,
	.bus_groups	= nicsim_bus_groups,
	.probe		= nicsim_bus_probe,
	.remove		= nicsim_bus_remove,
};

static struct device_driver nicsim_driver = {
	.name		= DRV_NAME,
	.bus		= &nicsim_bus,
	.owner		= THIS_MODULE,
};

static int __init nicsim_module_init(void)
{
	int err;

	/* kfuncs go with the module's BTF: nothing to undo on failure */
	err = nicsim_kfuncs_init();
	if (err)
		return err;
	nicsim_debugfs_init();
	err = bus_register(&nicsim_bus);
	if (err)
		goto err_debugfs;
	err = driver_register(&nicsim_driver);
	if (err)
		goto err_bus_unregister;
	return 0;

err_bus_unregister:
	bus_unregister(&nicsim_bus);
err_debugfs:
	nicsim_debugfs_exit();
	return err;
}

static void __exit nicsim_module_exit(void)
{
	struct nicsim_dev *ndev, *tmp;

	mutex_lock(&nicsim_bus_lock);
	nicsim_bus_going = true;
	list_for_each_entry_safe(ndev, tmp, &nicsim_bus_devs, list)
		nicsim_dev_del(ndev);
	mutex_unlock(&nicsim_bus_lock);
	driver_unregister(&nicsim_driver);
	bus_unregister(&nicsim_bus);
	nicsim_debugfs_exit();
}

module_init(nicsim_module_init);
module_exit(nicsim_module_exit);
MODULE_DESCRIPTION("Simulated NIC with a hardware-faithful data path, for BPF observability");
MODULE_LICENSE("GPL");
