// SPDX-License-Identifier: GPL-2.0
/*
 * Native XDP on nicsim: bpf_nicsim_xdp_meta() returns the frame's device
 * metadata (right port and queue, descriptor in range, DMA time not in the
 * future) and fails with -ENODEV on a veth; XDP_DROP drops and counts,
 * XDP_TX sends back through the cable, XDP_ABORTED counts, XDP_REDIRECT
 * from a veth lands on a nicsim TX ring (ndo_xdp_xmit), XDP frames
 * filling the TX ring do not stall the stack's queue, and netpoll's
 * budget-0 poll makes no XDP or page_pool call.
 *
 * Frames are sent with an AF_PACKET socket on the other port of the cable,
 * so no namespaces or routing are involved.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
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
#include "nicsim_test.h"
#include "nicsim_netpoll.skel.h"
#include "nicsim_xdp.skel.h"

#define TEST_PROTO	0x88b5		/* IEEE local experimental EtherType */
#define RING_SIZE	256		/* nicsim's default ring size */
#define NFRAMES		20

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* bpf_ktime_get_ns()'s clock */
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int sysfs_read_u64(const char *path, unsigned long long *val)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%llu", val);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

static unsigned long long netdev_stat(const char *ifname, const char *stat)
{
	unsigned long long val = ~0ULL;
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s",
		 ifname, stat);
	sysfs_read_u64(path, &val);
	return val;
}

/* Send @n frames of TEST_PROTO out of @from to @to's MAC address. */
static int send_frames(const char *from, const char *to, int n)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char frame[ETH_ZLEN + 40] = {};
	struct ifreq ifr = {};
	int fd, i, sent = 0;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", to);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto out;
	memcpy(frame, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", from);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto out;
	memcpy(frame + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	frame[12] = TEST_PROTO >> 8;
	frame[13] = TEST_PROTO & 0xff;

	sll.sll_ifindex = if_nametoindex(from);
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, frame, ETH_ALEN);
	for (i = 0; i < n; i++) {
		frame[14] = i;
		if (sendto(fd, frame, sizeof(frame), 0,
			   (struct sockaddr *)&sll, sizeof(sll)) == sizeof(frame))
			sent++;
	}
out:
	close(fd);
	return sent;
}

/* Wait up to 5 s for the program to have seen @n frames. */
static void wait_frames(struct nicsim_xdp *skel, __u64 n)
{
	int i;

	for (i = 0; i < 500 && __atomic_load_n(&skel->bss->frames, __ATOMIC_RELAXED) < n; i++)
		usleep(10000);
}

/* Open and load the probe; the module must be there (its kfunc is). */
static struct nicsim_xdp *load_probe_verdict(__u32 verdict, int redirect_to)
{
	struct nicsim_xdp *skel = nicsim_xdp__open();

	if (!skel)
		return NULL;
	skel->rodata->verdict = verdict;
	skel->rodata->redirect_ifindex = redirect_to;
	skel->rodata->match_proto = htons(TEST_PROTO);
	if (nicsim_xdp__load(skel)) {
		nicsim_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct nicsim_xdp *load_probe(bool drop_all)
{
	return load_probe_verdict(drop_all ? XDP_DROP : XDP_PASS, 0);
}

/* One counter of `ethtool -S`, summed over queues: "rx*_xdp_tx" style. */
static unsigned long long ethtool_stat(const char *ifname, const char *glob)
{
	char cmd[256], line[256], name[64];
	unsigned long long sum = 0, v;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ethtool -S %s", ifname);
	f = popen(cmd, "r");
	if (!f)
		return ~0ULL;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %63[^:]: %llu", name, &v) == 2 &&
		    !fnmatch(glob, name, 0))
			sum += v;
	pclose(f);
	return sum;
}

FIXTURE(nicsim) {
	unsigned int id;
	char tx_if[IFNAMSIZ];	/* port 0: sends */
	char rx_if[IFNAMSIZ];	/* port 1: runs XDP */
	int rx_ifindex;
};

FIXTURE_SETUP(nicsim)
{
	if (nicsim_load_module() > 0)
		SKIP(return, NICSIM_NO_MODULE);
	srand(time(NULL) ^ getpid());
	self->id = 1000000 + rand() % 1000000;
	ASSERT_EQ(0, nicsim_create_pair(self->id, 1, self->tx_if, self->rx_if));
	self->rx_ifindex = if_nametoindex(self->rx_if);
	ASSERT_NE(0, self->rx_ifindex);
}

FIXTURE_TEARDOWN(nicsim)
{
	/* a failed netpoll test may leave netconsole on the port */
	nicsim_run("rmmod netconsole 2>/dev/null");
	nicsim_delete(self->id);
}

TEST_F(nicsim, kfunc_meta_native)
{
	struct nicsim_xdp *skel = load_probe(false);
	struct nicsim_xdp_meta *m;
	__u64 before = 0;

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, bpf_xdp_attach(self->rx_ifindex,
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));

	before = now_ns();
	ASSERT_EQ(NFRAMES, send_frames(self->tx_if, self->rx_if, NFRAMES));
	wait_frames(skel, NFRAMES);

	m = &skel->bss->last_meta;
	TH_LOG("frames=%llu ok=%llu err=%d ifindex=%u queue=%u desc=%u len=%u seq=%llu dma_ts=%llu",
	       skel->bss->frames, skel->bss->meta_ok, skel->bss->last_err,
	       m->ifindex, m->queue, m->desc_idx, m->len, m->seq,
	       m->dma_tstamp);
	EXPECT_EQ(NFRAMES, skel->bss->frames);
	EXPECT_EQ(NFRAMES, skel->bss->meta_ok);
	EXPECT_EQ(0, skel->bss->last_err);
	EXPECT_EQ(0, skel->bss->meta_bad_time);
	EXPECT_EQ(self->rx_ifindex, m->ifindex);
	EXPECT_EQ(0, m->queue);
	EXPECT_LT(m->desc_idx, RING_SIZE);
	EXPECT_EQ(ETH_ZLEN + 40, m->len);
	EXPECT_GT(m->seq, 0);
	EXPECT_GE(m->dma_tstamp, before);

	bpf_xdp_detach(self->rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	nicsim_xdp__destroy(skel);
}

TEST_F(nicsim, xdp_drop_drops_and_counts)
{
	struct nicsim_xdp *skel = load_probe(true);
	unsigned long long drop0, pkts0, drop1, pkts1, xd0, xd1, xp0, xp1;

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, bpf_xdp_attach(self->rx_ifindex,
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));
	/*
	 * Other frames (IPv6 neighbour discovery...) pass meanwhile: read
	 * xdp_pass before rx_packets here and after it at the end, so that
	 * every frame the stack received in between is in xdp_pass.
	 */
	xp0 = ethtool_stat(self->rx_if, "rx*_xdp_pass");
	drop0 = netdev_stat(self->rx_if, "rx_dropped");
	pkts0 = netdev_stat(self->rx_if, "rx_packets");
	xd0 = ethtool_stat(self->rx_if, "rx*_xdp_drop");

	ASSERT_EQ(NFRAMES, send_frames(self->tx_if, self->rx_if, NFRAMES));
	wait_frames(skel, NFRAMES);
	/* the counters are updated at the end of the poll that ran XDP */
	for (int i = 0; i < 100 && ethtool_stat(self->rx_if, "rx*_xdp_drop") - xd0 < NFRAMES; i++)
		usleep(10000);

	drop1 = netdev_stat(self->rx_if, "rx_dropped");
	pkts1 = netdev_stat(self->rx_if, "rx_packets");
	xd1 = ethtool_stat(self->rx_if, "rx*_xdp_drop");
	xp1 = ethtool_stat(self->rx_if, "rx*_xdp_pass");
	TH_LOG("rx_dropped %llu -> %llu, rx_packets %llu -> %llu, xdp_drop +%llu, xdp_pass +%llu",
	       drop0, drop1, pkts0, pkts1, xd1 - xd0, xp1 - xp0);
	EXPECT_EQ(NFRAMES, skel->bss->frames);
	EXPECT_EQ(NFRAMES, xd1 - xd0);
	EXPECT_EQ(NFRAMES, drop1 - drop0);
	/* dropped frames never reach the stack: it got only what XDP passed */
	EXPECT_LE(pkts1 - pkts0, xp1 - xp0);

	bpf_xdp_detach(self->rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	nicsim_xdp__destroy(skel);
}

TEST_F(nicsim, xdp_pass_reaches_stack)
{
	struct nicsim_xdp *skel = load_probe(false);
	unsigned long long pkts0, pkts1;

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, bpf_xdp_attach(self->rx_ifindex,
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));
	pkts0 = netdev_stat(self->rx_if, "rx_packets");
	ASSERT_EQ(NFRAMES, send_frames(self->tx_if, self->rx_if, NFRAMES));
	wait_frames(skel, NFRAMES);
	pkts1 = netdev_stat(self->rx_if, "rx_packets");
	EXPECT_EQ(NFRAMES, skel->bss->frames);
	EXPECT_GE(pkts1 - pkts0, NFRAMES);

	bpf_xdp_detach(self->rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	nicsim_xdp__destroy(skel);
}

TEST_F(nicsim, xdp_tx_sends_back)
{
	struct nicsim_xdp *skel = load_probe_verdict(XDP_TX, 0);
	unsigned long long rx0, rx1, tx0, tx1;

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, bpf_xdp_attach(self->rx_ifindex,
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));
	rx0 = netdev_stat(self->tx_if, "rx_packets");
	tx0 = ethtool_stat(self->rx_if, "rx*_xdp_tx");
	ASSERT_EQ(NFRAMES, send_frames(self->tx_if, self->rx_if, NFRAMES));
	wait_frames(skel, NFRAMES);
	/* wait on the counters themselves: the frames cross the cable back */
	for (int i = 0; i < 500; i++) {
		rx1 = netdev_stat(self->tx_if, "rx_packets");
		tx1 = ethtool_stat(self->rx_if, "rx*_xdp_tx");
		if (tx1 - tx0 >= NFRAMES && rx1 - rx0 >= NFRAMES)
			break;
		usleep(10000);
	}
	TH_LOG("xdp_tx %llu -> %llu, sender rx_packets %llu -> %llu",
	       tx0, tx1, rx0, rx1);
	EXPECT_EQ(NFRAMES, tx1 - tx0);
	EXPECT_GE(rx1 - rx0, NFRAMES);	/* they came back over the cable */

	bpf_xdp_detach(self->rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	nicsim_xdp__destroy(skel);
}

TEST_F(nicsim, xdp_aborted_counts)
{
	struct nicsim_xdp *skel = load_probe_verdict(XDP_ABORTED, 0);
	unsigned long long a0, a1;

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, bpf_xdp_attach(self->rx_ifindex,
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));
	a0 = ethtool_stat(self->rx_if, "rx*_xdp_aborted");
	ASSERT_EQ(NFRAMES, send_frames(self->tx_if, self->rx_if, NFRAMES));
	wait_frames(skel, NFRAMES);
	a1 = ethtool_stat(self->rx_if, "rx*_xdp_aborted");
	EXPECT_EQ(NFRAMES, a1 - a0);

	bpf_xdp_detach(self->rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	nicsim_xdp__destroy(skel);
}

/*
 * A veth pair @a -> @b (created, up) whose XDP program on @b redirects
 * into @to_ifindex (*redir), and a counting probe on @rx_ifindex, the
 * other end of nicsim's cable (*counter). Returns 0, or -1 with nothing
 * to undo but what redirect_teardown() undoes.
 */
static int redirect_setup(const char *a, const char *b, int to_ifindex,
			  int rx_ifindex, struct nicsim_xdp **redir,
			  struct nicsim_xdp **counter)
{
	char cmd[256];

	*redir = NULL;
	*counter = NULL;
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s && ip link set %s up && ip link set %s up",
		 a, b, a, b);
	if (nicsim_run(cmd))
		return -1;
	*redir = load_probe_verdict(XDP_REDIRECT, to_ifindex);
	*counter = load_probe(false);
	if (!*redir || !*counter ||
	    bpf_xdp_attach(if_nametoindex(b),
			   bpf_program__fd((*redir)->progs.nicsim_xdp_probe),
			   XDP_FLAGS_DRV_MODE, NULL) ||
	    bpf_xdp_attach(rx_ifindex,
			   bpf_program__fd((*counter)->progs.nicsim_xdp_probe),
			   XDP_FLAGS_DRV_MODE, NULL))
		return -1;
	return 0;
}

static void redirect_teardown(const char *a, int rx_ifindex,
			      struct nicsim_xdp *redir,
			      struct nicsim_xdp *counter)
{
	char cmd[64];

	bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	snprintf(cmd, sizeof(cmd), "ip link del %s", a);	/* and its XDP */
	nicsim_run(cmd);
	nicsim_xdp__destroy(counter);
	nicsim_xdp__destroy(redir);
}

/* veth XDP redirects into nicsim port 0: ndo_xdp_xmit, then the cable. */
TEST_F(nicsim, redirect_from_veth_uses_ndo_xdp_xmit)
{
	unsigned long long x0, x1, rx0, rx1;
	char a[IFNAMSIZ], b[IFNAMSIZ];
	struct nicsim_xdp *skel, *counter;

	snprintf(a, sizeof(a), "nsrda%d", getpid() % 10000);
	snprintf(b, sizeof(b), "nsrdb%d", getpid() % 10000);
	/* counter: what arrives at the other end of the cable */
	ASSERT_EQ(0, redirect_setup(a, b, if_nametoindex(self->tx_if),
				    self->rx_ifindex, &skel, &counter));

	x0 = ethtool_stat(self->tx_if, "tx*_xdp_xmit");
	rx0 = netdev_stat(self->rx_if, "rx_packets");
	EXPECT_EQ(NFRAMES, send_frames(a, b, NFRAMES));
	wait_frames(counter, NFRAMES);
	x1 = ethtool_stat(self->tx_if, "tx*_xdp_xmit");
	rx1 = netdev_stat(self->rx_if, "rx_packets");
	TH_LOG("redirected %llu, xdp_xmit %llu -> %llu, peer rx %llu -> %llu",
	       skel->bss->frames, x0, x1, rx0, rx1);
	EXPECT_EQ(NFRAMES, skel->bss->frames);
	EXPECT_EQ(NFRAMES, x1 - x0);
	EXPECT_EQ(NFRAMES, counter->bss->frames);
	EXPECT_EQ(NFRAMES, counter->bss->meta_ok);

	redirect_teardown(a, self->rx_ifindex, skel, counter);
}

/*
 * XDP shares the TX ring with the stack: ndo_xdp_xmit fills it while the
 * port's vector is masked (completions wait), the stack's next frame finds
 * the ring full and its queue stops. Completions of XDP frames alone must
 * wake the queue: the frame then goes out. (Before the fix the queue woke
 * only on skb completions and stayed stopped for good.)
 */
TEST_F(nicsim, xdp_xmit_full_ring_wakes_stack_queue)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], cmd[512], msix[128];
	struct nicsim_xdp *skel, *counter;
	unsigned long long full, base;
	int ring = 64, i;

	snprintf(a, sizeof(a), "nsfla%d", getpid() % 10000);
	snprintf(b, sizeof(b), "nsflb%d", getpid() % 10000);
	snprintf(cmd, sizeof(cmd), "ethtool -G %s rx %d tx %d", self->tx_if,
		 ring, ring);
	ASSERT_EQ(0, nicsim_run(cmd));
	ASSERT_EQ(0, redirect_setup(a, b, if_nametoindex(self->tx_if),
				    self->rx_ifindex, &skel, &counter));

	/* no interrupt, no clean: the ring fills with XDP frames */
	snprintf(msix, sizeof(msix), "/sys/kernel/debug/nicsim/nicsim%u/port0/msix",
		 self->id);
	snprintf(cmd, sizeof(cmd), "echo 0 mask > %s", msix);
	ASSERT_EQ(0, nicsim_run(cmd));
	EXPECT_EQ(2 * ring, send_frames(a, b, 2 * ring));
	wait_frames(counter, ring);
	full = ethtool_stat(self->tx_if, "tx*_ring_full");
	/* the stack's own frames (IPv6 neighbour discovery) may hold slots */
	base = counter->bss->frames;
	TH_LOG("redirected %llu, on the wire %llu, ring_full %llu",
	       skel->bss->frames, base, full);
	ASSERT_GE(ring, base);
	ASSERT_LE(ring - 8, base);
	ASSERT_LT(0, full);

	/* the stack's frame finds the ring full; then completions come */
	ASSERT_EQ(1, send_frames(self->tx_if, self->rx_if, 1));
	usleep(100000);
	snprintf(cmd, sizeof(cmd), "echo 0 unmask > %s", msix);
	ASSERT_EQ(0, nicsim_run(cmd));
	for (i = 0; i < 300 && counter->bss->frames < base + 1; i++)
		usleep(10000);
	TH_LOG("after the unmask: %llu frames on the wire", counter->bss->frames);
	EXPECT_EQ(base + 1, counter->bss->frames);
	/* and the queue keeps going */
	EXPECT_EQ(10, send_frames(self->tx_if, self->rx_if, 10));
	wait_frames(counter, base + 11);
	EXPECT_EQ(base + 11, counter->bss->frames);

	redirect_teardown(a, self->rx_ifindex, skel, counter);
}

/* A UDP socket on @ifname's @port, not blocking; -1 on error. */
static int udp_listen(const char *ifname, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* How many of the datagrams waiting on @fd contain @text. */
static int count_datagrams(int fd, const char *text)
{
	char buf[1024];
	ssize_t n;
	int found = 0;

	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		if (strstr(buf, text))
			found++;
	}
	return found;
}

/*
 * netpoll (here netconsole) polls at budget 0, IRQs off, when the TX ring
 * is full. napi.rst: skb TX completions only, no XDP or page_pool call.
 * With the vector masked, the watchdog's poll turns 56 received frames
 * into XDP_TX frames that fill the 64-entry TX ring and wait there; kernel
 * messages then find the ring full, and netpoll's polls must leave those
 * frames to the next NAPI poll, which sends the messages. (Before the
 * fix, the poll returned them with xdp_return_frame_rx_napi(), then with
 * xdp_return_frame(), whose page_pool return warned with IRQs off.)
 */
TEST_F(nicsim, netpoll_budget_0_cleans_tx_only)
{
	struct nicsim_xdp *skel = load_probe_verdict(XDP_TX, 0);
	const char *text = "nicsim_xdp: a message for netconsole";
	unsigned long long xdp_tx0, xdp_tx1 = 0;
	struct nicsim_netpoll *spy;
	char cmd[512], msix[128];
	int i, fd, got = 0;

	ASSERT_NE(NULL, skel);
	snprintf(cmd, sizeof(cmd),
		 "modprobe netconsole netconsole=6665@10.99.0.1/%s,6666@10.99.0.2/",
		 self->tx_if);
	if (nicsim_run(cmd)) {
		nicsim_xdp__destroy(skel);
		SKIP(return, "optional: netconsole (CONFIG_NETCONSOLE) drives netpoll");
	}
	spy = nicsim_netpoll__open_and_load();
	ASSERT_NE(NULL, spy);
	ASSERT_EQ(0, nicsim_netpoll__attach(spy));
	snprintf(cmd, sizeof(cmd), "ethtool -G %s rx 64 tx 64", self->tx_if);
	ASSERT_EQ(0, nicsim_run(cmd));
	/* netconsole's messages, received on the peer */
	snprintf(cmd, sizeof(cmd), "ip addr add 10.99.0.2/24 dev %s", self->rx_if);
	ASSERT_EQ(0, nicsim_run(cmd));
	fd = udp_listen(self->rx_if, 6666);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpf_xdp_attach(if_nametoindex(self->tx_if),
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));

	/* no interrupt: only the watchdog polls, once per 500 ms at most */
	snprintf(msix, sizeof(msix), "/sys/kernel/debug/nicsim/nicsim%u/port0/msix",
		 self->id);
	snprintf(cmd, sizeof(cmd), "echo 0 mask > %s", msix);
	ASSERT_EQ(0, nicsim_run(cmd));
	xdp_tx0 = ethtool_stat(self->tx_if, "rx*_xdp_tx");
	/* fewer than the budget: the poll completes, the XDP_TX frames stay */
	ASSERT_EQ(56, send_frames(self->rx_if, self->tx_if, 56));
	for (i = 0; i < 300 && xdp_tx1 - xdp_tx0 < 48; i++) {
		usleep(10000);
		xdp_tx1 = ethtool_stat(self->tx_if, "rx*_xdp_tx");
	}
	ASSERT_LE(48, xdp_tx1 - xdp_tx0);
	for (i = 0; i < 5; i++) {
		snprintf(cmd, sizeof(cmd), "echo '<6>%s' > /dev/kmsg", text);
		nicsim_run(cmd);
	}
	/* the watchdog's next poll frees the ring: the messages go out */
	for (i = 0; i < 500 && got < 5; i++) {
		usleep(10000);
		got += count_datagrams(fd, text);
	}
	close(fd);
	TH_LOG("XDP_TX %llu; netpoll: %llu polls, %llu XDP and %llu page_pool calls; %d messages",
	       xdp_tx1 - xdp_tx0, spy->bss->polls, spy->bss->xdp_calls,
	       spy->bss->pp_calls, got);
	EXPECT_LT(0, spy->bss->polls);	/* netpoll did poll */
	EXPECT_EQ(0, spy->bss->xdp_calls);
	EXPECT_EQ(0, spy->bss->pp_calls);
	EXPECT_EQ(5, got);	/* all of them, once the ring was cleaned */

	snprintf(cmd, sizeof(cmd), "echo 0 unmask > %s", msix);
	nicsim_run(cmd);
	nicsim_run("rmmod netconsole");
	bpf_xdp_detach(if_nametoindex(self->tx_if), XDP_FLAGS_DRV_MODE, NULL);
	nicsim_netpoll__destroy(spy);
	nicsim_xdp__destroy(skel);
}

/* The same program on a veth: the kfunc must refuse, not return garbage. */
TEST(kfunc_on_veth_fails)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], cmd[256];
	struct nicsim_xdp *skel;
	int ifindex;

	if (nicsim_load_module() > 0)
		SKIP(return, NICSIM_NO_MODULE);
	ASSERT_EQ(0, nicsim_load_module());
	skel = load_probe(false);
	ASSERT_NE(NULL, skel);
	snprintf(a, sizeof(a), "nsveth%d", getpid() % 10000);
	snprintf(b, sizeof(b), "nsvpeer%d", getpid() % 10000);
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s && ip link set %s up && ip link set %s up",
		 a, b, a, b);
	ASSERT_EQ(0, nicsim_run(cmd));
	ifindex = if_nametoindex(b);
	ASSERT_EQ(0, bpf_xdp_attach(ifindex,
				    bpf_program__fd(skel->progs.nicsim_xdp_probe),
				    XDP_FLAGS_DRV_MODE, NULL));

	EXPECT_EQ(NFRAMES, send_frames(a, b, NFRAMES));
	wait_frames(skel, NFRAMES);
	TH_LOG("veth: frames=%llu ok=%llu last_err=%d", skel->bss->frames,
	       skel->bss->meta_ok, skel->bss->last_err);
	EXPECT_EQ(NFRAMES, skel->bss->frames);
	EXPECT_EQ(0, skel->bss->meta_ok);
	EXPECT_EQ(-ENODEV, skel->bss->last_err);
	EXPECT_EQ(0, skel->bss->meta_garbage);	/* zeroed on error */

	snprintf(cmd, sizeof(cmd), "ip link del %s", a);
	nicsim_run(cmd);
	nicsim_xdp__destroy(skel);
}

TEST_HARNESS_MAIN
