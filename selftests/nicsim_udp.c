// SPDX-License-Identifier: GPL-2.0
/*
 * UDP helper for nicsim's shell tests (not a test itself).
 *
 *   nicsim_udp recv ADDR PORT COUNT TIMEOUT_S
 *	bind, print "ready", receive until COUNT datagrams or the timeout,
 *	print "received N in-order M"; exit 0 only if all COUNT arrived in
 *	order.
 *   nicsim_udp send ADDR PORT COUNT [INTERVAL_US [PAYLOAD]]
 *	send COUNT datagrams numbered 0..COUNT-1, INTERVAL_US apart, each
 *	padded to PAYLOAD bytes (at most 1400).
 *   nicsim_udp hold ADDR PORT SECONDS
 *	bind, print "ready", let datagrams queue unread for SECONDS, then
 *	print "held N rmem B": how many were queued, and the receive
 *	memory they took (SO_MEMINFO: the sum of their skbs' truesize).
 *
 * ADDR is IPv4 or IPv6.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int make_addr(const char *host, const char *port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(port));
		*len = sizeof(*in);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		*len = sizeof(*in6);
		return AF_INET6;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	int fd, family, count, i;
	socklen_t len;
	char buf[1500];

	if (argc < 5 || (strcmp(argv[1], "recv") && strcmp(argv[1], "send") &&
			 strcmp(argv[1], "hold"))) {
		fprintf(stderr, "usage: %s recv ADDR PORT COUNT TIMEOUT_S", argv[0]);
		fprintf(stderr, " | send ADDR PORT COUNT [INTERVAL_US [PAYLOAD]]");
		fprintf(stderr, " | hold ADDR PORT SECONDS\n");
		return 2;
	}
	family = make_addr(argv[2], argv[3], &ss, &len);
	count = atoi(argv[4]);
	if (family < 0 || count <= 0) {
		fprintf(stderr, "bad address or count\n");
		return 2;
	}
	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}

	if (!strcmp(argv[1], "send")) {
		int interval = argc > 5 ? atoi(argv[5]) : 0;
		int payload = argc > 6 ? atoi(argv[6]) : 0;

		if (payload < 0 || payload > 1400) {
			fprintf(stderr, "PAYLOAD must be 0..1400\n");
			return 2;
		}
		for (i = 0; i < count; i++) {
			if (interval && i)
				usleep(interval);
			int n = snprintf(buf, sizeof(buf), "%d", i);

			if (n < payload) {	/* "17 xxx...": atoi still reads 17 */
				buf[n] = ' ';
				memset(buf + n + 1, 'x', payload - n - 1);
				n = payload;
			}

			if (sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len) != n) {
				perror("sendto");
				return 1;
			}
		}
		return 0;
	}

	if (!strcmp(argv[1], "hold")) {
		__u32 mem[SK_MEMINFO_VARS];
		socklen_t mlen = sizeof(mem);
		int held = 0;

		if (bind(fd, (struct sockaddr *)&ss, len)) {
			perror("bind");
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		sleep(count);
		if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &mlen)) {
			perror("SO_MEMINFO");
			return 1;
		}
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			held++;
		printf("held %d rmem %u\n", held, mem[SK_MEMINFO_RMEM_ALLOC]);
		return 0;
	}

	int timeout_ms = (argc > 5 ? atoi(argv[5]) : 10) * 1000;
	int got = 0, in_order = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	/* page-sized RX buffers: room for a burst whatever rmem_max says */
	int rcvbuf = 8 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		perror("bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (got < count && poll(&pfd, 1, timeout_ms) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			break;
		buf[n] = '\0';
		if (atoi(buf) == in_order)
			in_order++;
		got++;
	}
	printf("received %d in-order %d\n", got, in_order);
	return got == count && in_order == count ? 0 : 1;
}
