// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim's PTP hardware clocks and hardware time stamps: a ptp_clock per
 * port over the device's clock registers (hw_phc.c), and the
 * SIOCSHWTSTAMP configuration that the data path follows. TX: an skb that
 * asks (SKBTX_HW_TSTAMP) gets the time its frame left the MAC, from the
 * descriptor, through its socket's error queue. RX: the device stamps
 * every frame, so the only filters are none and all.
 */

#include <linux/net_tstamp.h>
#include <linux/ptp_clock_kernel.h>

#include "nicsim.h"

/* Enough for ptp4l: a crystal is off by tens of ppm, not 10%. */
#define NICSIM_PHC_MAX_ADJ	100000000

static struct nicsim_port *nicsim_ptp_port(struct ptp_clock_info *info)
{
	return container_of(info, struct nicsim_port, ptp_info);
}

static int nicsim_ptp_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	nicsim_hw_phc_adjfine(nicsim_ptp_port(info)->hw,
			      scaled_ppm_to_ppb(scaled_ppm));
	return 0;
}

static int nicsim_ptp_adjtime(struct ptp_clock_info *info, s64 delta)
{
	nicsim_hw_phc_step(nicsim_ptp_port(info)->hw, delta);
	return 0;
}

static int nicsim_ptp_gettimex64(struct ptp_clock_info *info,
				 struct timespec64 *ts,
				 struct ptp_system_timestamp *sts)
{
	struct nicsim_hw_port *hw = nicsim_ptp_port(info)->hw;
	u64 ns;

	ptp_read_system_prets(sts);
	ns = nicsim_hw_phc_now(hw);
	ptp_read_system_postts(sts);
	*ts = ns_to_timespec64(ns);
	return 0;
}

static int nicsim_ptp_settime64(struct ptp_clock_info *info,
				const struct timespec64 *ts)
{
	nicsim_hw_phc_write(nicsim_ptp_port(info)->hw, timespec64_to_ns(ts));
	return 0;
}

/* No pins, alarms or PPS output: the card has no connector for them. */
static int nicsim_ptp_enable(struct ptp_clock_info *info,
			     struct ptp_clock_request *rq, int on)
{
	return -EOPNOTSUPP;
}

/*
 * Register the port's clock. Without PTP support in the kernel there is
 * none (ptp_clock_register() gives NULL) and no hardware time stamps.
 */
int nicsim_ptp_init(struct nicsim_port *port)
{
	struct ptp_clock_info *info = &port->ptp_info;
	struct ptp_clock *ptp;

	*info = (struct ptp_clock_info) {
		.owner		= THIS_MODULE,
		.max_adj	= NICSIM_PHC_MAX_ADJ,
		.adjfine	= nicsim_ptp_adjfine,
		.adjtime	= nicsim_ptp_adjtime,
		.gettimex64	= nicsim_ptp_gettimex64,
		.settime64	= nicsim_ptp_settime64,
		.enable		= nicsim_ptp_enable,
	};
	snprintf(info->name, sizeof(info->name), "%s port %u",
		 dev_name(&port->ndev->dev), port->hw->index);
	ptp = ptp_clock_register(info, &port->ndev->dev);
	if (IS_ERR(ptp))
		return PTR_ERR(ptp);
	port->ptp = ptp;
	return 0;
}

void nicsim_ptp_fini(struct nicsim_port *port)
{
	if (port->ptp)
		ptp_clock_unregister(port->ptp);
	port->ptp = NULL;
}

int nicsim_hwtstamp_get(struct net_device *dev,
			struct kernel_hwtstamp_config *config)
{
	struct nicsim_port *port = netdev_priv(dev);

	config->flags = 0;
	config->tx_type = port->tstamp_tx ? HWTSTAMP_TX_ON : HWTSTAMP_TX_OFF;
	config->rx_filter = port->tstamp_rx ? HWTSTAMP_FILTER_ALL :
					      HWTSTAMP_FILTER_NONE;
	return 0;
}

/*
 * SIOCSHWTSTAMP: TX stamps on or off; any RX filter but none stamps all
 * frames (the device cannot tell PTP frames from others), and says so.
 */
int nicsim_hwtstamp_set(struct net_device *dev,
			struct kernel_hwtstamp_config *config,
			struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (!port->ptp) {
		NL_SET_ERR_MSG_MOD(extack, "no PTP clock: the kernel has no PTP support");
		return -EOPNOTSUPP;
	}
	if (config->tx_type != HWTSTAMP_TX_OFF &&
	    config->tx_type != HWTSTAMP_TX_ON) {
		NL_SET_ERR_MSG_MOD(extack, "TX time stamps are off or on, not one-step");
		return -ERANGE;
	}
	if (config->rx_filter != HWTSTAMP_FILTER_NONE)
		config->rx_filter = HWTSTAMP_FILTER_ALL;
	WRITE_ONCE(port->tstamp_tx, config->tx_type == HWTSTAMP_TX_ON);
	WRITE_ONCE(port->tstamp_rx, config->rx_filter == HWTSTAMP_FILTER_ALL);
	return 0;
}

int nicsim_get_ts_info(struct net_device *dev,
		       struct kernel_ethtool_ts_info *info)
{
	struct nicsim_port *port = netdev_priv(dev);

	/* the core adds software RX stamps; TX ones are skb_tx_timestamp()'s */
	info->so_timestamping = SOF_TIMESTAMPING_TX_SOFTWARE;
	if (!port->ptp)
		return 0;
	info->so_timestamping |= SOF_TIMESTAMPING_TX_HARDWARE |
				 SOF_TIMESTAMPING_RX_HARDWARE |
				 SOF_TIMESTAMPING_RAW_HARDWARE;
	info->phc_index = ptp_clock_index(port->ptp);
	info->tx_types = BIT(HWTSTAMP_TX_OFF) | BIT(HWTSTAMP_TX_ON);
	info->rx_filters = BIT(HWTSTAMP_FILTER_NONE) | BIT(HWTSTAMP_FILTER_ALL);
	return 0;
}
