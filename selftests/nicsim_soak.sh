#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Soak: everything at once, for NICSIM_SOAK_SECONDS (default 120).
#  - traffic: TCP both ways (iperf3), UDP floods, a ping flood, UDP to the
#    ports the XDP programs act on (7: XDP_TX, 9: XDP_DROP, 13: cpumap,
#    17: devmap out of nicsim into a veth, 19: AF_XDP), and a veth whose
#    XDP program redirects a UDP flood into a nicsim port (ndo_xdp_xmit);
#  - XDP programs swapped on the receiving port: PASS, DROP, TX, REDIRECT
#    through a cpumap, a devmap or an XSKMAP, and none, each calling
#    bpf_nicsim_xdp_meta(); a tcx program calling bpf_nicsim_skb_meta();
#  - AF_XDP sockets in copy mode on both queues of the receiving port,
#    sending back what they receive, opened and closed over and over;
#  - reconfiguration: ethtool -L, -G, -C, the MTU, link flaps;
#  - a second device created, loaded with traffic and deleted, over and over;
#  - nicsim_qtop calling bpf_nicsim_queue_state() for every queue;
#  - faults at low probability: nicsim's own (wire drop and corruption, RX
#    stall, a bad RX length, lost interrupt, TX DMA-map and RX refill
#    failure), page_pool allocation failures (fail_function), and slab
#    and page allocation failures in nicsim's code (failslab,
#    fail_page_alloc).
# Then, with the faults off: every queue of both ports passes traffic, and
# every frame a port put on the cable is accounted for at the other end:
#   tx_frames (sent: TSO segments counted one by one)
#     = tx_wire_drops + rx_frames + rx_no_buffer + rx_stalled
#       + rx_oversize + rx_dma_errors (received and dropped, by reason)
# and every frame the device wrote back to the driver:
#   rx_frames = packets + xdp_drop + xdp_tx + xdp_redirect + xdp_aborted
#     + discards
# Last, rmmod under traffic. The kernel log is checked by make check.

. "$(dirname "$0")/nicsim_lib.sh"

SECONDS_TOTAL=${NICSIM_SOAK_SECONDS:-120}
SOAK_OBJ=$lib_dir/nicsim_soak.bpf.o
DBGFS=/sys/kernel/debug
# (bpffs names take no dots)
pin=/sys/fs/bpf/nicsim_soak_$$
jobs_pids=""
xsk_log=$(mktemp)

faults_off() {
	local f

	for f in "$DBGFS/failslab" "$DBGFS/fail_page_alloc" "$DBGFS/fail_function"; do
		[ -e "$f/probability" ] && echo 0 >"$f/probability"
	done
	[ -e "$DBGFS/fail_function/inject" ] && echo >"$DBGFS/fail_function/inject" 2>/dev/null
	for f in "$DBGFS"/nicsim/nicsim*/port*/fail_*; do
		[ -e "$f/probability" ] && echo 0 >"$f/probability"
	done
	return 0
}
stop_jobs() {
	[ -n "$jobs_pids" ] && kill $jobs_pids 2>/dev/null
	wait 2>/dev/null
	jobs_pids=""
}
cleanup() {
	faults_off
	stop_jobs
	[ -n "${NS0:-}" ] && detach_all
	rm -f "$xsk_log"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require iperf3 ethtool ping
[ -e "$DBGFS/fail_function/inject" ] || {
	ktap_skip_all "optional: needs CONFIG_FAIL_FUNCTION for page_pool faults"
	exit "$KSFT_SKIP"
}
[ -x "$BPFTOOL" ] || ktap_exit_fail_msg "no bpftool"
ktap_set_plan 6
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"
dbg=$DBGFS/nicsim/nicsim$ID
main_id=$ID

nicsim_bpffs || ktap_exit_fail_msg "cannot mount the BPF filesystem"
"$BPFTOOL" prog loadall "$SOAK_OBJ" "$pin" pinmaps "${pin}_maps" ||
	ktap_exit_fail_msg "cannot load $SOAK_OBJ"
for cpu in 0 1; do
	# struct bpf_cpumap_val: qsize 256, no program
	"$BPFTOOL" map update pinned "${pin}_maps/soak_cpumap" key "$cpu" 0 0 0 \
		value 0 1 0 0 0 0 0 0 || ktap_exit_fail_msg "cannot fill the cpumap"
done
prog_id() { "$BPFTOOL" prog show pinned "$pin/$1" | awk -F: 'NR == 1 { print $1 }'; }
map_id() { "$BPFTOOL" map show pinned "${pin}_maps/$1" | awk -F: 'NR == 1 { print $1 }'; }
prog_ids=""
for p in soak_pass soak_drop soak_tx soak_redirect; do
	prog_ids="$prog_ids $(prog_id "$p")"
done
# le32 N: N as the 4 bytes of a little-endian u32, for bpftool
le32() {
	printf '%d %d %d %d' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# veths: sva -> svb in NS0, whose XDP sends UDP into IF0; svc -> svd in
# NS1, where soak_redirect on IF1 sends UDP to port 17
ip -n "$NS0" link add sva type veth peer name svb &&
	ip -n "$NS1" link add svc type veth peer name svd ||
	ktap_exit_fail_msg "cannot create the veths"
ip -n "$NS0" addr add 10.1.0.1/24 dev sva
ip -n "$NS0" addr add 10.1.0.2/24 dev svb
for v in sva svb; do ip -n "$NS0" link set "$v" up; done
for v in svc svd; do ip -n "$NS1" link set "$v" up; done
# shellcheck disable=SC2046
ip netns exec "$NS0" "$BPFTOOL" map update id "$(map_id soak_devmap_in)" key 0 0 0 0 \
	value $(le32 "$(ip netns exec "$NS0" cat "/sys/class/net/$IF0/ifindex")") &&
	ip netns exec "$NS1" "$BPFTOOL" map update id "$(map_id soak_devmap)" key 0 0 0 0 \
		value $(le32 "$(ip netns exec "$NS1" cat /sys/class/net/svc/ifindex)") ||
	ktap_exit_fail_msg "cannot fill the devmaps"
ip netns exec "$NS0" "$BPFTOOL" net attach xdpdrv id "$(prog_id soak_into)" dev svb &&
	ip netns exec "$NS1" "$BPFTOOL" net attach xdpdrv id "$(prog_id soak_pass)" dev svd &&
	ip netns exec "$NS1" "$BPFTOOL" net attach tcx_ingress id "$(prog_id soak_tc)" dev "$IF1" ||
	ktap_exit_fail_msg "cannot attach the veth and tcx programs"
# every program comes off before rmmod: their kfuncs hold the module
detach_all() {
	ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1"
	ip netns exec "$NS1" "$BPFTOOL" net detach tcx_ingress dev "$IF1"
	ip netns exec "$NS0" "$BPFTOOL" net detach xdpdrv dev svb
	ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev svd
	rm -rf "$pin" "${pin}_maps"
} 2>/dev/null

# Two paths of 6.12's IRQ core do not survive a failed allocation, so
# allocations made under them are not failed (the stack filter's reject
# range, from irq_dispose_mapping() to init_irq_proc()):
#  - irq_dispose_mapping() frees the descriptor, and the maple tree erase
#    that unlinks it (delete_irq_desc()) needs nodes: if that allocation
#    fails the freed descriptor stays in the tree and the next read of
#    /proc/interrupts faults in show_interrupts();
#  - register_irq_proc() ignores a failed allocation and the IRQ's removal
#    then warns about the entry it lacks (remove_proc_entry: "name
#    'spurious'").
# The core links irqdomain.o before proc.o, so one range holds both, and
# irq_create_mapping(), whose failure nicsim handles, lies outside it.
ksym() {
	awk -v n="$1" '$3 == n { print $1; exit }' /proc/kallsyms
}
reject_start=$(ksym irq_dispose_mapping)
reject_end=$(ksym init_irq_proc)
irq_map=$(ksym irq_create_mapping_affinity)
irq_proc=$(ksym register_irq_proc)
for a in "$reject_start" "$reject_end" "$irq_map" "$irq_proc"; do
	[ -n "$a" ] || ktap_exit_fail_msg "an IRQ core function is missing from /proc/kallsyms"
done
# (kernel addresses are all negative as bash numbers: their order holds)
in_reject() {
	[ $((16#$1)) -ge $((16#$reject_start)) ] && [ $((16#$1)) -lt $((16#$reject_end)) ]
}
in_reject "$irq_proc" && ! in_reject "$irq_map" ||
	ktap_exit_fail_msg "the IRQ core's text is not laid out as the reject range expects"
reject_start=0x$reject_start
reject_end=0x$reject_end
# nicsim's text, for the allocation faults' stack filter
syms=$(awk '$4 == "[nicsim]" && ($2 == "t" || $2 == "T") { print $1 }' /proc/kallsyms | sort)
text_start=0x$(echo "$syms" | head -n1)
text_end=0x$(printf '%x' $(( 16#$(echo "$syms" | tail -n1) + 4096 )))

faults_on() {
	local f

	for f in "$dbg"/port*/fail_*; do
		echo 0 >"$f/verbose"
		echo 1 >"$f/interval"
		echo -1 >"$f/times"
		echo 1 >"$f/probability"
	done
	echo page_pool_alloc_netmems >"$DBGFS/fail_function/inject"
	echo 0 >"$DBGFS/fail_function/page_pool_alloc_netmems/retval"
	for f in "$DBGFS/fail_function" "$DBGFS/failslab" "$DBGFS/fail_page_alloc"; do
		echo 0 >"$f/verbose"
		echo N >"$f/task-filter"
		echo 1 >"$f/interval"
		echo -1 >"$f/times"
		echo 0 >"$f/space"
	done
	for f in "$DBGFS/failslab" "$DBGFS/fail_page_alloc"; do
		echo N >"$f/ignore-gfp-wait"
		echo "$text_start" >"$f/require-start"
		echo "$text_end" >"$f/require-end"
		echo "$reject_start" >"$f/reject-start"
		echo "$reject_end" >"$f/reject-end"
		echo 32 >"$f/stacktrace-depth"
		echo 1 >"$f/probability"
	done
	echo 1 >"$DBGFS/fail_function/probability"
}

# bss_val NAME: a u64 of the object's .bss, from bpftool's JSON
bss_val() {
	"$BPFTOOL" -j map dump name nicsim_s.bss 2>/dev/null | /usr/bin/python3 -c "
import json, sys
for e in json.load(sys.stdin):
    for v in e.get('formatted', {}).get('value', {}).get('.bss', []):
        if v.get('$1') is not None:
            print(v['$1'])
" 2>/dev/null
}

# loop CMD...: run CMD until the deadline (set by soak), in the background
loop() {
	( while [ "$SECONDS" -lt "$deadline" ]; do "$@"; done ) >/dev/null 2>&1 &
	jobs_pids="$jobs_pids $!"
}

traffic() {
	ip netns exec "$NS1" iperf3 -s -p 5201 -D >/dev/null 2>&1
	ip netns exec "$NS0" iperf3 -s -p 5202 -D >/dev/null 2>&1
	loop ip netns exec "$NS0" timeout 20 iperf3 -c 10.0.0.2 -p 5201 -t 5 -P 2
	loop ip netns exec "$NS1" timeout 20 iperf3 -c 10.0.0.1 -p 5202 -t 5 -R
	loop ip netns exec "$NS0" ping -q -f -c 2000 -W 1 10.0.0.2
	for port in 7 9 13 17 19 5300; do
		loop ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$port" 2000 100
	done
	loop ip netns exec "$NS0" "$NICSIM_UDP" send 10.1.0.2 5400 2000 50
	loop ip netns exec "$NS1" "$NICSIM_UDP" send fd00::1 5301 2000 50 1400
}

xdp_swaps() {
	local id

	for id in $prog_ids none; do
		if [ "$id" = none ]; then
			ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1"
		else
			ip netns exec "$NS1" "$BPFTOOL" net attach xdpdrv id "$id" \
				dev "$IF1" overwrite
		fi
		sleep 0.3
	done
}

reconfigure() {
	local ns=$1 dev=$2

	ip netns exec "$ns" ethtool -L "$dev" combined $((RANDOM % 2 + 1))
	ip netns exec "$ns" ethtool -G "$dev" rx $((64 << RANDOM % 4)) tx $((64 << RANDOM % 4))
	ip netns exec "$ns" ethtool -G "$dev" rx 256 tx 256
	ip netns exec "$ns" ethtool -C "$dev" rx-usecs $((RANDOM % 3 * 25)) \
		rx-frames $((RANDOM % 8 + 1))
	ip -n "$ns" link set "$dev" mtu $((1280 + RANDOM % 1720))
	sleep 0.5
	ip -n "$ns" link set "$dev" mtu 1500
	[ $((RANDOM % 4)) = 0 ] && {
		ip -n "$ns" link set "$dev" down
		sleep 0.2
		ip -n "$ns" link set "$dev" up
	}
	sleep 0.5
}

churn() {
	local id=$(( main_id % 900000 + 100000 + RANDOM % 1000 )) ports a b

	echo "$id 2 2" >"$NICSIM_BUS/new_device" || return
	ports=$(nicsim_ports "$id")
	a=$(echo "$ports" | sed -n 1p)
	b=$(echo "$ports" | sed -n 2p)
	ip link set "$a" up
	ip link set "$b" up
	echo 200 >"$DBGFS/nicsim/nicsim$id/port0/wire_latency_us"
	ip link set "$a" mtu 2000
	sleep 0.$((RANDOM % 5))
	echo "$id" >"$NICSIM_BUS/del_device"
}

no_xsk() {
	! pgrep -f "$NICSIM_XSK" >/dev/null
}
# xsk QUEUE SECONDS: an AF_XDP socket on QUEUE of IF1 for SECONDS at most
# (never past the deadline), then a second's pause; its summary or error
# in xsk_log. While a socket holds queue 1, ethtool -L cannot remove it.
xsk() {
	local left=$((deadline - SECONDS))

	[ "$left" -gt "$2" ] && left=$2
	[ "$left" -gt 0 ] || return
	ip netns exec "$NS1" "$NICSIM_XSK" "$IF1" "$1" "$xsk_map" "$left" >>"$xsk_log" 2>&1
	sleep 1
}

soak() {
	deadline=$((SECONDS + SECONDS_TOTAL))
	faults_on
	xsk_map=$(map_id soak_xsks)
	loop xsk 0 10
	loop xsk 1 3
	traffic
	loop xdp_swaps
	loop reconfigure "$NS0" "$IF0"
	loop reconfigure "$NS1" "$IF1"
	loop churn
	nicsim_require_sample nicsim_qtop
	loop ip netns exec "$NS0" timeout 10 "$SAMPLE" -b -I 1 -n 5
	sleep "$SECONDS_TOTAL"
	faults_off
	stop_jobs
	pkill -f "iperf3 -s -p 520[12]"
	nicsim_wait no_xsk || ktap_print_msg "an AF_XDP socket is still open"
	ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1" 2>/dev/null
	ktap_print_msg "kfuncs: xdp_meta ok $(bss_val xdp_meta_ok) err $(bss_val xdp_meta_err)," \
		"skb_meta ok $(bss_val skb_meta_ok) err $(bss_val skb_meta_err)"
	ktap_print_msg "${SECONDS_TOTAL} s of traffic, XDP swaps, reconfiguration," \
		"device churn and faults"
	# nothing may be left running
	ip netns exec "$NS0" ethtool -L "$IF0" combined 2 &&
		ip netns exec "$NS1" ethtool -L "$IF1" combined 2 &&
		ip -n "$NS0" link set "$IF0" up mtu 1500 &&
		ip -n "$NS1" link set "$IF1" up mtu 1500
}
ktap_test_result "the soak ran, and the ports came back to 2 queues" soak

# the AF_XDP sockets received frames and sent them back, and the kernel
# found none of their descriptors invalid
xsk_worked() {
	local rx tx

	# "rx N tx N completed N dropped N ring_full N fill_empty N", summed
	# shellcheck disable=SC2046 # six numbers
	set -- $(awk '$1 == "rx" { for (i = 2; i <= 12; i += 2) t[i] += $i }
		END { for (i = 2; i <= 12; i += 2) printf "%d ", t[i] }' "$xsk_log")
	rx=${1:-0} tx=${2:-0}
	ktap_print_msg "AF_XDP (copy mode): $(grep -c '^rx ' "$xsk_log") sockets received" \
		"$rx frames and sent $tx back ($3 completed); the kernel dropped $4" \
		"(RX ring full $5, fill ring empty $6)"
	grep -v -e '^rx ' -e '^ready' -e '^bind to .* queue 1: Invalid argument' \
		"$xsk_log" | sort | uniq -c | while read -r line; do
		ktap_print_msg "  $line"
	done
	! grep -q "invalid descriptors" "$xsk_log" && [ "$rx" -gt 0 ] && [ "$tx" -gt 0 ]
}
ktap_test_result "AF_XDP sockets in copy mode received and sent under the soak" xsk_worked

# rx01 NS DEV: the packets queues 0 and 1 of DEV received
rx01() {
	ip netns exec "$1" ethtool -S "$2" |
		awk '/^ *rx[01]_packets:/ { printf "%s ", $2 }'
}
# both_grew NS DEV: queues 0 and 1 of DEV both received since $before
both_grew() {
	after=$(rx01 "$1" "$2")
	# shellcheck disable=SC2086 # two numbers each
	set -- $before $after
	[ "$3" -gt "$1" ] && [ "$4" -gt "$2" ]
}
# every queue of both ports receives: 64 flows each way spread over both
queues_pass() {
	local before after ns dev peer src dir ok=0

	for dir in 0 1; do
		if [ "$dir" = 0 ]; then ns=$NS1 dev=$IF1 peer=10.0.0.2; src=$NS0
		else ns=$NS0 dev=$IF0 peer=10.0.0.1; src=$NS1; fi
		before=$(rx01 "$ns" "$dev")
		ip netns exec "$src" bash -c \
			"for i in \$(seq 64); do echo x >/dev/udp/$peer/9; done" 2>/dev/null
		nicsim_wait both_grew "$ns" "$dev" && ok=$((ok + 1))
		ktap_print_msg "$dev rx0/rx1 packets: $before-> $after"
	done
	[ "$ok" = 2 ] && ip netns exec "$NS0" ping -q -c 5 -i 0.1 -W 2 10.0.0.2 >/dev/null
}
ktap_test_result "every queue passes traffic after the soak" queues_pass

# hwstat NS DEV NAME: a device counter of DEV summed over its queues
hwstat() { nicsim_ethtool_stat "$1" "$2" "$3"; }
# device_diff FROM_NS FROM_DEV TO_NS TO_DEV: sets sent, lost, recv, drops
# and diff, what FROM_DEV sent less what TO_DEV's device accounts for
device_diff() {
	sent=$(hwstat "$1" "$2" tx_frames)
	lost=$(hwstat "$1" "$2" tx_wire_drops)
	recv=$(hwstat "$3" "$4" rx_frames)
	drops="no_buffer $(hwstat "$3" "$4" rx_no_buffer) stalled $(hwstat "$3" "$4" rx_stalled)"
	drops="$drops oversize $(hwstat "$3" "$4" rx_oversize)"
	drops="$drops dma_errors $(hwstat "$3" "$4" rx_dma_errors)"
	diff=$(( sent - lost - recv - $(hwstat "$3" "$4" rx_no_buffer) -
		 $(hwstat "$3" "$4" rx_stalled) - $(hwstat "$3" "$4" rx_oversize) -
		 $(hwstat "$3" "$4" rx_dma_errors) ))
	[ "$diff" -eq 0 ]
}
accounted() { # FROM_NS FROM_DEV TO_NS TO_DEV
	local sent lost recv drops diff

	# frames still on the cable arrive within its latency: wait for them
	nicsim_wait device_diff "$@"
	ktap_print_msg "$2 -> $4: sent $sent = wire drops $lost + received $recv" \
		"+ $drops; difference $diff"
	[ "$sent" -gt 1000 ] && [ "$diff" -eq 0 ]
}
every_frame_accounted() {
	accounted "$NS0" "$IF0" "$NS1" "$IF1" && accounted "$NS1" "$IF1" "$NS0" "$IF0"
}
ktap_test_result "every frame sent is received or dropped for a counted reason" \
	every_frame_accounted

# driver_diff NS DEV: "DIFF MESSAGE", where DIFF is the frames DEV's device
# wrote back less those the driver counted, by where they went
driver_diff() {
	ip netns exec "$1" ethtool -S "$2" | awk -v dev="$2" '
		{ n = $1; sub(/:$/, "", n) }
		n ~ /^hw[0-9]+_rx_frames$/ { frames += $2 }
		n ~ /^rx[0-9]+_(packets|xdp_drop|xdp_tx|xdp_redirect|xdp_aborted|discards)$/ {
			sub(/^rx[0-9]+_/, "", n); c[n] += $2; taken += $2
		}
		END {
			printf "%d %s: the device wrote back %d = stack %d + xdp_drop %d", \
				frames - taken, dev, frames, c["packets"], c["xdp_drop"]
			printf " + xdp_tx %d + xdp_redirect %d + xdp_aborted %d + discards %d\n", \
				c["xdp_tx"], c["xdp_redirect"], c["xdp_aborted"], c["discards"]
		}'
}
driver_settled() { [ "$(driver_diff "$1" "$2" | cut -d' ' -f1)" = 0 ]; }
driver_accounted_one() { # NS DEV
	local out

	# a NAPI poll may still be on its way: wait for the counters
	nicsim_wait driver_settled "$1" "$2"
	out=$(driver_diff "$1" "$2")
	ktap_print_msg "${out#* }; difference ${out%% *}"
	[ "${out%% *}" = 0 ]
}
driver_accounted() {
	driver_accounted_one "$NS1" "$IF1" && driver_accounted_one "$NS0" "$IF0"
}
ktap_test_result "every frame the device wrote back reached the stack or XDP, or was counted" \
	driver_accounted

rmmod_under_traffic() {
	local rx0 rx1

	rx0=$(nicsim_stat "$NS1" "$IF1" rx_packets)
	rx1=$(nicsim_stat "$NS0" "$IF0" rx_packets)

	ip netns exec "$NS0" ping -q -f -W 1 10.0.0.2 >/dev/null 2>&1 &
	jobs_pids=$!
	ip netns exec "$NS1" ping -q -f -W 1 10.0.0.1 >/dev/null 2>&1 &
	jobs_pids="$jobs_pids $!"
	# both ways flowing
	nicsim_stat_reaches "$NS1" "$IF1" rx_packets $((rx0 + 50)) &&
		nicsim_stat_reaches "$NS0" "$IF0" rx_packets $((rx1 + 50)) || return 1
	detach_all
	timeout 60 rmmod nicsim || return 1
	stop_jobs
	NICSIM_DEVS=""
	[ ! -d "$NICSIM_BUS" ] && nicsim_load
}
ktap_test_result "rmmod under traffic" rmmod_under_traffic

ktap_finished
