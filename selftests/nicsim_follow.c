// SPDX-License-Identifier: GPL-2.0
/*
 * Follow one UDP datagram through nicsim, end to end, with nicsim's
 * tracepoints and kfunc and the upstream hooks only (raw_syscalls, tcx,
 * net, irq, napi, sock, skb): on the sending side from sendto() to the wire
 * and on to the TX completion, on the receiving side from the device's
 * DMA write to recvfrom(). Every stage must be seen, in order, with the
 * join keys agreeing (skb addresses, descriptor, sequence number, the
 * device's timestamps).
 *
 * The same datagram exercises nicsim's kfuncs from each program type that
 * may call them: bpf_nicsim_xdp_meta() from XDP, bpf_nicsim_skb_meta()
 * from tp_btf and tcx (ingress: the frame's metadata, -ENODATA once a
 * pushed header overwrote it; egress: -ENODEV),
 * bpf_nicsim_queue_state() from tcx egress and from a SYSCALL program,
 * with the errors for a bad queue, device, namespace and size.
 *
 * The two ports are in two network namespaces; the test enters each to
 * attach its programs and open its socket.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "hw.h"
#include "nicsim_kfuncs.h"
#include "nicsim_follow.h"
#include "nicsim_test.h"
#include "nicsim_common.h"
#include "nicsim_follow.skel.h"

#define PAYLOAD		123
#define FRAME_LEN	(14 + 20 + 8 + PAYLOAD)
#define UDP_PORT	4001

static const char *const stage_names[ST_NR] = {
	[ST_SENDTO]		= "raw_syscalls:sys_enter sendto",
	[ST_TC_EGRESS]		= "tcx egress",
	[ST_NET_DEV_QUEUE]	= "net:net_dev_queue",
	[ST_START_XMIT]		= "net:net_dev_start_xmit",
	[ST_TX_POST]		= "nicsim:nicsim_tx_post",
	[ST_TX_DOORBELL]	= "nicsim:nicsim_tx_doorbell",
	[ST_TX_DMA_READ]	= "nicsim:nicsim_tx_dma_read",
	[ST_WIRE]		= "nicsim:nicsim_wire",
	[ST_RX_DMA_WRITE]	= "nicsim:nicsim_rx_dma_write",
	[ST_RX_IRQ_RAISE]	= "nicsim:nicsim_irq_raise (rx)",
	[ST_RX_IRQ_ENTRY]	= "irq:irq_handler_entry",
	[ST_RX_IRQ_HANDLE]	= "nicsim:nicsim_irq_handle (rx)",
	[ST_RX_DESC]		= "nicsim:nicsim_rx_desc",
	[ST_XDP]		= "xdp, bpf_nicsim_xdp_meta()",
	[ST_XDP_VERDICT]	= "nicsim:nicsim_xdp_verdict",
	[ST_RX_SKB]		= "nicsim:nicsim_rx_skb",
	[ST_NETIF_RECEIVE]	= "net:netif_receive_skb",
	[ST_TC_INGRESS]		= "tcx ingress",
	[ST_SK_DATA_READY]	= "sock:sk_data_ready",
	[ST_NAPI_POLL]		= "napi:napi_poll",
	[ST_SKB_CONSUMED]	= "skb:consume_skb",
	[ST_SOCK_RECV]		= "sock:sock_recv_length",
	[ST_RECV_EXIT]		= "raw_syscalls:sys_exit recvfrom",
	[ST_TX_IRQ_RAISE]	= "nicsim:nicsim_irq_raise (tx)",
	[ST_TX_IRQ_HANDLE]	= "nicsim:nicsim_irq_handle (tx)",
	[ST_TX_CLEAN]		= "nicsim:nicsim_tx_clean",
};

/* The order each chain must keep; the receive chain starts at the wire. */
static const enum nicsim_follow_stage send_chain[] = {
	ST_SENDTO, ST_TC_EGRESS, ST_NET_DEV_QUEUE, ST_START_XMIT, ST_TX_POST,
	ST_TX_DOORBELL, ST_TX_DMA_READ, ST_WIRE, ST_TX_IRQ_RAISE,
	ST_TX_IRQ_HANDLE, ST_TX_CLEAN,
};

static const enum nicsim_follow_stage recv_chain[] = {
	ST_WIRE, ST_RX_DMA_WRITE, ST_RX_IRQ_RAISE, ST_RX_IRQ_ENTRY,
	ST_RX_IRQ_HANDLE, ST_RX_DESC, ST_XDP, ST_XDP_VERDICT, ST_RX_SKB,
	ST_NETIF_RECEIVE, ST_TC_INGRESS, ST_SK_DATA_READY, ST_SKB_CONSUMED,
	ST_SOCK_RECV, ST_RECV_EXIT,
};

/* The poll that delivered the datagram ends after it reached the socket. */
static const enum nicsim_follow_stage poll_chain[] = {
	ST_SK_DATA_READY, ST_NAPI_POLL,
};

static int ifindex_of(const char *ifname)
{
	char path[128];
	FILE *f;
	int idx = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", ifname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &idx) != 1)
		idx = 0;
	fclose(f);
	return idx;
}

FIXTURE(follow) {
	struct nicsim_follow *skel;
	struct bpf_link *tc_egress, *tc_ingress;
	unsigned int id;
	char if0[IF_NAMESIZE], if1[IF_NAMESIZE];
	char ns0[32], ns1[32];
	int ifindex0, ifindex1;
	int self_ns, tx_fd, rx_fd;
	bool xdp_attached;
};

FIXTURE_SETUP(follow)
{
	if (nicsim_load_module() > 0)
		SKIP(return, NICSIM_NO_MODULE);
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(UDP_PORT),
	};
	struct timeval tv = { .tv_sec = 5 };
	char cmd[1024];

	self->tx_fd = -1;
	self->rx_fd = -1;
	self->self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(self->self_ns, 0);
	srand(getpid());
	self->id = 700000 + rand() % 100000;
	ASSERT_EQ(nicsim_create_pair(self->id, 1, self->if0, self->if1), 0);
	/* ifindexes are kept when the ports move to their namespaces */
	self->ifindex0 = ifindex_of(self->if0);
	self->ifindex1 = ifindex_of(self->if1);
	ASSERT_GT(self->ifindex0, 0);
	ASSERT_GT(self->ifindex1, 0);
	snprintf(self->ns0, sizeof(self->ns0), "nicsim-fa-%u", self->id);
	snprintf(self->ns1, sizeof(self->ns1), "nicsim-fb-%u", self->id);
	snprintf(cmd, sizeof(cmd),
		 "set -e; ip netns add %1$s; ip netns add %2$s; "
		 "ip link set %3$s netns %1$s; ip link set %4$s netns %2$s; "
		 "ip -n %1$s addr add 10.0.0.1/24 dev %3$s; "
		 "ip -n %2$s addr add 10.0.0.2/24 dev %4$s; "
		 "ip netns exec %1$s sysctl -qw net.ipv6.conf.%3$s.disable_ipv6=1; "
		 "ip netns exec %2$s sysctl -qw net.ipv6.conf.%4$s.disable_ipv6=1; "
		 "ip -n %1$s link set %3$s up; ip -n %2$s link set %4$s up; "
		 "ip netns exec %1$s ping -q -c 1 -W 5 10.0.0.2 >/dev/null",
		 self->ns0, self->ns1, self->if0, self->if1);
	ASSERT_EQ(nicsim_run(cmd), 0);

	self->skel = nicsim_follow__open();
	ASSERT_NE(self->skel, NULL);
	self->skel->rodata->tx_ifindex = self->ifindex0;
	self->skel->rodata->rx_ifindex = self->ifindex1;
	self->skel->rodata->frame_len = FRAME_LEN;
	self->skel->rodata->tgid = getpid();
	self->skel->rodata->udp_port = UDP_PORT;
	self->skel->rodata->nr_sendto = SYS_sendto;
	self->skel->rodata->nr_recvfrom = SYS_recvfrom;
	/* XDP and tcx need an interface: attached below, in its namespace */
	bpf_program__set_autoattach(self->skel->progs.follow_xdp, false);
	bpf_program__set_autoattach(self->skel->progs.follow_tc_egress, false);
	bpf_program__set_autoattach(self->skel->progs.follow_tc_ingress, false);
	ASSERT_EQ(nicsim_follow__load(self->skel), 0);
	ASSERT_EQ(nicsim_follow__attach(self->skel), 0);

	ASSERT_EQ(nicsim_enter_netns(self->ns1, self->self_ns), 0);
	ASSERT_EQ(bpf_xdp_attach(self->ifindex1,
				 bpf_program__fd(self->skel->progs.follow_xdp),
				 XDP_FLAGS_DRV_MODE, NULL), 0);
	self->xdp_attached = true;
	self->tc_ingress = bpf_program__attach_tcx(self->skel->progs.follow_tc_ingress,
						   self->ifindex1, NULL);
	ASSERT_NE(self->tc_ingress, NULL);
	self->rx_fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_GE(self->rx_fd, 0);
	ASSERT_EQ(setsockopt(self->rx_fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)), 0);
	addr.sin_addr.s_addr = htonl(0x0a000002);
	ASSERT_EQ(bind(self->rx_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);

	ASSERT_EQ(nicsim_enter_netns(self->ns0, self->self_ns), 0);
	self->tc_egress = bpf_program__attach_tcx(self->skel->progs.follow_tc_egress,
						  self->ifindex0, NULL);
	ASSERT_NE(self->tc_egress, NULL);
	self->tx_fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_GE(self->tx_fd, 0);
	ASSERT_EQ(setns(self->self_ns, CLONE_NEWNET), 0);
}

FIXTURE_TEARDOWN(follow)
{
	char cmd[256];

	if (self->tx_fd >= 0)
		close(self->tx_fd);
	if (self->rx_fd >= 0)
		close(self->rx_fd);
	bpf_link__destroy(self->tc_egress);
	bpf_link__destroy(self->tc_ingress);
	if (self->xdp_attached && !nicsim_enter_netns(self->ns1, self->self_ns))
		bpf_xdp_detach(self->ifindex1, XDP_FLAGS_DRV_MODE, NULL);
	setns(self->self_ns, CLONE_NEWNET);
	nicsim_follow__destroy(self->skel);
	snprintf(cmd, sizeof(cmd), "ip netns del %s; ip netns del %s",
		 self->ns0, self->ns1);
	nicsim_run(cmd);
	nicsim_delete(self->id);
	close(self->self_ns);
}

/* Every stage of @chain seen, each at or after the one before. */
static bool chain_in_order(struct __test_metadata *_metadata,
			   const struct nicsim_follow_rec *f,
			   const enum nicsim_follow_stage *chain, size_t n)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!f->ts[chain[i]]) {
			TH_LOG("not seen: %s", stage_names[chain[i]]);
			ok = false;
		} else if (i && f->ts[chain[i]] < f->ts[chain[i - 1]]) {
			TH_LOG("%s before %s", stage_names[chain[i]],
			       stage_names[chain[i - 1]]);
			ok = false;
		}
	}
	return ok;
}

/* Send the datagram, receive it, and wait for its TX completion. */
static int send_one(struct _test_data_follow *self)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(UDP_PORT),
		.sin_addr.s_addr = htonl(0x0a000002),
	};
	struct nicsim_follow_rec *f = &self->skel->bss->f;
	char buf[PAYLOAD];
	ssize_t n;
	int i;

	memset(buf, 'n', sizeof(buf));
	/* send as a task of the sender's namespace: TC egress runs in it */
	if (nicsim_enter_netns(self->ns0, self->self_ns))
		return -1;
	self->skel->bss->armed = 1;
	n = sendto(self->tx_fd, buf, sizeof(buf), 0, (struct sockaddr *)&to,
		   sizeof(to));
	if (setns(self->self_ns, CLONE_NEWNET) || n != PAYLOAD ||
	    recvfrom(self->rx_fd, buf, sizeof(buf), 0, NULL, NULL) != PAYLOAD)
		return -1;
	/* the TX completion may come after the receiver woke up */
	for (i = 0; i < 200 && !f->ts[ST_TX_CLEAN]; i++)
		usleep(10000);
	self->skel->bss->armed = 0;
	return 0;
}

TEST_F(follow, one_udp_datagram)
{
	struct nicsim_follow_rec *f = &self->skel->bss->f;
	int s;

	ASSERT_EQ(send_one(self), 0);

	for (s = 0; s < ST_NR; s++) {
		if (f->ts[s])
			TH_LOG("%-34s %+10.1f us", stage_names[s],
			       (f->ts[s] - f->ts[ST_SENDTO]) / 1000.0);
		else
			TH_LOG("%-34s    not seen", stage_names[s]);
	}
	TH_LOG("seq %llu, TX desc %u, RX queue %u desc %u, IRQ %u",
	       (unsigned long long)f->seq, f->tx_desc, f->rx_queue,
	       f->rx_desc, f->rx_irq);

	EXPECT_TRUE(chain_in_order(_metadata, f, send_chain,
				   ARRAY_SIZE(send_chain)));
	EXPECT_TRUE(chain_in_order(_metadata, f, recv_chain,
				   ARRAY_SIZE(recv_chain)));
	EXPECT_TRUE(chain_in_order(_metadata, f, poll_chain,
				   ARRAY_SIZE(poll_chain)));
	/* the device's own times: read before written, in the past */
	EXPECT_NE(f->seq, 0);
	EXPECT_NE(f->tx_dma_tstamp, 0);
	EXPECT_GE(f->rx_dma_tstamp, f->tx_dma_tstamp);
	EXPECT_LE(f->rx_dma_tstamp, f->ts[ST_RX_DESC]);
	/* the kfunc agrees with the tracepoints */
	EXPECT_EQ(f->xdp_err, 0);
	EXPECT_EQ(f->xdp_seq, f->seq);
	EXPECT_EQ(f->xdp_desc, f->rx_desc);
	EXPECT_EQ(f->xdp_dma_tstamp, f->rx_dma_tstamp);
	EXPECT_NE(f->tx_skb, 0);
	EXPECT_NE(f->rx_skb, 0);
	/* the poll refilled the ring after building the skb */
	EXPECT_GT(f->rx_doorbell_ts, f->ts[ST_RX_SKB]);
	EXPECT_LT(f->rx_doorbell_ts, f->ts[ST_NAPI_POLL]);
}

/* The drop events, from tp_btf and raw_tp: on the cable, and at the NIC. */
TEST_F(follow, drops)
{
	const struct nicsim_follow_drops *d = &self->skel->bss->drops;
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(UDP_PORT),
		.sin_addr.s_addr = htonl(0x0a000002),
	};
	char buf[PAYLOAD] = {}, cmd[256];
	int i;

	/* one frame lost on the cable */
	snprintf(cmd, sizeof(cmd),
		 "d=/sys/kernel/debug/nicsim/nicsim%u/port0/fail_wire_drop; "
		 "echo 100 > $d/probability && echo 1 > $d/times", self->id);
	ASSERT_EQ(nicsim_run(cmd), 0);
	self->skel->bss->armed = 1;
	ASSERT_EQ(sendto(self->tx_fd, buf, sizeof(buf), 0,
			 (struct sockaddr *)&to, sizeof(to)), PAYLOAD);
	/* one more with the receiver down: no buffer for it */
	snprintf(cmd, sizeof(cmd), "ip -n %s link set %s down",
		 self->ns1, self->if1);
	ASSERT_EQ(nicsim_run(cmd), 0);
	ASSERT_EQ(sendto(self->tx_fd, buf, sizeof(buf), 0,
			 (struct sockaddr *)&to, sizeof(to)), PAYLOAD);
	for (i = 0; i < 200 && !(d->rx_seq && d->raw_rx_len); i++)
		usleep(10000);
	self->skel->bss->armed = 0;

	TH_LOG("wire: seq %llu len %u result %d",
	       (unsigned long long)d->wire_seq, d->wire_len, d->wire_result);
	TH_LOG("rx_drop: seq %llu len %u reason %d queue %u",
	       (unsigned long long)d->rx_seq, d->rx_len, d->rx_reason,
	       d->rx_queue);
	TH_LOG("raw_tp: len %u reason %d ifindex %u",
	       d->raw_rx_len, d->raw_rx_reason, d->raw_rx_ifindex);
	EXPECT_NE(d->wire_seq, 0);
	EXPECT_EQ(d->wire_len, FRAME_LEN);
	EXPECT_NE(d->rx_seq, 0);
	EXPECT_GT(d->rx_seq, d->wire_seq);	/* sent after it */
	EXPECT_EQ(d->rx_len, FRAME_LEN);
	EXPECT_EQ(d->rx_reason, NICSIM_RX_DROP_NO_BUFFER);
	EXPECT_EQ(d->rx_queue, 0);
	EXPECT_EQ(d->raw_rx_len, FRAME_LEN);
	EXPECT_EQ(d->raw_rx_reason, NICSIM_RX_DROP_NO_BUFFER);
	EXPECT_EQ(d->raw_rx_ifindex, self->ifindex1);
}

/* Run follow_queue_state in namespace @ns (NULL: the test's own). */
static int queue_state(struct _test_data_follow *self, const char *ns,
		       __u32 ifindex, __u32 queue,
		       struct nicsim_follow_qs_args *args)
{
	int prog = bpf_program__fd(self->skel->progs.follow_queue_state);
	int err;

	memset(args, 0, sizeof(*args));
	args->ifindex = ifindex;
	args->queue = queue;
	if (ns && nicsim_enter_netns(ns, self->self_ns))
		return -1;
	err = nicsim_run_syscall_prog(prog, args, sizeof(*args));
	if (nicsim_enter_netns(NULL, self->self_ns))
		return -1;
	return err;
}

TEST_F(follow, kfuncs)
{
	const struct nicsim_follow_rec *f = &self->skel->bss->f;
	const struct nicsim_xdp_meta *xm = &self->skel->bss->xdp_meta;
	const struct nicsim_skb_meta *metas[] = {
		&self->skel->bss->skb_meta_tp, &self->skel->bss->skb_meta_tc,
	};
	const int *errs[] = {
		&self->skel->data->skb_err_tp, &self->skel->data->skb_err_tc,
	};
	const struct nicsim_queue_state *qs = &self->skel->bss->qs_egress;
	struct nicsim_follow_qs_args args;
	int i;

	ASSERT_EQ(send_one(self), 0);
	ASSERT_NE(f->seq, 0);

	/* XDP: where the frame is, and the interrupt and poll that got it */
	TH_LOG("xdp: queue %u desc %u len %u, irq +%llu ns after the DMA write (batch %u)",
	       xm->queue, xm->desc_idx, xm->len,
	       (unsigned long long)(xm->irq_tstamp - xm->dma_tstamp),
	       xm->irq_batch);
	TH_LOG("xdp: poll +%llu ns after the irq",
	       (unsigned long long)(xm->poll_tstamp - xm->irq_tstamp));
	EXPECT_EQ(xm->ifindex, self->ifindex1);
	EXPECT_EQ(xm->queue, f->rx_queue);
	EXPECT_EQ(xm->len, FRAME_LEN);
	EXPECT_GE(xm->irq_tstamp, xm->dma_tstamp);
	EXPECT_LE(xm->irq_tstamp, f->ts[ST_RX_IRQ_RAISE]);
	EXPECT_GE(xm->irq_batch, 1);
	EXPECT_GE(xm->poll_tstamp, f->ts[ST_RX_IRQ_HANDLE]);
	EXPECT_LE(xm->poll_tstamp, f->ts[ST_XDP]);

	/* the skb keeps it, for tp_btf and for tcx ingress */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(*errs[i], 0);
		EXPECT_EQ(metas[i]->ifindex, self->ifindex1);
		EXPECT_EQ(metas[i]->queue, f->rx_queue);
		EXPECT_EQ(metas[i]->desc_idx, f->rx_desc);
		EXPECT_EQ(metas[i]->seq, f->seq);
		EXPECT_EQ(metas[i]->dma_tstamp, f->rx_dma_tstamp);
	}
	/* a locally sent skb has none */
	EXPECT_EQ(self->skel->data->skb_err_egress, -ENODEV);

	/* queue state from tcx egress, in the sender's task */
	EXPECT_EQ(self->skel->data->qs_err_egress, 0);
	EXPECT_EQ(qs->ifindex, self->ifindex0);
	EXPECT_EQ(qs->running, 1);
	EXPECT_EQ(qs->ring_size, 256);
	/* the device's head is between what the driver cleaned and posted */
	EXPECT_LE((__u32)(qs->tx_head - qs->tx_clean), qs->tx_inflight);
	EXPECT_LE(qs->tx_inflight, qs->ring_size);

	/* and from a SYSCALL program in the receiver's namespace */
	ASSERT_EQ(queue_state(self, self->ns1, self->ifindex1, 0, &args), 0);
	TH_LOG("queue_state: rx tail %u clean %u head %u fill %u",
	       args.state.rx_tail, args.state.rx_clean, args.state.rx_head,
	       args.state.rx_fill);
	TH_LOG("queue_state: irq %u enabled %u masked %u, raised %llu, rx %llu packets",
	       args.state.irq, args.state.irq_enabled, args.state.irq_masked,
	       (unsigned long long)args.state.irqs_raised,
	       (unsigned long long)args.state.rx_packets);
	EXPECT_EQ(args.err, 0);
	EXPECT_EQ(args.small_err, -EINVAL);
	EXPECT_EQ(args.state.running, 1);
	EXPECT_EQ(args.state.ring_size, 256);
	EXPECT_EQ(args.state.irq, f->rx_irq);
	EXPECT_EQ(args.state.irq_masked, 0);
	EXPECT_EQ(args.state.rx_frames, 64);	/* the default moderation */
	EXPECT_EQ(args.state.rx_fill, args.state.ring_size);
	EXPECT_EQ(args.state.rx_head, args.state.rx_clean);
	EXPECT_GE(args.state.rx_packets, 1);
	EXPECT_GE(args.state.irqs_raised, 1);

	ASSERT_EQ(queue_state(self, self->ns1, self->ifindex1, 1, &args), 0);
	EXPECT_EQ(args.err, -ERANGE);	/* one queue pair */
	ASSERT_EQ(queue_state(self, self->ns1, 1, 0, &args), 0);
	EXPECT_EQ(args.err, -ENODEV);	/* lo */
	ASSERT_EQ(queue_state(self, NULL, self->ifindex1, 0, &args), 0);
	EXPECT_EQ(args.err, -ENODEV);	/* not in this namespace */
	EXPECT_EQ(args.state.ring_size, 0);

	/* arguments at their bounds: errors, a zeroed state, nothing else */
	ASSERT_EQ(queue_state(self, self->ns1, self->ifindex1, ~0U, &args), 0);
	EXPECT_EQ(args.err, -ERANGE);
	EXPECT_EQ(args.state.ring_size, 0);
	ASSERT_EQ(queue_state(self, self->ns1, self->ifindex1, NICSIM_MAX_QUEUES, &args), 0);
	EXPECT_EQ(args.err, -ERANGE);
	ASSERT_EQ(queue_state(self, self->ns1, ~0U, 0, &args), 0);
	EXPECT_EQ(args.err, -ENODEV);
	ASSERT_EQ(queue_state(self, self->ns1, 0, 0, &args), 0);
	EXPECT_EQ(args.err, -ENODEV);
	EXPECT_EQ(args.small_err, -EINVAL);
}

/*
 * Without XDP, a frame at MTU 1500 is in a half-page fragment with 64
 * bytes of headroom before its MAC header (NET_SKB_PAD), the driver's
 * stamp at its start. A TC program pushing a 40-byte header into that
 * headroom (bpf_skb_change_head(), in place) overwrites the stamp's end:
 * the kfunc then says -ENODATA, rather than return what the header made
 * of the stamp.
 */
TEST_F(follow, header_push_over_stamp)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(UDP_PORT),
		.sin_addr.s_addr = htonl(0x0a000002),
	};
	char buf[PAYLOAD] = {};
	int i;

	/* the fixture's XDP program goes: the port gets fragments */
	ASSERT_EQ(nicsim_enter_netns(self->ns1, self->self_ns), 0);
	ASSERT_EQ(bpf_xdp_detach(self->ifindex1, XDP_FLAGS_DRV_MODE, NULL), 0);
	self->xdp_attached = false;
	ASSERT_EQ(setns(self->self_ns, CLONE_NEWNET), 0);

	self->skel->bss->push_len = 40;
	ASSERT_EQ(nicsim_enter_netns(self->ns0, self->self_ns), 0);
	self->skel->bss->armed = 1;
	ASSERT_EQ(sendto(self->tx_fd, buf, sizeof(buf), 0,
			 (struct sockaddr *)&to, sizeof(to)), PAYLOAD);
	ASSERT_EQ(setns(self->self_ns, CLONE_NEWNET), 0);
	for (i = 0; i < 500 && self->skel->data->skb_err_pushed == 1; i++)
		usleep(10000);
	self->skel->bss->armed = 0;

	TH_LOG("headroom %u; before the push: %d, push: %d, after: %d%s",
	       self->skel->bss->headroom, self->skel->data->skb_err_tc,
	       self->skel->data->push_err, self->skel->data->skb_err_pushed,
	       self->skel->bss->head_after == self->skel->bss->head_before ?
	       "" : " (the head was reallocated)");
	/* a fragment's headroom, not XDP's 256 bytes */
	EXPECT_LT(self->skel->bss->headroom, 128);
	EXPECT_EQ(self->skel->data->skb_err_tc, 0);
	EXPECT_EQ(self->skel->data->push_err, 0);
	EXPECT_EQ(self->skel->bss->head_after, self->skel->bss->head_before);
	EXPECT_EQ(self->skel->data->skb_err_pushed, -ENODATA);
	EXPECT_EQ(self->skel->bss->skb_meta_pushed.seq, 0);	/* zeroed */
}

TEST_HARNESS_MAIN
