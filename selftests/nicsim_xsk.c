// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP helper for nicsim's shell tests (not a test itself).
 *
 *   nicsim_xsk DEV QUEUE XSKMAP_ID SECONDS
 *	bind an AF_XDP socket in copy mode to queue QUEUE of DEV, put it in
 *	the XSKMAP whose ID is XSKMAP_ID at key QUEUE, print "ready", then
 *	send every frame it receives back out of DEV with its MAC addresses
 *	swapped, until SECONDS pass or SIGTERM; print
 *	"rx N tx N completed N dropped N ring_full N fill_empty N" and
 *	exit 0 if the socket's rings stayed consistent.
 *
 * The socket has its own UMEM of NFRAMES frames. A frame is always in
 * exactly one place: the fill ring, the kernel's RX ring, the TX ring,
 * or the completion ring; the helper moves RX to TX (or back to fill
 * when TX is full) and completion to fill, so the fill ring, as large
 * as the UMEM, never overflows.
 */
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define NFRAMES		2048
#define FRAME_SIZE	4096	/* room for the soak's largest MTU */
#define RING_SIZE	NFRAMES	/* fill and completion: the whole UMEM */
#define RXTX_SIZE	1024
#define BATCH		64

struct ring {
	__u32 *producer;
	__u32 *consumer;
	void *descs;
	__u32 size;
	void *map;
	size_t map_len;
};

static atomic_bool stop;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
}

static int ring_map(int fd, struct ring *r, const struct xdp_ring_offset *off,
		    __u32 size, size_t desc_size, off_t pgoff)
{
	r->map_len = off->desc + size * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (r->map == MAP_FAILED)
		return -errno;
	r->producer = r->map + off->producer;
	r->consumer = r->map + off->consumer;
	r->descs = r->map + off->desc;
	r->size = size;
	return 0;
}

/* Entries a consumer can take, and room a producer has. */
static __u32 ring_avail(struct ring *r)
{
	return __atomic_load_n(r->producer, __ATOMIC_ACQUIRE) - *r->consumer;
}

static __u32 ring_room(struct ring *r)
{
	return r->size - (*r->producer - __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE));
}

static void ring_produce(struct ring *r, __u32 n)
{
	__atomic_store_n(r->producer, *r->producer + n, __ATOMIC_RELEASE);
}

static void ring_consume(struct ring *r, __u32 n)
{
	__atomic_store_n(r->consumer, *r->consumer + n, __ATOMIC_RELEASE);
}

static __u64 *addr_at(struct ring *r, __u32 i)
{
	return (__u64 *)r->descs + (i & (r->size - 1));
}

static struct xdp_desc *desc_at(struct ring *r, __u32 i)
{
	return (struct xdp_desc *)r->descs + (i & (r->size - 1));
}

static void fill(struct ring *fq, __u64 addr)
{
	*addr_at(fq, *fq->producer) = addr;
	ring_produce(fq, 1);
}

static void swap_macs(unsigned char *frame)
{
	unsigned char tmp[6];

	memcpy(tmp, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, tmp, 6);
}

int main(int argc, char **argv)
{
	struct ring fq, cq, rxq, txq;
	struct xdp_mmap_offsets off;
	struct xdp_statistics xs;
	struct xdp_umem_reg reg;
	struct sockaddr_xdp sxdp;
	__u64 rx = 0, tx = 0, done = 0;
	int fd, map_fd, queue, ifindex, i;
	unsigned int size;
	socklen_t len;
	time_t end;
	void *umem;

	if (argc != 5) {
		fprintf(stderr, "usage: %s DEV QUEUE XSKMAP_ID SECONDS\n", argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	queue = atoi(argv[2]);
	end = time(NULL) + atoi(argv[4]);
	if (!ifindex || queue < 0) {
		fprintf(stderr, "no device %s or bad queue %s\n", argv[1], argv[2]);
		return 2;
	}
	map_fd = bpf_map_get_fd_by_id(atoi(argv[3]));
	if (map_fd < 0) {
		fprintf(stderr, "no XSKMAP with ID %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	umem = mmap(NULL, (size_t)NFRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (umem == MAP_FAILED || fd < 0) {
		perror("umem or socket");
		return 1;
	}
	memset(&reg, 0, sizeof(reg));
	reg.addr = (__u64)(unsigned long)umem;
	reg.len = (__u64)NFRAMES * FRAME_SIZE;
	reg.chunk_size = FRAME_SIZE;
	size = RING_SIZE;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &size, sizeof(size)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &size, sizeof(size))) {
		perror("UMEM");
		return 1;
	}
	size = RXTX_SIZE;
	if (setsockopt(fd, SOL_XDP, XDP_RX_RING, &size, sizeof(size)) ||
	    setsockopt(fd, SOL_XDP, XDP_TX_RING, &size, sizeof(size))) {
		perror("RX or TX ring");
		return 1;
	}
	len = sizeof(off);
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len) ||
	    ring_map(fd, &fq, &off.fr, RING_SIZE, sizeof(__u64), XDP_UMEM_PGOFF_FILL_RING) ||
	    ring_map(fd, &cq, &off.cr, RING_SIZE, sizeof(__u64),
		     XDP_UMEM_PGOFF_COMPLETION_RING) ||
	    ring_map(fd, &rxq, &off.rx, RXTX_SIZE, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING) ||
	    ring_map(fd, &txq, &off.tx, RXTX_SIZE, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING)) {
		perror("ring mmap");
		return 1;
	}
	for (i = 0; i < NFRAMES; i++)
		fill(&fq, (__u64)i * FRAME_SIZE);

	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = queue;
	sxdp.sxdp_flags = XDP_COPY;
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
		fprintf(stderr, "bind to %s queue %d: %s\n", argv[1], queue, strerror(errno));
		return 1;
	}
	if (bpf_map_update_elem(map_fd, &queue, &fd, 0)) {
		fprintf(stderr, "XSKMAP update: %s\n", strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	while (!atomic_load(&stop) && time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		__u32 n, room, c, sent = 0;

		/* completions: their frames go back to the fill ring */
		n = ring_avail(&cq);
		for (c = 0; c < n; c++)
			fill(&fq, *addr_at(&cq, *cq.consumer + c));
		ring_consume(&cq, n);
		done += n;

		n = poll(&pfd, 1, 100) > 0 ? ring_avail(&rxq) : 0;
		if (n > BATCH)
			n = BATCH;
		room = ring_room(&txq);
		for (c = 0; c < n; c++) {
			struct xdp_desc *d = desc_at(&rxq, *rxq.consumer + c);

			if (d->len < 14 || sent == room) {
				fill(&fq, d->addr);
				continue;
			}
			swap_macs((unsigned char *)umem + d->addr);
			*desc_at(&txq, *txq.producer + sent) = *d;
			sent++;
		}
		ring_consume(&rxq, n);
		ring_produce(&txq, sent);
		rx += n;
		tx += sent;
		/*
		 * Copy mode sends only when asked, at most a batch a call:
		 * ask while the TX ring holds frames. EAGAIN, EBUSY and
		 * ENOBUFS mean "later"; ENETDOWN, that the link flapped.
		 */
		if (ring_room(&txq) < txq.size &&
		    sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS &&
		    errno != ENETDOWN) {
			perror("sendto");
			break;
		}
	}

	len = sizeof(xs);
	memset(&xs, 0, sizeof(xs));
	if (getsockopt(fd, SOL_XDP, XDP_STATISTICS, &xs, &len)) {
		perror("XDP_STATISTICS");
		return 1;
	}
	printf("rx %llu tx %llu completed %llu dropped %llu ring_full %llu fill_empty %llu\n",
	       (unsigned long long)rx, (unsigned long long)tx, (unsigned long long)done,
	       (unsigned long long)xs.rx_dropped, (unsigned long long)xs.rx_ring_full,
	       (unsigned long long)xs.rx_fill_ring_empty_descs);
	/* the kernel rejected none of our descriptors */
	if (xs.rx_invalid_descs || xs.tx_invalid_descs) {
		fprintf(stderr, "invalid descriptors: rx %llu tx %llu\n",
			(unsigned long long)xs.rx_invalid_descs,
			(unsigned long long)xs.tx_invalid_descs);
		return 1;
	}
	return 0;
}
