#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# samples/bpf/nicsim_xdp_filter on real traffic: a blocked source prefix is
# dropped in XDP, a per-source rate lets exactly RATE datagrams of a burst
# through, each verdict is counted with its DMA-to-verdict latency, and bad
# options are refused.

. "$(dirname "$0")/nicsim_lib.sh"

filter_pid=""
tmp=$(mktemp -d)
cleanup() {
	[ -n "$filter_pid" ] && kill "$filter_pid" 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

PY=/usr/bin/python3

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_xdp_filter
FILTER=$SAMPLE
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null

# filter OUT ARGS...: run it on $IF1 until it is attached
filter() {
	local out=$1 _

	shift
	ip netns exec "$NS1" "$FILTER" -i "$IF1" --json "$@" >"$out" 2>&1 &
	filter_pid=$!
	for _ in $(seq 100); do
		grep -q '"type":"start"' "$out" && return 0
		kill -0 "$filter_pid" 2>/dev/null || break
		sleep 0.2
	done
	ktap_print_msg "nicsim_xdp_filter did not start: $(head -c 300 "$out")"
	return 1
}
stop() {
	kill -INT "$filter_pid"
	wait "$filter_pid"
	filter_pid=""
}
# burst PORT COUNT: COUNT datagrams 1 ms apart; prints how many arrived
burst() {
	nicsim_udp_recv "$NS1" 10.0.0.2 "$1" "$2" 2 "$tmp/recv" || return 1
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$1" "$2" 1000 64
	wait "$NICSIM_RECV_PID"
	awk '/^received/ { print $2 }' "$tmp/recv"
}
# check FILE EXPR: evaluate a Python condition over the last stats as `v`
check() {
	$PY - "$1" "$2" <<'PYEOF'
import json, sys
last = [json.loads(l) for l in open(sys.argv[1]) if '"verdicts"' in l][-1]
v = last['verdicts']
print('# # ' + ', '.join('%s %d (latency: %d, avg %.0f us)' % (
      k, x['packets'], x['latency_count'], x['avg_us']) for k, x in v.items())
      + '; meta errors %d' % last['meta_errors'])
ok = eval(sys.argv[2])
ok = ok and last['meta_errors'] == 0 and all(
    x['latency_count'] == x['packets'] == sum(x['slots']) for x in v.values())
sys.exit(0 if ok else 1)
PYEOF
}

blocked() {
	local got

	filter "$tmp/b" -b 10.0.0.0/30 -b fd00:dead::/32 || return 1
	got=$(burst 7100 20)
	stop
	ktap_print_msg "received $got of 20"
	# pass may count the link's own IPv6 chatter (MLD reports): the 20
	# datagrams are the ones dropped, and none reached the receiver
	[ "$got" -eq 0 ] &&
		check "$tmp/b" "v['drop_blocked']['packets'] == 20"
}
ktap_test_result "a blocked prefix is dropped, each drop counted with its latency" blocked

rate() {
	local got

	filter "$tmp/r" -r 10 || return 1
	got=$(burst 7101 50)
	stop
	ktap_print_msg "received $got of 50 at 10/s"
	[ "$got" -eq 10 ] &&
		check "$tmp/r" "v['drop_rate']['packets'] == 40 and v['pass']['packets'] >= 10"
}
ktap_test_result "a 50-datagram burst at -r 10: 10 pass, 40 dropped" rate

refused() {
	local bad

	for bad in "" "-i $IF1 -b 10.0.0.0/33" "-i $IF1 -b nonsense" \
		   "-i $IF1 -r 0" "-i nosuchif0"; do
		# shellcheck disable=SC2086
		if ip netns exec "$NS1" "$FILTER" $bad -d 1 >/dev/null 2>"$tmp/err"; then
			ktap_print_msg "accepted: '$bad'"
			return 1
		fi
		ktap_print_msg "'$bad': $(head -n 1 "$tmp/err")"
	done
	# and nothing is left attached
	! ip -n "$NS1" link show "$IF1" | grep -q xdp
}
ktap_test_result "bad options are refused, nothing left attached" refused

ktap_finished
