# SPDX-License-Identifier: GPL-2.0
# Shared by nicsim's shell selftests: KTAP output (the kselftest helpers),
# module loading, device set-up in network namespaces and cleanup.
# shellcheck shell=bash

NICSIM_BUS=/sys/bus/nicsim
lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# kselftest's KTAP helpers, three levels up in the tree and when installed
# shellcheck source=../../../kselftest/ktap_helpers.sh
. "$lib_dir/../../../kselftest/ktap_helpers.sh"

NICSIM_DEVS=""
NICSIM_NETNS=""

# Programs built with the tests, beside them: the UDP and AF_XDP helpers,
# bpftool (BPFTOOL overrides it), the BPF objects and the nicsim samples.
NICSIM_UDP=$lib_dir/nicsim_udp
NICSIM_XSK=$lib_dir/nicsim_xsk
BPFTOOL=${BPFTOOL:-$lib_dir/bpftool}
[ -x "$BPFTOOL" ] || BPFTOOL=$(command -v bpftool)
NICSIM_PASS_OBJ=$lib_dir/nicsim_pass.bpf.o

NICSIM_TRACEFS=/sys/kernel/tracing
NICSIM_TRACE_INSTANCE=""

# nicsim_trace_instance NAME: make a private ftrace instance, removed by
# nicsim_cleanup; its path is in $NICSIM_TRACE_INSTANCE.
nicsim_trace_instance() {
	NICSIM_TRACE_INSTANCE=$NICSIM_TRACEFS/instances/$1-$$
	mkdir "$NICSIM_TRACE_INSTANCE"
}

nicsim_cleanup() {
	local id ns

	if [ -n "$NICSIM_TRACE_INSTANCE" ]; then
		rmdir "$NICSIM_TRACE_INSTANCE" 2>/dev/null || true
		NICSIM_TRACE_INSTANCE=""
	fi
	for id in $NICSIM_DEVS; do
		[ -e "$NICSIM_BUS/devices/nicsim$id" ] &&
			echo "$id" >"$NICSIM_BUS/del_device"
	done
	for ns in $NICSIM_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	NICSIM_DEVS=""
	NICSIM_NETNS=""
}

# nicsim_require [COMMAND...]: skip the whole test, saying why, when the
# nicsim module or one of the commands is not there. Call it before the
# plan. NICSIM_KO=path/nicsim.ko stands in for an installed module.
nicsim_require() {
	local cmd

	if [ ! -d "$NICSIM_BUS" ] && [ -z "${NICSIM_KO:-}" ] &&
	   ! modinfo nicsim >/dev/null 2>&1; then
		ktap_skip_all "no nicsim module (CONFIG_NICSIM=m, or set NICSIM_KO)"
		exit "$KSFT_SKIP"
	fi
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null && continue
		ktap_skip_all "$cmd is not installed"
		exit "$KSFT_SKIP"
	done
}

# nicsim_require_sample NAME: the sample's path in $SAMPLE. The samples are
# built and installed with these tests: one missing is a broken build.
nicsim_require_sample() {
	SAMPLE=$lib_dir/$1
	[ -x "$SAMPLE" ] && return 0
	ktap_exit_fail_msg "$1 is missing: it is built and installed with these tests"
}

# Load the module unless it is there.
nicsim_load() {
	[ -d "$NICSIM_BUS" ] && return 0
	if [ -n "${NICSIM_KO:-}" ]; then
		insmod "$NICSIM_KO"
	else
		modprobe nicsim
	fi
}

# nicsim_wait CMD...: run CMD every 50 ms until it succeeds, for at most
# 5 s; its last status. For waiting on a state instead of sleeping.
nicsim_wait() {
	local i

	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# nicsim_udp_recv NS ADDR PORT COUNT TIMEOUT OUT: nicsim_udp recv in the
# background, its output in OUT, once its socket is bound ("ready");
# its PID in $NICSIM_RECV_PID.
nicsim_udp_recv() {
	: >"$6"
	ip netns exec "$1" "$NICSIM_UDP" recv "$2" "$3" "$4" "$5" >"$6" &
	NICSIM_RECV_PID=$!
	nicsim_wait grep -q '^ready' "$6"
}

# nicsim_bpffs: the BPF filesystem on /sys/fs/bpf, for pinning
nicsim_bpffs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf none /sys/fs/bpf
}

nicsim_random_id() {
	echo $(( (RANDOM * 32768 + RANDOM) % 1000000 + 1 ))
}

# nicsim_ports ID: the device's netdevs, one per line, in port order.
nicsim_ports() {
	local n

	for n in "$NICSIM_BUS/devices/nicsim$1/net/"*; do
		[ -e "$n" ] || continue
		echo "$(cat "$n/dev_port") ${n##*/}"
	done | sort -n | cut -d' ' -f2
}

# nicsim_new ID [PORTS]: create a device, remembered for cleanup.
nicsim_new() {
	echo "$1 ${2:-2}" >"$NICSIM_BUS/new_device" || return 1
	NICSIM_DEVS="$NICSIM_DEVS $1"
}

# nicsim_pair_dev ID [QUEUES]: a new two-port device, remembered for
# cleanup. Sets ID, and IF0 and IF1 to its ports in port order. The C tests
# use it too (nicsim_test.h).
nicsim_pair_dev() {
	local ports

	ID=$1
	echo "$ID 2 ${2:-1}" >"$NICSIM_BUS/new_device" || return 1
	NICSIM_DEVS="$NICSIM_DEVS $ID"
	ports=$(nicsim_ports "$ID")
	IF0=$(echo "$ports" | sed -n 1p)
	IF1=$(echo "$ports" | sed -n 2p)
	[ -n "$IF0" ] && [ -n "$IF1" ]
}

# nicsim_pair [QUEUES]: a new device whose port 0 is in namespace $NS0 as
# 10.0.0.1/fd00::1 and port 1 in $NS1 as 10.0.0.2/fd00::2, both up.
# Sets ID, IF0, IF1, NS0, NS1.
nicsim_pair() {
	nicsim_pair_dev "$(nicsim_random_id)" "${1:-1}" || return 1
	NS0=nicsim-a-$ID
	NS1=nicsim-b-$ID
	ip netns add "$NS0" && NICSIM_NETNS="$NICSIM_NETNS $NS0" || return 1
	ip netns add "$NS1" && NICSIM_NETNS="$NICSIM_NETNS $NS1" || return 1
	# no router solicitations: keep the cable quiet between test frames
	ip netns exec "$NS0" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	ip netns exec "$NS1" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	ip link set "$IF0" netns "$NS0" || return 1
	ip link set "$IF1" netns "$NS1" || return 1
	ip -n "$NS0" addr add 10.0.0.1/24 dev "$IF0"
	ip -n "$NS1" addr add 10.0.0.2/24 dev "$IF1"
	ip -n "$NS0" addr add fd00::1/64 dev "$IF0" nodad
	ip -n "$NS1" addr add fd00::2/64 dev "$IF1" nodad
	ip -n "$NS0" link set "$IF0" up
	ip -n "$NS1" link set "$IF1" up
	ip -n "$NS0" link set lo up
	ip -n "$NS1" link set lo up
}

# nicsim_stat NS IFNAME COUNTER: a netdev statistic (rx_packets,
# rx_dropped, tx_bytes, ...) as sysfs shows it inside namespace NS.
nicsim_stat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# nicsim_stat_reaches NS IFNAME COUNTER N: wait until the statistic is at
# least N (nicsim_wait's 5 s at most); fails if it never gets there.
nicsim_stat_reaches() {
	local ns=$1 dev=$2 stat=$3 min=$4

	nicsim_wait eval '[ "$(nicsim_stat "$ns" "$dev" "$stat")" -ge "$min" ]'
}

# nicsim_ethtool_now NS IFNAME OPTION FIELD: the current value of FIELD
# ("RX", "Combined") in `ethtool OPTION` (-g, -l), not its maximum
nicsim_ethtool_now() {
	ip netns exec "$1" ethtool "$3" "$2" |
		awk -v f="$4:" '$1 == f { n++ } n == 2 { print $2; exit }'
}

# nicsim_ethtool_stat NS IFNAME NAME: an ethtool -S counter summed over the
# queues, NAME without its queue prefix (rx_stalled for hw0_rx_stalled...)
nicsim_ethtool_stat() {
	ip netns exec "$1" ethtool -S "$2" |
		awk -v s="$3" '{ n = $1; sub(/^[a-z]+[0-9]+_/, "", n); sub(/:$/, "", n) }
			n == s { t += $2 } END { print t + 0 }'
}
