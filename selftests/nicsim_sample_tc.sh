#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# samples/bpf/nicsim_tc on real traffic. Ingress: what arrives on port 1 is
# spread round robin over the egress of ports 2 and 4, and their peers
# (ports 3 and 5) receive exactly what the sample counted for each.
# Egress: paced to 400 kbit/s with EDT and fq, 100 datagrams of 1042 bytes
# on the wire take two seconds.

. "$(dirname "$0")/nicsim_lib.sh"

tc_pid=""
tmp=$(mktemp -d)
cleanup() {
	[ -n "$tc_pid" ] && kill "$tc_pid" 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

PY=/usr/bin/python3

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_tc
TC=$SAMPLE
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null
# a second device of 4 ports: 0-1 and 2-3 cabled; 0 and 2 join $NS1
ID2=$(nicsim_random_id)
nicsim_new "$ID2" 4 || ktap_exit_fail_msg "cannot create a 4-port device"
mapfile -t P < <(nicsim_ports "$ID2")
# no IPv6 on them (set after the move, which resets it): only the
# redirected frames cross their cables
for i in 0 1 2 3; do
	if [ "$i" -eq 0 ] || [ "$i" -eq 2 ]; then
		ip link set "${P[$i]}" netns "$NS1"
		ip netns exec "$NS1" sysctl -qw "net.ipv6.conf.${P[$i]}.disable_ipv6=1"
		ip -n "$NS1" link set "${P[$i]}" up
	else
		sysctl -qw "net.ipv6.conf.${P[$i]}.disable_ipv6=1"
		ip link set "${P[$i]}" up
	fi
done

# run OUT ARGS...: nicsim_tc in $NETNS until it is attached
run() {
	local ns=$1 out=$2 _

	shift 2
	ip netns exec "$ns" "$TC" --json "$@" >"$out" 2>&1 &
	tc_pid=$!
	for _ in $(seq 100); do
		grep -q '"type":"start"' "$out" && return 0
		kill -0 "$tc_pid" 2>/dev/null || break
		sleep 0.2
	done
	ktap_print_msg "nicsim_tc did not start: $(head -c 300 "$out")"
	return 1
}
stop() {
	kill -INT "$tc_pid"
	wait "$tc_pid"
	tc_pid=""
}
rx() { cat "/sys/class/net/$1/statistics/rx_packets"; }

balanced() {
	local a0 b0 a b

	# ports 0 and 2 send nothing of their own: over the sample's whole
	# life, their peers receive exactly what it redirected
	a0=$(rx "${P[1]}")
	b0=$(rx "${P[3]}")
	run "$NS1" "$tmp/lb" -i "$IF1" -t "${P[0]}" -t "${P[2]}" || return 1
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 7300 100 1000 64
	# wait for the redirected frames themselves
	nicsim_wait eval '[ $(( $(rx "${P[1]}") - a0 + $(rx "${P[3]}") - b0 )) -ge 100 ]'
	stop
	a=$(( $(rx "${P[1]}") - a0 ))
	b=$(( $(rx "${P[3]}") - b0 ))
	ktap_print_msg "${P[1]} received $a, ${P[3]} received $b"
	$PY - "$tmp/lb" "$a" "$b" <<'PYEOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]
lb = [t['packets'] for t in s['targets']]
a, b = int(sys.argv[2]), int(sys.argv[3])
print('# # nicsim_tc counted %s, errors %d' % (lb, s['lb_errors']))
sys.exit(0 if lb == [a, b] and a >= 50 and b >= 50 and abs(a - b) <= 1
         and s['lb_errors'] == 0 else 1)
PYEOF
}
ktap_test_result "ingress round robin over two ports: each gets half, as counted" balanced

# send 100 datagrams of 1000 bytes; print the seconds the receiver took
timed() {
	local t0 t1

	nicsim_udp_recv "$NS1" 10.0.0.2 "$1" 100 20 "$tmp/timed" || return 1
	t0=$(date +%s%N)
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$1" 100 0 1000
	wait "$NICSIM_RECV_PID" || return 1
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

paced() {
	local ms0 ms

	ms0=$(timed 7301) || return 1
	run "$NS0" "$tmp/pace" -i "$IF0" -r 400k --fq || return 1
	ms=$(timed 7302) || { stop; return 1; }
	stop
	ktap_print_msg "100 x 1042 bytes: ${ms0} ms unpaced, ${ms} ms at 400 kbit/s"
	# 104200 bytes at 50000 bytes/s: 2.08 s, the first leaving at once
	[ "$ms" -ge 1900 ] &&
		$PY - "$tmp/pace" <<'PYEOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]
print('# # paced %d packets, %d bytes, max delay %.0f us, %d over the horizon' % (
      s['paced'], s['paced_bytes'], s['max_delay_us'], s['horizon_drops']))
sys.exit(0 if s['paced'] >= 100 and s['max_delay_us'] >= 1800000
         and s['horizon_drops'] == 0 else 1)
PYEOF
}
ktap_test_result "egress EDT pacing at 400 kbit/s with fq takes effect" paced

refused() {
	local bad

	for bad in "" "-i $IF0" "-i $IF0 -r 0" "-i $IF0 -r 10x" "-i $IF0 --fq -t $IF0" \
		   "-i nosuchif0 -r 1m" "-i $IF0 -t nosuchif0"; do
		# shellcheck disable=SC2086
		if ip netns exec "$NS0" "$TC" $bad -d 1 >/dev/null 2>"$tmp/err"; then
			ktap_print_msg "accepted: '$bad'"
			return 1
		fi
		ktap_print_msg "'$bad': $(head -n 1 "$tmp/err")"
	done
	# the fq qdisc went away with the sample
	! ip netns exec "$NS0" tc qdisc show dev "$IF0" | grep -q "qdisc fq "
}
ktap_test_result "bad options are refused; fq is removed on exit" refused

ktap_finished
