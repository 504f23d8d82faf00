// SPDX-License-Identifier: GPL-2.0
/*
 * RSS on nicsim: with a known key and an even indirection table set by
 * ethtool, IPv4/IPv6 TCP/UDP frames land on the queue that a Toeplitz
 * reference computed here predicts, and the XDP RX metadata kfuncs return
 * the same hash with the right type (4-tuple for TCP/UDP, 2-tuple for
 * other IP), and the DMA time as the RX timestamp.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "nicsim_kfuncs.h"
#include "nicsim_rss.h"
#include "nicsim_test.h"
#include "nicsim_rss.skel.h"

#define QUEUES		4
#define INDIR_SIZE	128

/* The key of Microsoft's RSS verification suite. */
static const unsigned char rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* XDP RSS types, from enum xdp_rss_hash_type */
#define XDP_RSS_L3_IPV4		BIT(0)
#define XDP_RSS_L3_IPV6		BIT(1)
#define XDP_RSS_L4		BIT(3)
#define XDP_RSS_L4_TCP		BIT(4)
#define XDP_RSS_L4_UDP		BIT(5)

static unsigned int toeplitz(const unsigned char *data, int len)
{
	unsigned int hash = 0;
	int i, b;

	for (i = 0; i < len; i++)
		for (b = 0; b < 8; b++)
			if (data[i] & (0x80 >> b)) {
				int bit = i * 8 + b;	/* key bits bit..bit+31 */
				unsigned int v = 0;
				int k;

				for (k = 0; k < 32; k++)
					v = v << 1 | ((rss_key[(bit + k) / 8] >>
						       (7 - (bit + k) % 8)) & 1);
				hash ^= v;
			}
	return hash;
}

struct flow {
	int family;		/* AF_INET or AF_INET6 */
	int proto;		/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP */
	const char *src, *dst;
	unsigned short sport, dport;
	unsigned int verify_hash;	/* Microsoft's value, 0 if none */
};

static const struct flow flows[] = {
	/* from the verification suite: 4-tuple hashes */
	{ AF_INET, IPPROTO_TCP, "66.9.149.187", "161.142.100.80", 2794, 1766, 0x51ccc178 },
	{ AF_INET, IPPROTO_TCP, "199.92.111.2", "65.69.140.83", 14230, 4739, 0xc626b0ea },
	{ AF_INET, IPPROTO_UDP, "24.19.198.95", "12.22.207.184", 12898, 38024, 0 },
	{ AF_INET, IPPROTO_UDP, "38.27.205.30", "209.142.163.6", 48228, 2217, 0 },
	{ AF_INET, IPPROTO_ICMP, "153.39.163.191", "202.188.127.2", 0, 0, 0 },
	{ AF_INET6, IPPROTO_TCP, "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1",
	  2794, 1766, 0x40207d3d },
	{ AF_INET6, IPPROTO_UDP, "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0 },
	{ AF_INET6, IPPROTO_ICMPV6, "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
	  "fe80::200:f8ff:fe21:67cf", 0, 0, 0 },
};

/* The hash input and the XDP RSS type the device should report. */
static int hash_input(const struct flow *f, unsigned char *in, int *xdp_type)
{
	int alen = f->family == AF_INET ? 4 : 16, n = 2 * alen;

	inet_pton(f->family, f->src, in);
	inet_pton(f->family, f->dst, in + alen);
	*xdp_type = f->family == AF_INET ? XDP_RSS_L3_IPV4 : XDP_RSS_L3_IPV6;
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		in[n++] = f->sport >> 8;
		in[n++] = f->sport & 0xff;
		in[n++] = f->dport >> 8;
		in[n++] = f->dport & 0xff;
		*xdp_type |= XDP_RSS_L4 | (f->proto == IPPROTO_TCP ?
					  XDP_RSS_L4_TCP : XDP_RSS_L4_UDP);
	}
	return n;
}

/* An Ethernet frame carrying @f's headers (checksums are not checked). */
static int build_frame(const struct flow *f, const unsigned char *dst_mac,
		       unsigned char *frame)
{
	int off = 14, l4len = f->proto == IPPROTO_TCP ? 20 : 8;

	memset(frame, 0, 128);
	memcpy(frame, dst_mac, 6);
	frame[6] = 0x02;	/* locally administered source */
	if (f->family == AF_INET) {
		frame[12] = 0x08;
		frame[14] = 0x45;
		frame[17] = 20 + l4len;
		frame[22] = 64;
		frame[23] = f->proto;
		inet_pton(AF_INET, f->src, frame + 26);
		inet_pton(AF_INET, f->dst, frame + 30);
		off += 20;
	} else {
		frame[12] = 0x86;
		frame[13] = 0xdd;
		frame[14] = 0x60;
		frame[19] = l4len;
		frame[20] = f->proto;
		frame[21] = 64;
		inet_pton(AF_INET6, f->src, frame + 22);
		inet_pton(AF_INET6, f->dst, frame + 38);
		off += 40;
	}
	frame[off] = f->sport >> 8;
	frame[off + 1] = f->sport & 0xff;
	frame[off + 2] = f->dport >> 8;
	frame[off + 3] = f->dport & 0xff;
	return off + l4len < 60 ? 60 : off + l4len;
}

FIXTURE(rss) {
	unsigned int id;
	char tx_if[IFNAMSIZ], rx_if[IFNAMSIZ];
	struct nicsim_rss *skel;
};

FIXTURE_SETUP(rss)
{
	if (nicsim_load_module() > 0)
		SKIP(return, NICSIM_NO_MODULE);
	char cmd[512], key[200] = "";
	int i, ifindex;

	srand(time(NULL) ^ getpid());
	self->id = 2000000 + rand() % 1000000;
	ASSERT_EQ(0, nicsim_create_pair(self->id, QUEUES, self->tx_if,
					self->rx_if));
	for (i = 0; i < 40; i++)
		sprintf(key + strlen(key), "%s%02x", i ? ":" : "", rss_key[i]);
	snprintf(cmd, sizeof(cmd), "ethtool -X %s hkey %s equal %d",
		 self->rx_if, key, QUEUES);
	ASSERT_EQ(0, nicsim_run(cmd));

	ifindex = if_nametoindex(self->rx_if);
	self->skel = nicsim_rss__open();
	ASSERT_NE(NULL, self->skel);
	bpf_program__set_ifindex(self->skel->progs.nicsim_rss_probe, ifindex);
	bpf_program__set_flags(self->skel->progs.nicsim_rss_probe,
			       BPF_F_XDP_DEV_BOUND_ONLY);
	ASSERT_EQ(0, nicsim_rss__load(self->skel));
	ASSERT_EQ(0, bpf_xdp_attach(ifindex,
				    bpf_program__fd(self->skel->progs.nicsim_rss_probe),
				    XDP_FLAGS_DRV_MODE, NULL));
}

FIXTURE_TEARDOWN(rss)
{
	if (self->skel)
		nicsim_rss__destroy(self->skel);
	nicsim_delete(self->id);
}

TEST(toeplitz_reference_matches_published_values)
{
	unsigned char in[36];
	unsigned int i;
	int type;

	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		if (!flows[i].verify_hash)
			continue;
		EXPECT_EQ(flows[i].verify_hash,
			  toeplitz(in, hash_input(&flows[i], in, &type)));
	}
}

TEST_F(rss, queue_and_hash_follow_toeplitz)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned int i, n = ARRAY_SIZE(flows);
	unsigned char frame[128], in[36];
	struct ifreq ifr = {};
	int fd, len;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	ASSERT_LE(0, fd);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", self->rx_if);
	ASSERT_EQ(0, ioctl(fd, SIOCGIFHWADDR, &ifr));
	sll.sll_ifindex = if_nametoindex(self->tx_if);
	sll.sll_halen = ETH_ALEN;

	for (i = 0; i < n; i++) {
		const struct rss_record *r = &self->skel->bss->records[i];
		unsigned int expect, tries;
		int xdp_type;

		len = build_frame(&flows[i], (unsigned char *)ifr.ifr_hwaddr.sa_data,
				  frame);
		ASSERT_EQ(len, sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
				      sizeof(sll)));
		for (tries = 0; tries < 500 &&
		     __atomic_load_n(&self->skel->bss->nr_done,
				     __ATOMIC_ACQUIRE) <= i; tries++)
			usleep(10000);
		ASSERT_LT(i, self->skel->bss->nr_done);

		expect = toeplitz(in, hash_input(&flows[i], in, &xdp_type));
		TH_LOG("flow %u %s: hash %08x (expected %08x) type %#x (%#x) queue %u (%u)",
		       i, flows[i].src, r->hash, expect, r->rss_type, xdp_type,
		       r->queue, expect % INDIR_SIZE % QUEUES);
		EXPECT_EQ(0, r->meta_err);
		EXPECT_EQ(0, r->hash_err);
		EXPECT_EQ(expect, r->hash);
		EXPECT_EQ(xdp_type, r->rss_type);
		/* "equal QUEUES": entry j of the table is queue j % QUEUES */
		EXPECT_EQ(expect % INDIR_SIZE % QUEUES, r->queue);
		EXPECT_EQ(-ENODATA, r->ts_err);
	}
	close(fd);
}

/* Insert an 802.1Q tag into @frame of @len bytes; returns the new length. */
static int add_vlan_tag(unsigned char *frame, int len, unsigned short tci)
{
	memmove(frame + 16, frame + 12, len - 12);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = tci >> 8;
	frame[15] = tci & 0xff;
	return len + 4;
}

/* rxvlan on: the tag arrives as metadata; off: no tag metadata. */
TEST_F(rss, vlan_tag_metadata)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	const struct flow *f = &flows[2];	/* IPv4 UDP */
	unsigned char frame[128], in[36];
	struct ifreq ifr = {};
	int fd, len, pass, type;
	char cmd[128];

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	ASSERT_LE(0, fd);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", self->rx_if);
	ASSERT_EQ(0, ioctl(fd, SIOCGIFHWADDR, &ifr));
	sll.sll_ifindex = if_nametoindex(self->tx_if);
	sll.sll_halen = ETH_ALEN;

	for (pass = 0; pass < 2; pass++) {
		const struct rss_record *r = &self->skel->bss->records[pass];
		unsigned int tries;

		if (pass == 1) {
			snprintf(cmd, sizeof(cmd), "ethtool -K %s rxvlan off",
				 self->rx_if);
			ASSERT_EQ(0, nicsim_run(cmd));
		}
		len = build_frame(f, (unsigned char *)ifr.ifr_hwaddr.sa_data,
				  frame);
		len = add_vlan_tag(frame, len, 0xa123);	/* prio 5, VID 0x123 */
		ASSERT_EQ(len, sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
				      sizeof(sll)));
		for (tries = 0; tries < 500 &&
		     __atomic_load_n(&self->skel->bss->nr_done,
				     __ATOMIC_ACQUIRE) <= (unsigned int)pass; tries++)
			usleep(10000);
		ASSERT_LT(pass, self->skel->bss->nr_done);
		TH_LOG("rxvlan %s: vlan_err %d proto %#x tci %#x, hash %08x",
		       pass ? "off" : "on", r->vlan_err, ntohs(r->vlan_proto),
		       r->vlan_tci, r->hash);
		/* the parser sees through the tag either way */
		EXPECT_EQ(toeplitz(in, hash_input(f, in, &type)), r->hash);
		if (pass == 0) {
			EXPECT_EQ(0, r->vlan_err);
			EXPECT_EQ(0x8100, ntohs(r->vlan_proto));
			EXPECT_EQ(0xa123, r->vlan_tci);
		} else {
			EXPECT_EQ(-ENODATA, r->vlan_err);
		}
	}
	close(fd);
}

TEST_HARNESS_MAIN
