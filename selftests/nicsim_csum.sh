#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checksum offload and scatter-gather: TCP and UDP leave with their
# checksum computed by the sending device from fragments it gathered, and
# arrive intact; the receiving device verifies TCP/UDP checksums and the
# driver marks those skbs CHECKSUM_UNNECESSARY (counted as csum_unnecessary);
# with rxcsum off nothing is marked; frames corrupted on the wire
# (fail_wire_corrupt) are counted by the device and reach the stack
# unmarked, which finds the bad checksum and drops them (InCsumErrors).
# TSO: over IPv4 and IPv6, the stack hands the driver TCP frames of up to
# 64 KB; the device cuts them into MTU-sized segments with fixed-up
# headers and checksums that the peer's device verifies, and the stream
# arrives intact.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT


ktap_print_header
nicsim_require
ktap_set_plan 6
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
dbg=/sys/kernel/debug/nicsim/nicsim$ID
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null	# resolve ARP

stat1() { nicsim_ethtool_stat "$NS1" "$IF1" "$1"; }
in_csum_errors() {
	ip netns exec "$NS1" awk '/^Udp:/ { if (!seen) { split($0, h); seen = 1; next }
		for (i = 2; i <= NF; i++) if (h[i] == "InCsumErrors") print $i }' /proc/net/snmp
}
# udp COUNT: COUNT 200-byte datagrams NS0 -> NS1; prints how many arrived
udp() {
	local rx

	rx=$(mktemp)
	ip netns exec "$NS1" "$NICSIM_UDP" recv 10.0.0.2 9000 "$1" 5 >"$rx" &
	for _ in $(seq 1 100); do
		grep -q ready "$rx" && break
		sleep 0.1
	done
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 9000 "$1" 1000 200
	wait $!
	awk '/^received/ { print $2 }' "$rx"
	rm -f "$rx"
}

verified() {
	local ok0 err0 got

	ok0=$(stat1 csum_unnecessary)
	err0=$(stat1 rx_csum_errors)
	got=$(udp 50)
	ktap_print_msg "received $got of 50," \
		"csum_unnecessary +$(( $(stat1 csum_unnecessary) - ok0 ))"
	[ "$got" -eq 50 ] && [ $(( $(stat1 csum_unnecessary) - ok0 )) -ge 50 ] &&
		[ "$(stat1 rx_csum_errors)" -eq "$err0" ]
}
ktap_test_result "verified checksums spare the stack (CHECKSUM_UNNECESSARY)" verified

rxcsum_off() {
	local ok0 got rc=0

	ip netns exec "$NS1" ethtool -K "$IF1" rx off || return 1
	ok0=$(stat1 csum_unnecessary)
	got=$(udp 20)
	[ "$got" -eq 20 ] && [ "$(stat1 csum_unnecessary)" -eq "$ok0" ] || rc=1
	ip netns exec "$NS1" ethtool -K "$IF1" rx on
	return $rc
}
ktap_test_result "ethtool -K rx off: nothing is marked, traffic passes" rxcsum_off

corrupted() {
	local err0 snmp0 got errs f=$dbg/port0/fail_wire_corrupt

	err0=$(stat1 rx_csum_errors)
	snmp0=$(in_csum_errors)
	echo 0 >"$f/verbose"
	echo 100 >"$f/probability"
	echo 5 >"$f/times"
	got=$(udp 20)
	ktap_print_msg "received $got of 20," \
		"rx_csum_errors +$(( $(stat1 rx_csum_errors) - err0 ))," \
		"InCsumErrors +$(( $(in_csum_errors) - snmp0 ))"
	# each corrupted datagram is flagged and dropped; a corrupted ARP or
	# neighbour frame (no TCP/UDP checksum) is neither
	errs=$(( $(stat1 rx_csum_errors) - err0 ))
	[ "$errs" -ge 1 ] && [ "$errs" -le 5 ] && [ $((got + errs)) -eq 20 ] &&
		[ $(( $(in_csum_errors) - snmp0 )) -eq "$errs" ]
}
ktap_test_result "fail_wire_corrupt: the device flags them, the stack drops them" corrupted

stat0() { nicsim_ethtool_stat "$NS0" "$IF0" "$1"; }
tcp_sg() {
	local in out frags0 csum0 err0 rc=0

	# without TSO, so that every frame asks for checksum offload
	ip netns exec "$NS0" ethtool -K "$IF0" tso off || return 1
	in=$(mktemp)
	out=$(mktemp)
	head -c 2000000 /dev/urandom >"$in"
	frags0=$(stat0 frags)
	csum0=$(stat0 csum_partial)
	err0=$(stat1 rx_csum_errors)
	ip netns exec "$NS1" timeout 60 nc -d -l 10.0.0.2 9001 >"$out" &
	nicsim_wait eval 'ip netns exec "$NS1" ss -Hltn "sport = 9001" | grep -q .'
	ip netns exec "$NS0" timeout 60 nc -N 10.0.0.2 9001 <"$in"
	wait $!
	ktap_print_msg "TCP: $(stat -c %s "$out") of 2000000 bytes," \
		"frags +$(( $(stat0 frags) - frags0 ))," \
		"csum_partial +$(( $(stat0 csum_partial) - csum0 ))," \
		"rx_csum_errors +$(( $(stat1 rx_csum_errors) - err0 ))"
	cmp -s "$in" "$out" && [ $(( $(stat0 frags) - frags0 )) -gt 0 ] &&
		[ $(( $(stat0 csum_partial) - csum0 )) -gt 0 ] &&
		[ "$(stat1 rx_csum_errors)" -eq "$err0" ] || rc=1
	rm -f "$in" "$out"
	ip netns exec "$NS0" ethtool -K "$IF0" tso on >/dev/null
	return $rc
}
ktap_test_result "TCP with scatter-gather and TX checksum offload arrives intact" tcp_sg

# retrans: TCP segments the sender in NS0 retransmitted
retrans() {
	ip netns exec "$NS0" awk '/^Tcp:/ { if (!seen) { split($0, h); seen = 1; next }
		for (i = 2; i <= NF; i++) if (h[i] == "RetransSegs") print $i }' /proc/net/snmp
}
# tso ADDR: 4 MB over TCP to ADDR with TSO on; the device must have cut
# TSO frames into segments that the peer's device found correct and no
# larger than the MTU (rx_oversize), with the sequence numbers TCP sent:
# on a cable that loses nothing, TCP retransmits no more segments than the
# receiving ring dropped for want of a buffer (a wrong sequence number
# would be retransmitted with none dropped). The ring has 4096 buffers,
# but a debug kernel's NAPI can fall behind a TSO burst (170 seen once).
tso() {
	local in out tso0 segs0 err0 over0 nobuf0 re0 frames segs rc=0

	in=$(mktemp)
	out=$(mktemp)
	head -c 4000000 /dev/urandom >"$in"
	tso0=$(stat0 tso)
	segs0=$(stat0 tx_tso_segs)
	err0=$(( $(stat1 rx_csum_errors) + $(stat0 tx_tso_errors) ))
	over0=$(stat1 rx_oversize)
	nobuf0=$(stat1 rx_no_buffer)
	re0=$(retrans)
	ip netns exec "$NS1" timeout 60 nc -d -l "$1" 9002 >"$out" &
	nicsim_wait eval 'ip netns exec "$NS1" ss -Hltn "sport = 9002" | grep -q .'
	ip netns exec "$NS0" timeout 60 nc -N "$1" 9002 <"$in"
	wait $!
	frames=$(( $(stat0 tso) - tso0 ))
	segs=$(( $(stat0 tx_tso_segs) - segs0 ))
	ktap_print_msg "TCP to $1: $(stat -c %s "$out") of 4000000 bytes," \
		"$frames TSO frames cut into $segs segments," \
		"checksum and TSO errors" \
		"+$(( $(stat1 rx_csum_errors) + $(stat0 tx_tso_errors) - err0 ))," \
		"rx_oversize +$(( $(stat1 rx_oversize) - over0 ))," \
		"rx_no_buffer +$(( $(stat1 rx_no_buffer) - nobuf0 ))," \
		"retransmitted $(( $(retrans) - re0 ))"
	cmp -s "$in" "$out" && [ "$frames" -gt 0 ] && [ "$segs" -gt "$frames" ] &&
		[ $(( $(stat1 rx_csum_errors) + $(stat0 tx_tso_errors) )) -eq "$err0" ] &&
		[ "$(stat1 rx_oversize)" -eq "$over0" ] &&
		[ $(( $(retrans) - re0 )) -le $(( $(stat1 rx_no_buffer) - nobuf0 )) ] || rc=1
	rm -f "$in" "$out"
	return $rc
}
ip netns exec "$NS1" ethtool -G "$IF1" rx 4096
ktap_test_result "TSO over IPv4: the device segments, the stream arrives intact" tso 10.0.0.2
ktap_test_result "TSO over IPv6: the device segments, the stream arrives intact" tso fd00::2

ktap_finished
