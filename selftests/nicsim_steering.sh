#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flow steering (ethtool -N) and RSS contexts (ethtool -X context) on a
# 4-queue nicsim port: the device matches each frame against its rules
# before RSS, and the datagrams land on the queue, the context's queues or
# nowhere, as the rule says; ethtool -n lists the rules; what the device
# cannot match is refused; with ntuple off the rules are ignored.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require ethtool
ktap_set_plan 8
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 4 || ktap_exit_fail_msg "cannot set up a 4-queue port pair"
e1() { ip netns exec "$NS1" ethtool "$@"; }
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null	# resolve ARP

# rxq Q: port 1's queue Q RX packets
rxq() { nicsim_ethtool_now_stat "rx$1_packets"; }
nicsim_ethtool_now_stat() {
	e1 -S "$IF1" | awk -v s="$1:" '$1 == s { print $2 }'
}
# queues: port 1's RX packets per queue, space separated
queues() { echo "$(rxq 0) $(rxq 1) $(rxq 2) $(rxq 3)"; }
# delta BEFORE AFTER: per-queue differences
delta() {
	local -a a=($1) b=($2)

	echo "$((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2])) $((b[3] - a[3]))"
}
# send PORT SOCKETS N: N datagrams to 10.0.0.2:PORT from each of SOCKETS
# sockets (each its own source port), 1 ms apart
send() {
	local i

	for i in $(seq "$2"); do
		ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$1" "$3" 1000 >/dev/null ||
			return 1
	done
}
# rule_id ETHTOOL-N-ARGS...: add a rule, print its ID ("Added rule with ID N")
rule_id() { e1 -N "$IF1" "$@" | awk '/Added rule with ID/ { print $NF }'; }

to_queue() {
	local id before d

	id=$(rule_id flow-type udp4 dst-port 7001 action 3) && [ -n "$id" ] || return 1
	before=$(queues)
	send 7001 4 50 || return 1
	d=$(delta "$before" "$(queues)")
	ktap_print_msg "rule $id, udp4 dst-port 7001 -> queue 3: per-queue RX $d"
	set -- $d
	[ "$4" -ge 200 ] && [ $(($1 + $2 + $3)) -lt 20 ]
}
ktap_test_result "udp4 dst-port rule sends every datagram to queue 3" to_queue

listed() {
	local out

	out=$(e1 -n "$IF1")
	echo "$out" | grep -q "Total 1 rules" &&
		echo "$out" | grep -q "Rule Type: UDP over IPv4" &&
		echo "$out" | grep -q "Dest port: 7001 mask: 0x0" &&
		echo "$out" | grep -q "Action: Direct to queue 3"
}
ktap_test_result "ethtool -n lists the rule" listed

drops() {
	local before after

	rule_id flow-type udp4 dst-port 7003 action -1 >/dev/null || return 1
	before=$(nicsim_stat "$NS1" "$IF1" rx_dropped)
	send 7003 1 50 || return 1
	after=$(nicsim_stat "$NS1" "$IF1" rx_dropped)
	ktap_print_msg "drop rule: rx_dropped +$((after - before))"
	[ $((after - before)) -eq 50 ]
}
ktap_test_result "a drop rule drops in the device, counted as rx_dropped" drops

context() {
	local ctx before d

	ctx=$(e1 -X "$IF1" context new start 2 equal 2 | awk '/New RSS context is/ { print $NF }')
	[ -n "$ctx" ] || return 1
	CTX=$ctx
	e1 -x "$IF1" context "$ctx" | grep -q "^  *0:  *2  *3  *2  *3" || return 1
	CTX_RULE=$(rule_id flow-type udp4 dst-port 7004 context "$ctx") || return 1
	before=$(queues)
	send 7004 16 20 || return 1
	d=$(delta "$before" "$(queues)")
	ktap_print_msg "context $ctx (queues 2, 3), 16 flows: per-queue RX $d"
	set -- $d
	[ "$3" -gt 0 ] && [ "$4" -gt 0 ] && [ $(($3 + $4)) -ge 320 ] &&
		[ $(($1 + $2)) -lt 20 ]
}
ktap_test_result "a context rule spreads flows over the context's queues 2 and 3" context

context_busy() {
	[ -n "${CTX:-}" ] || return 1
	! e1 -X "$IF1" context "$CTX" delete 2>/dev/null &&
		e1 -N "$IF1" delete "$CTX_RULE" &&
		e1 -X "$IF1" context "$CTX" delete &&
		! e1 -x "$IF1" context "$CTX" >/dev/null 2>&1
}
ktap_test_result "a context in use by a rule is not deleted; unused, it is" context_busy

refused() {
	local bad acc=""

	for bad in "flow-type udp4 dst-port 1 action 4" \
		   "flow-type udp4 dst-port 1 context 9" \
		   "flow-type udp4 dst-port 1 action 1 loc 128" \
		   "flow-type udp4 tos 4 action 1" \
		   "flow-type ether dst 00:11:22:33:44:55 action 1" \
		   "flow-type udp4 dst-port 1 vlan 5 action 1"; do
		# shellcheck disable=SC2086
		e1 -N "$IF1" $bad >/dev/null 2>&1 && acc="$acc [$bad]"
	done
	[ -n "$acc" ] && ktap_print_msg "accepted:$acc"
	[ -z "$acc" ] && e1 -n "$IF1" | grep -q "Total 2 rules"
}
ktap_test_result "rules it cannot match or act on are refused, the table intact" refused

ntuple_off() {
	local before after

	e1 -K "$IF1" ntuple off || return 1
	before=$(nicsim_stat "$NS1" "$IF1" rx_dropped)
	send 7003 1 50 || return 1
	after=$(nicsim_stat "$NS1" "$IF1" rx_dropped)
	e1 -K "$IF1" ntuple on || return 1
	ktap_print_msg "ntuple off: rx_dropped +$((after - before))"
	[ "$after" -eq "$before" ] && e1 -k "$IF1" | grep -q "ntuple-filters: on"
}
ktap_test_result "with ntuple off the device ignores its rules" ntuple_off

delete_all() {
	local id

	for id in $(e1 -n "$IF1" | awk '/^Filter:/ { print $2 }'); do
		e1 -N "$IF1" delete "$id" || return 1
	done
	e1 -n "$IF1" | grep -q "Total 0 rules" &&
		! e1 -N "$IF1" delete 5 2>/dev/null
}
ktap_test_result "rules are deleted; deleting a missing one fails" delete_all

ktap_finished
