#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Header split, queue management and devmem TCP on a nicsim port pair:
#  - ethtool -G tcp-data-split on: the device writes TCP headers and
#    payloads into separate buffers (hwN_rx_header_split counts them), a
#    TCP stream arrives intact, other frames (ping) whole;
#  - it and XDP exclude each other, and it keeps the MTU's payload to a
#    page: refused with a message;
#  - upstream's ncdevmem (selftests/net), unchanged: it binds a udmabuf to
#    RX queues 2 and 3 (netdev netlink bind-rx: each queue restarted with
#    the dma-buf's memory through the queue management ops), steers its
#    flow to queue 2 with ethtool -N, and receives a TCP stream into the
#    dma-buf, checking every byte; on the way it checks that binding
#    fails with header split off and that a bound queue cannot be
#    deactivated. Then ordinary traffic flows again on every queue.
# ncdevmem runs "sudo ethtool"; the test is root already, and its sudo
# runs the command as it is, with the test's PATH (the ethtool that can
# set tcp-data-split).

. "$(dirname "$0")/nicsim_lib.sh"

tmp=$(mktemp -d)
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

NCDEVMEM=$lib_dir/ncdevmem

ktap_print_header
nicsim_require ethtool socat sha256sum
[ -x "$NCDEVMEM" ] || ktap_exit_fail_msg "$NCDEVMEM is missing: it is installed with these tests"
if [ ! -c /dev/udmabuf ]; then
	ktap_skip_all "optional: devmem TCP needs CONFIG_UDMABUF (/dev/udmabuf)"
	exit "$KSFT_SKIP"
fi
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 4 || ktap_exit_fail_msg "cannot set up a port pair"
ktap_set_plan 4
e0() { ip netns exec "$NS0" ethtool "$@"; }
e1() { ip netns exec "$NS1" ethtool "$@"; }
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null

# stream PORT BYTES: BYTES of random data over TCP from port 0 to port 1;
# fails unless they arrive intact
stream() {
	local sent got

	head -c "$2" /dev/urandom >"$tmp/data"
	sent=$(sha256sum <"$tmp/data")
	ip netns exec "$NS1" socat -u "TCP4-LISTEN:$1,reuseaddr" - 2>/dev/null |
		sha256sum >"$tmp/got" &
	nicsim_wait eval "ip netns exec $NS1 ss -Htln | grep -q ':$1 '" || return 1
	ip netns exec "$NS0" socat -u "FILE:$tmp/data" "TCP4:10.0.0.2:$1" || return 1
	wait
	got=$(cat "$tmp/got")
	[ "$got" = "$sent" ] || { ktap_print_msg "the stream arrived changed"; return 1; }
}

split() {
	local before after

	e1 -G "$IF1" tcp-data-split on || return 1
	e1 -g "$IF1" | grep -q "TCP data split:.*on" ||
		{ ktap_print_msg "ethtool -g: $(e1 -g "$IF1" | grep -i split)"; return 1; }
	before=$(nicsim_ethtool_stat "$NS1" "$IF1" rx_header_split)
	stream 5300 1000000 || return 1
	ip netns exec "$NS0" ping -q -c 3 -i 0.2 -W 5 10.0.0.2 >/dev/null ||
		{ ktap_print_msg "ping failed"; return 1; }
	after=$(nicsim_ethtool_stat "$NS1" "$IF1" rx_header_split)
	ktap_print_msg "1 MB over TCP intact: $((after - before)) segments split"
	[ $((after - before)) -ge 600 ]
}
ktap_test_result "tcp-data-split on: TCP payloads apart from their headers, the stream intact" \
	split

refusals() {
	local ok=0

	if ip -n "$NS1" link set dev "$IF1" xdpdrv obj "$NICSIM_PASS_OBJ" sec xdp 2>"$tmp/err"; then
		ktap_print_msg "XDP attached with tcp-data-split on"
		ip -n "$NS1" link set dev "$IF1" xdpdrv off
		ok=1
	fi
	ktap_print_msg "XDP: $(grep -m 1 -o 'XDP needs.*' "$tmp/err")"
	grep -q "XDP needs each frame in one buffer" "$tmp/err" || ok=1
	if ip -n "$NS1" link set dev "$IF1" mtu 9000 2>/dev/null; then
		ktap_print_msg "MTU 9000 accepted with tcp-data-split on"
		ok=1
	fi
	e1 -G "$IF1" tcp-data-split off || ok=1
	ip -n "$NS1" link set dev "$IF1" xdpdrv obj "$NICSIM_PASS_OBJ" sec xdp || ok=1
	if e1 -G "$IF1" tcp-data-split on 2>"$tmp/err"; then
		ktap_print_msg "tcp-data-split on with XDP attached"
		ok=1
	fi
	ktap_print_msg "tcp-data-split: $(head -n 1 "$tmp/err")"
	ip -n "$NS1" link set dev "$IF1" xdpdrv off
	return $ok
}
ktap_test_result "tcp-data-split and XDP, or an MTU past a page: refused" refusals

# ncdevmem finds "sudo" first in PATH: it runs its command as it is
mkdir "$tmp/bin"
printf '#!/bin/sh\nexec "$@"\n' >"$tmp/bin/sudo"
chmod +x "$tmp/bin/sudo"

BYTES=500000
devmem() {
	local srv rc

	ip netns exec "$NS1" env PATH="$tmp/bin:$PATH" "$NCDEVMEM" -l -f "$IF1" \
		-s 10.0.0.2 -c 10.0.0.1 -p 5201 -t 2 -q 2 -v 7 >"$tmp/out" 2>"$tmp/log" &
	srv=$!
	for _ in $(seq 300); do
		grep -q "Waiting or connection" "$tmp/log" && break
		kill -0 $srv 2>/dev/null || break
		sleep 0.2
	done
	grep -q "Waiting or connection" "$tmp/log" || {
		grep -v "^Running\|^recvmsg" "$tmp/log" | tail -n 5 | sed 's/^/# # /'
		return 1
	}
	# ncdevmem -v 7 checks the bytes 1..6, 0 over and over
	yes "$(printf '\001\002\003\004\005\006')" | tr '\n' '\0' | head -c $BYTES |
		ip netns exec "$NS0" socat -u - "TCP4:10.0.0.2:5201,sourceport=5201"
	wait $srv
	rc=$?
	grep "^Running" "$tmp/log" | sed 's/^/# # /'
	grep -v "^Running\|^recvmsg\|^received frag\|^total_received" "$tmp/log" |
		tail -n 8 | sed 's/^/# # /'
	grep "^total_received" "$tmp/log" | tail -n 1 | sed 's/^/# # /'
	[ $rc -eq 0 ] && grep -q "^total_received=$BYTES$" "$tmp/log" &&
		! grep -q "Failed validation" "$tmp/log"
}
ktap_test_result "ncdevmem: a TCP stream into a udmabuf on queues 2-3, every byte checked" \
	devmem

after() {
	ip netns exec "$NS1" ip link show "$IF1" >/dev/null || return 1
	e1 -X "$IF1" equal 4 || return 1
	stream 5301 200000 || return 1
	e1 -G "$IF1" tcp-data-split off || return 1
	stream 5302 200000
}
ktap_test_result "after ncdevmem, the queues take ordinary traffic; tcp-data-split goes off" after

ktap_finished
