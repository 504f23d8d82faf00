#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netdev netlink family (through the tree's YNL CLI) sees nicsim as
# the driver set it up: each RX and TX queue linked to its queue pair's
# NAPI instance, whose IRQ is the pair's vector; one page_pool per RX
# queue on that NAPI, with statistics that count allocation and recycling;
# per-queue statistics (qstats-get) that agree with ip -s link, with fewer
# channels too; and pools that go away once an XDP detach has replaced
# them, XDP_TX frames still on the TX rings.

. "$(dirname "$0")/nicsim_lib.sh"

pin=/sys/fs/bpf/nicsim_netlink_$$
cleanup() {
	rm -rf "$pin"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require
# the YNL CLI and the netdev spec: in the tree the test runs from, or in
# the one KSRC names (an installed test has no tree around it)
for d in "$(dirname "$0")/../../../../../.." "${KSRC:-/nonexistent}"; do
	if [ -f "$d/tools/net/ynl/cli.py" ]; then
		ynl_dir=$d
		break
	fi
done
if [ -z "${ynl_dir:-}" ]; then
	ktap_skip_all "no tools/net/ynl/cli.py: run in the tree, or set KSRC"
	exit "$KSFT_SKIP"
fi
py=""
for p in python3 /usr/bin/python3; do
	"$p" -c 'import yaml' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || { ktap_skip_all "no python3 with yaml"; exit "$KSFT_SKIP"; }

ktap_set_plan 6
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"
ifindex=$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/ifindex")

# ynl OP: dump a netdev operation in namespace $NS1, as JSON
ynl() {
	ip netns exec "$NS1" "$py" "$ynl_dir/tools/net/ynl/cli.py" --no-schema \
		--spec "$ynl_dir/Documentation/netlink/specs/netdev.yaml" \
		--output-json --dump "$1"
}
# jq-like: evaluate a Python expression over the JSON on stdin as `d`
# (further arguments are sys.argv[1:])
pyq() { "$py" -c "import json, sys; d = json.load(sys.stdin); $1" "${@:2}"; }
irq_of() { awk -v n="$IF1-rxtx-$1" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts; }

queues=$(ynl queue-get) || ktap_exit_fail_msg "queue-get failed"
napis=$(ynl napi-get) || ktap_exit_fail_msg "napi-get failed"

# queue_napi Q TYPE: the NAPI ID of the port's queue Q of TYPE (rx or tx)
queue_napi() {
	local sel="x['ifindex'] == $ifindex and x['id'] == $1 and x['type'] == '$2'"

	echo "$queues" | pyq "print(*[x.get('napi-id', 0) for x in d if $sel])"
}

queues_linked() {
	local q rx tx irq

	for q in 0 1; do
		rx=$(queue_napi "$q" rx)
		tx=$(queue_napi "$q" tx)
		irq=$(echo "$napis" |
			pyq "print(*[x.get('irq', 0) for x in d if x['id'] == ${rx:-0}])")
		ktap_print_msg "queue $q: rx napi ${rx:-none}, tx napi ${tx:-none}," \
			"irq ${irq:-none} ($IF1-rxtx-$q is $(irq_of "$q"))"
		[ -n "$rx" ] && [ "$rx" != 0 ] && [ "$rx" = "$tx" ] &&
			[ "$irq" = "$(irq_of "$q")" ] || return 1
	done
	[ "$(echo "$queues" | pyq "print(len([x for x in d if x['ifindex'] == $ifindex]))")" -eq 4 ]
}
ktap_test_result "queues link to their pair's NAPI, whose IRQ is the vector" queues_linked

pools_per_queue() {
	local pools napi_ids pool_napis
	local rxq="x['ifindex'] == $ifindex and x['type'] == 'rx'"
	local port="x.get('ifindex') == $ifindex"

	pools=$(ynl page-pool-get) || return 1
	# one pool per RX queue, on that queue's NAPI instance
	napi_ids=$(echo "$queues" | pyq "print(*sorted(x['napi-id'] for x in d if $rxq))")
	pool_napis=$(echo "$pools" | pyq "print(*sorted(x.get('napi-id', 0) for x in d if $port))")
	ktap_print_msg "RX NAPIs: $napi_ids; pools on: $pool_napis"
	[ "$pool_napis" = "$napi_ids" ]
}
ktap_test_result "one page_pool per RX queue, on its NAPI" pools_per_queue

# pool stats of the port, summed: FIELD...
pool_stats() {
	ynl page-pool-stats-get | pyq "
s = [x for x in d if x['info'].get('ifindex') == $ifindex]
print(*[sum(x.get(f, 0) for x in s) for f in sys.argv[1:]])" "$@"
}

stats_count() {
	local before after

	before=$(pool_stats alloc-fast alloc-slow recycle-cached recycle-ring)
	ip netns exec "$NS0" ping -q -c 50 -i 0.01 -W 2 10.0.0.2 >/dev/null || return 1
	after=$(pool_stats alloc-fast alloc-slow recycle-cached recycle-ring)
	ktap_print_msg "alloc-fast alloc-slow recycle-cached recycle-ring: $before -> $after"
	# the first fill allocates slowly; each of the 50 frames is half a
	# page (MTU 1500, no XDP), and a page comes back to the pool once
	# both of its halves have: 25 pages, or 24 if the last one's other
	# half is still on the ring
	read -r af0 as0 rc0 rr0 <<<"$before"
	read -r af as rc rr <<<"$after"
	[ "$as0" -gt 0 ] && [ $(( (rc + rr) - (rc0 + rr0) )) -ge 24 ] &&
		[ $(( (af + as) - (af0 + as0) )) -ge 50 ]
}
ktap_test_result "page_pool statistics count allocation and recycling" stats_count

# Detaching the last XDP program gives the RX queues fragments again, from
# new pools on their NAPI instances. XDP_TX frames still on the TX rings
# are pages of the old pools, to be returned before those go: one
# recycled into a pool already destroyed would keep it listed, detached,
# forever. Lost interrupts (fail_lost_irq) leave the completions to the
# driver's watchdog, so XDP_TX frames wait on the rings for up to a second.
lost_irq=/sys/kernel/debug/nicsim/nicsim$ID/port1/fail_lost_irq
xdp_tx_count() {
	ip netns exec "$NS1" ethtool -S "$IF1" |
		awk '$1 ~ /^rx[0-9]+_xdp_tx:$/ { s += $2 } END { print s + 0 }'
}
xdp_tx_detach() {
	local detached="x.get('ifindex') == $ifindex and 'detach-time' in x"
	local dbg=$lost_irq id tx0 tx1 flood left i

	"$BPFTOOL" prog loadall "$lib_dir/nicsim_soak.bpf.o" "$pin" || return 1
	# ip netns exec has its own /sys: name the program by id there
	id=$("$BPFTOOL" prog show pinned "$pin/soak_tx" | awk -F: 'NR == 1 { print $1 }')
	ip netns exec "$NS1" "$BPFTOOL" net attach xdpdrv id "$id" dev "$IF1" ||
		return 1
	tx0=$(xdp_tx_count)
	echo 0 >"$dbg/verbose"
	echo 100 >"$dbg/probability"
	echo 1 >"$dbg/interval"
	echo -1 >"$dbg/times"
	# UDP to port 7, which the program sends back
	ip netns exec "$NS0" timeout 4 bash -c \
		'while :; do echo x; done >/dev/udp/10.0.0.2/7' 2>/dev/null &
	flood=$!
	sleep 2
	ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1"
	wait "$flood"
	echo 0 >"$dbg/times"
	tx1=$(xdp_tx_count)
	rm -rf "$pin"
	# a pool is released within a second of its last page's return
	for i in $(seq 20); do
		left=$(ynl page-pool-get | pyq "print(len([x for x in d if $detached]))")
		[ "$left" = 0 ] && break
		sleep 0.5
	done
	ktap_print_msg "XDP_TX: $((tx1 - tx0)) frames; pools left detached: $left"
	[ $((tx1 - tx0)) -gt 0 ] && [ "$left" = 0 ] && pools_per_queue
}
if [ -d "$lost_irq" ]; then
	ktap_test_result "XDP detach with XDP_TX frames in flight releases the old pools" \
		xdp_tx_detach
else
	what="XDP detach with XDP_TX frames in flight"
	ktap_test_skip "$what (optional: needs CONFIG_FAULT_INJECTION_DEBUG_FS)"
fi

# qstats FIELD [SCOPE]: FIELD of the port's qstats-get, summed over its
# entries (no SCOPE: the device's totals; "queue": each queue's)
qstats() {
	local req="{\"ifindex\": $ifindex${2:+, \"scope\": \"$2\"}}"

	ip netns exec "$NS1" "$py" "$ynl_dir/tools/net/ynl/cli.py" --no-schema \
		--spec "$ynl_dir/Documentation/netlink/specs/netdev.yaml" \
		--output-json --dump qstats-get --json "$req" |
		pyq "print(sum(x.get('$1', 0) for x in d if x.get('ifindex') == $ifindex))"
}
# the device's qstats, the queues' sum, and sysfs agree (a frame may land
# between two reads: try a few times)
qstats_match() {
	local i dev q sys

	for i in 1 2 3; do
		dev="$(qstats rx-packets) $(qstats tx-packets)"
		sys="$(nicsim_stat "$NS1" "$IF1" rx_packets)"
		sys="$sys $(nicsim_stat "$NS1" "$IF1" tx_packets)"
		q="$(qstats rx-packets queue) $(qstats tx-packets queue)"
		[ "$dev" = "$sys" ] && break
	done
	ktap_print_msg "$1: rx/tx packets: qstats $dev, queues' sum $q, ip -s link $sys"
	# with all channels in use, the queues hold everything
	[ "$dev" = "$sys" ] && [ "$dev" != "0 0" ] &&
		{ [ "$1" != "2 channels" ] || [ "$q" = "$dev" ]; }
}
qstats_agree() {
	local before

	ip netns exec "$NS0" ping -q -c 20 -i 0.01 -W 2 10.0.0.2 >/dev/null || return 1
	qstats_match "2 channels" || return 1
	before=$(qstats rx-packets)
	ip netns exec "$NS1" ethtool -L "$IF1" combined 1 || return 1
	qstats_match "1 channel" && [ "$(qstats rx-packets)" -ge "$before" ] &&
		ip netns exec "$NS1" ethtool -L "$IF1" combined 2
}
ktap_test_result "qstats-get agrees with ip -s link, with fewer channels too" qstats_agree

# a pool whose pages are still in flight stays listed, with a detach-time
pools_detached() {
	local live="x.get('ifindex') == $ifindex and 'detach-time' not in x"

	ip -n "$NS1" link set "$IF1" down || return 1
	[ "$(ynl page-pool-get | pyq "print(len([x for x in d if $live]))")" -eq 0 ]
}
ktap_test_result "the pools are released when the port goes down" pools_detached

ktap_finished
