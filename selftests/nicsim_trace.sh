#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every nicsim tracepoint, read from tracefs, for one UDP datagram from
# $IF0 to a socket behind $IF1 (with an XDP program on $IF1): the fields
# each event must carry, the join keys (skb address, descriptor, sequence
# number) that tie them together, and their order. Then the two drop
# events: a frame lost on the cable, and one the receiver has no buffer for.

. "$(dirname "$0")/nicsim_lib.sh"

pin=/sys/fs/bpf/nicsim_trace_$$
receiver=""
cleanup() {
	[ -n "$receiver" ] && kill "$receiver" 2>/dev/null
	rm -f "$pin"
	nicsim_cleanup
}
trap cleanup EXIT

PASS_OBJ=$NICSIM_PASS_OBJ
PAYLOAD=123
LEN=$((14 + 20 + 8 + PAYLOAD))		# the frame on the wire
EVENTS="nicsim_tx_post nicsim_tx_doorbell nicsim_tx_dma_read nicsim_wire
	nicsim_rx_dma_write nicsim_rx_drop nicsim_irq_raise nicsim_irq_handle
	nicsim_rx_desc nicsim_xdp_verdict nicsim_rx_skb nicsim_rx_doorbell
	nicsim_tx_clean"

ktap_print_header
nicsim_require
ktap_set_plan 15
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
for ev in $EVENTS; do
	[ -d "$NICSIM_TRACEFS/events/nicsim/$ev" ] ||
		ktap_exit_fail_msg "no nicsim:$ev in $NICSIM_TRACEFS"
done
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
if ! [ -x "$BPFTOOL" ] || ! "$BPFTOOL" prog load "$PASS_OBJ" "$pin" type xdp; then
	ktap_exit_fail_msg "cannot load $PASS_OBJ"
fi
id=$("$BPFTOOL" prog show pinned "$pin" | awk -F: 'NR == 1 { print $1 }')
ip netns exec "$NS1" "$BPFTOOL" net attach xdpdrv id "$id" dev "$IF1" ||
	ktap_exit_fail_msg "cannot attach XDP to $IF1"
# no IPv6 on the cable (MLD reports come at random times): the datagram
# must travel alone
ip netns exec "$NS0" sysctl -qw "net.ipv6.conf.$IF0.disable_ipv6=1"
ip netns exec "$NS1" sysctl -qw "net.ipv6.conf.$IF1.disable_ipv6=1"
# and no ARP: the neighbours are set for good
ip -n "$NS0" neigh replace 10.0.0.2 dev "$IF0" nud permanent \
	lladdr "$(ip -n "$NS1" -br link show "$IF1" | awk '{ print $3 }')"
ip -n "$NS1" neigh replace 10.0.0.1 dev "$IF1" nud permanent \
	lladdr "$(ip -n "$NS0" -br link show "$IF0" | awk '{ print $3 }')"
irq1=$(awk -v n="$IF1-rxtx-0" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)

nicsim_trace_instance nicsim-trace
inst=$NICSIM_TRACE_INSTANCE
for ev in $EVENTS; do
	echo 1 >"$inst/events/nicsim/$ev/enable"
done
recv_out=$(mktemp)
nicsim_udp_recv "$NS1" 10.0.0.2 4000 1 10 "$recv_out" ||
	ktap_exit_fail_msg "the receiver did not bind"
receiver=$NICSIM_RECV_PID
ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 4000 1 0 "$PAYLOAD" ||
	ktap_exit_fail_msg "send failed"
wait "$receiver"
rc=$?
receiver=""
rm -f "$recv_out"
# the TX completion may come after the receiver's wake-up: every frame
# posted is cleaned
cleaned() {
	[ "$(grep -c ' nicsim_tx_clean: ' "$inst/trace")" -ge \
	  "$(grep -c ' nicsim_tx_post: ' "$inst/trace")" ]
}
nicsim_wait cleaned
echo 0 >"$inst/tracing_on"
mapfile -t trace < <(grep -v '^#' "$inst/trace")
ktap_print_msg "${#trace[@]} events traced"
[ "$rc" -eq 0 ] || ktap_exit_fail_msg "the datagram did not reach the socket"

n='([0-9]+)'
# find EVENT REGEX: sets $line (index in trace) and BASH_REMATCH of the
# first event matching "EVENT: REGEX", or line=-1
find() {
	local i

	line=-1
	for i in "${!trace[@]}"; do
		if [[ ${trace[$i]} =~ $1:\ $2 ]]; then
			line=$i
			return 0
		fi
	done
	ktap_print_msg "no $1 matching: $2"
	return 1
}

declare -A at		# event -> line
check() {	# NAME EVENT REGEX: find it and remember where
	find "$2" "$3" && at[$1]=$line
}

# TX on $IF0: the skb is posted, the doorbell rung, the frame read by DMA.
tx_post() {
	local re="dev=$IF0 ifindex=$n queue=0 skbaddr=([0-9a-f]+) desc=$n ndesc=1 len=$LEN"

	check post nicsim_tx_post "$re" &&
		skb=${BASH_REMATCH[2]} tdesc=${BASH_REMATCH[3]}
}
ktap_test_result "nicsim_tx_post: $IF0 queue 0, the $LEN-byte skb in one descriptor" tx_post

tx_doorbell() {
	check doorbell nicsim_tx_doorbell "dev=$IF0 ifindex=$n queue=0 tail=$n posted=$n" &&
		[ "${BASH_REMATCH[3]}" -ge 1 ]
}
ktap_test_result "nicsim_tx_doorbell: $IF0 rang with posted >= 1" tx_doorbell

tx_dma_read() {
	local re="dev=$IF0 ifindex=$n queue=0 desc=$tdesc len=$LEN seq=$n dma_ts=$n"

	check dma_read nicsim_tx_dma_read "$re" &&
		seq=${BASH_REMATCH[2]} tx_ts=${BASH_REMATCH[3]} && [ "$seq" -gt 0 ]
}
ktap_test_result "nicsim_tx_dma_read: the posted descriptor, a sequence number" tx_dma_read

wire() {
	local re="dev=$IF0 ifindex=$n peer=$IF1 seq=$seq len=$LEN latency_ns=0 result=delivered"

	check wire nicsim_wire "$re"
}
ktap_test_result "nicsim_wire: $IF0 -> $IF1 delivered, same seq" wire

rx_dma_write() {
	local re="dev=$IF1 ifindex=$n queue=0 desc=$n len=$LEN seq=$seq dma_ts=$n"

	check dma_write nicsim_rx_dma_write "$re" &&
		rdesc=${BASH_REMATCH[2]} rx_ts=${BASH_REMATCH[3]} &&
		[ "$rx_ts" -ge "$tx_ts" ]
}
ktap_test_result "nicsim_rx_dma_write: $IF1, same seq, DMA time after the TX read" rx_dma_write

irq_raise() {
	local re="dev=$IF1 ifindex=$n vector=0 irq=$irq1 cpu=$n reason=[a-z]+"

	check raise nicsim_irq_raise "$re rx_batch=$n tx_batch=$n" &&
		[ "${BASH_REMATCH[3]}" -ge 1 ]
}
ktap_test_result "nicsim_irq_raise: $IF1 vector 0 on IRQ $irq1, rx_batch >= 1" irq_raise

irq_handle() {
	local re="dev=$IF1 ifindex=$n queue=0 irq=$irq1 raise_ns=$n delay_ns=$n"

	check handle nicsim_irq_handle "$re" &&
		[ "${BASH_REMATCH[2]}" -gt 0 ]
}
ktap_test_result "nicsim_irq_handle: $IF1 queue 0's handler, with the raise time" irq_handle

rx_desc() {
	local re="dev=$IF1 ifindex=$n queue=0 desc=$rdesc len=$LEN seq=$seq dma_ts=$rx_ts"

	check desc nicsim_rx_desc "$re"
}
ktap_test_result "nicsim_rx_desc: the written descriptor, same seq" rx_desc

xdp_verdict() {
	check xdp nicsim_xdp_verdict "dev=$IF1 ifindex=$n queue=0 desc=$rdesc seq=$seq act=PASS"
}
ktap_test_result "nicsim_xdp_verdict: PASS for the frame" xdp_verdict

rx_skb() {
	local re="dev=$IF1 ifindex=$n queue=0 desc=$rdesc seq=$seq skbaddr=[0-9a-f]+"

	re="$re len=$((LEN - 14)) hash=0x[0-9a-f]{8} ip_summed=1 vlan_tci=0x0000"
	check skb nicsim_rx_skb "$re"
}
ktap_test_result "nicsim_rx_skb: an skb of the frame less its Ethernet header" rx_skb

rx_doorbell() {
	check refill nicsim_rx_doorbell "dev=$IF1 ifindex=$n queue=0 tail=$n posted=[1-9]"
}
ktap_test_result "nicsim_rx_doorbell: $IF1 refilled" rx_doorbell

tx_clean() {
	local re="dev=$IF0 ifindex=$n queue=0 desc=$tdesc skbaddr=$skb len=$LEN seq=$seq"

	check clean nicsim_tx_clean "$re dma_ts=$tx_ts"
}
ktap_test_result "nicsim_tx_clean: the posted skb, with the device's seq and time" tx_clean

in_order() {
	local prev=-1 s

	for s in "$@"; do
		if [ -z "${at[$s]:-}" ] || [ "${at[$s]}" -le "$prev" ]; then
			ktap_print_msg "order broken at $s (line ${at[$s]:-none}, previous $prev)"
			return 1
		fi
		prev=${at[$s]}
	done
}
tx_order() { in_order post doorbell dma_read wire clean; }
ktap_test_result "order, TX: post, doorbell, DMA read, wire, clean" tx_order
rx_order() { in_order wire dma_write raise handle desc xdp skb refill; }
ktap_test_result "order, RX: DMA write, raise, handler, descriptor, XDP, skb, refill" rx_order

# The drops: one frame lost on the cable, then one with $IF1 down.
drops() {
	local d=/sys/kernel/debug/nicsim/nicsim$ID/port0/fail_wire_drop
	local re="dev=$IF0 ifindex=$n peer=$IF1 seq=$n len=$LEN latency_ns=0 result=dropped"

	echo 1 >"$inst/tracing_on"
	echo >"$inst/trace"
	echo 100 >"$d/probability" && echo 1 >"$d/times" || return 1
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 4000 1 0 "$PAYLOAD" || return 1
	ip -n "$NS1" link set "$IF1" down
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 4000 1 0 "$PAYLOAD" || return 1
	# the TX engine puts each on the cable in its own time
	nicsim_wait eval 'grep -q " nicsim_rx_drop: " "$inst/trace" &&
		grep -q " nicsim_wire: .*result=dropped" "$inst/trace"'
	echo 0 >"$inst/tracing_on"
	mapfile -t trace < <(grep -v '^#' "$inst/trace")
	ip -n "$NS1" link set "$IF1" up
	find nicsim_wire "$re" &&
		find nicsim_rx_drop "dev=$IF1 ifindex=$n queue=0 seq=$n len=$LEN reason=no_buffer"
}
ktap_test_result "nicsim_wire result=dropped, nicsim_rx_drop reason=no_buffer" drops

ktap_finished
