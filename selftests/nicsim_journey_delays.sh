#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nicsim_journey against a known answer: nicsim injects a delay at one
# stage of the journey, and the tool must see it there and nowhere else.
#  - the cable's latency (debugfs wire_latency_us on the sending port):
#    the receive journey's dma stage (since the frame went on the cable);
#  - interrupt moderation (ethtool -C rx-usecs on the receiving port, an
#    interrupt that long after the first frame): the receive irq stage;
#  - a late TX completion (debugfs txQ/completion_delay_us on the sending
#    port): the send journey's done stage (since the frame went on the
#    cable).
# Each case sends N datagrams, DELAY_US apart, once without the delay and
# once with it, and compares the per-stage medians of their timelines: the
# delayed stage moves by DELAY_US within TOL, the others by less than TOL.
# Every datagram has a receive and a send journey, none lost.

. "$(dirname "$0")/nicsim_lib.sh"

N=15
DELAY_US=20000
# the noise of a stage's median of 15 under TCG: up to 1.2 ms seen; 20% of the delay
TOL_US=4000
PY=/usr/bin/python3
DBG=/sys/kernel/debug/nicsim
journey_pid=""
tmp=$(mktemp -d)
cleanup() {
	[ -n "$journey_pid" ] && kill "$journey_pid" 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_journey
JOURNEY=$SAMPLE
ktap_set_plan 5
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null
# one interrupt per frame, at once, unless a case says otherwise
ip netns exec "$NS1" ethtool -C "$IF1" rx-usecs 0 rx-frames 1 ||
	ktap_exit_fail_msg "ethtool -C rx-usecs 0 rx-frames 1 failed"
# The two ports share the VM's two CPUs: a delay on one side moves the
# other's work in time, and with it what it contends with. Each side gets
# a CPU of its own, so that the stages the delay is not injected into hold
# still: CPU 0 sends (the application, port 0's interrupt, and the
# device's engines, which run on unbound workqueues), CPU 1 receives (port
# 1's interrupt, NAPI and the application).
wq_mask=/sys/devices/virtual/workqueue/cpumask
wq_mask_was=$(cat "$wq_mask")
cleanup_wq() {
	echo "$wq_mask_was" >"$wq_mask"
	cleanup
}
trap cleanup_wq EXIT
echo 1 >"$wq_mask" || ktap_exit_fail_msg "cannot pin the unbound workqueues to CPU 0"
pin_irq() {	# PORT CPU
	local irq

	irq=$(awk 'NR == 2 { print $2 }' "$DBG/nicsim$ID/port$1/msix")
	[ -n "$irq" ] && echo "$2" >"/proc/irq/$irq/smp_affinity_list"
}
pin_irq 0 0 && pin_irq 1 1 || ktap_exit_fail_msg "cannot set the vectors' affinity"
dport=7100

# One journey follows every case (loading its BPF object takes 30 s on a
# debug kernel): each run's datagrams go to a port of their own.
"$JOURNEY" -i "$IF0@$NS0" -i "$IF1@$NS1" --json --timeline --proto udp >"$tmp/all" 2>&1 &
journey_pid=$!
for _ in $(seq 300); do
	grep -q '"type":"start"' "$tmp/all" && break
	sleep 0.2
done
grep -q '"type":"start"' "$tmp/all" ||
	ktap_exit_fail_msg "nicsim_journey did not start: $(head -c 300 "$tmp/all")"

# run OUT: the timelines of N datagrams to the next port, 50 ms apart
run() {
	local out=$1 _

	dport=$((dport + 1))
	: >"$tmp/recv"
	ip netns exec "$NS1" taskset -c 1 "$NICSIM_UDP" recv 10.0.0.2 "$dport" "$N" 20 \
		>"$tmp/recv" &
	recv_pid=$!
	nicsim_wait grep -q '^ready' "$tmp/recv" || return 1
	ip netns exec "$NS0" taskset -c 0 "$NICSIM_UDP" send 10.0.0.2 "$dport" "$N" 50000 64
	wait "$recv_pid" || { ktap_print_msg "the receiver missed datagrams"; return 1; }
	for _ in $(seq 100); do		# both journeys of each datagram
		[ "$(grep -c "\"dport\":$dport," "$tmp/all")" -ge $((2 * N)) ] && break
		sleep 0.1
	done
	grep "\"dport\":$dport," "$tmp/all" >"$out"
}

# compare BASE DELAYED DIR STAGE: the medians, and the verdict
compare() {
	$PY - "$1" "$2" "$3" "$4" "$N" "$DELAY_US" "$TOL_US" <<'PYEOF'
import json, statistics, sys
base, delayed, want_dir, want_stage = sys.argv[1:5]
n, delay, tol = (int(x) for x in sys.argv[5:8])
ok = True

def medians(path):
    global ok
    lines = [json.loads(l) for l in open(path) if l.startswith('{')]
    js = [x for x in lines if x['type'] == 'journey']
    for d in ('rx', 'tx'):
        got = len([j for j in js if j['dir'] == d and j['end'] == 'delivered'])
        if got != n:
            print('# # %s: %d %s journeys delivered, not %d' % (path, got, d, n))
            ok = False
    deltas = {}
    for j in js:
        prev = None
        for s in j['stages']:
            if s['t_us'] is None:
                continue
            if prev is not None:
                deltas.setdefault((j['dir'], s['stage']), []).append(s['t_us'] - prev)
            prev = s['t_us']
    return {k: statistics.median(v) for k, v in deltas.items()}

b, d = medians(base), medians(delayed)
for k in sorted(set(b) | set(d)):
    if k not in b or k not in d:
        print('# # %s %s: seen in one run only' % k)
        ok = False
        continue
    moved = d[k] - b[k]
    expect = delay if k == (want_dir, want_stage) else 0
    verdict = abs(moved - expect) <= tol
    ok &= verdict
    print('# # %s %-8s %8.1f -> %8.1f us: moved %+8.1f, expected %+d%s' %
          (k[0], k[1], b[k], d[k], moved, expect, '' if verdict else '  <-- wrong'))
sys.exit(0 if ok else 1)
PYEOF
}

# case_delay DIR STAGE ON OFF: a run, a run after ON, then OFF; the delay
# must move DIR STAGE and nothing else (ktap_test_result splits words: the
# ON and OFF commands are functions)
case_delay() {
	local err

	run "$tmp/base" || return 1
	"$3" || return 1
	run "$tmp/delayed"
	err=$?
	"$4"
	[ $err = 0 ] && compare "$tmp/base" "$tmp/delayed" "$1" "$2"
}
wire=$DBG/nicsim$ID/port0/wire_latency_us
completion=$DBG/nicsim$ID/port0/tx0/completion_delay_us
wire_on() { echo "$DELAY_US" >"$wire"; }
wire_off() { echo 0 >"$wire"; }
moderation_on() { ip netns exec "$NS1" ethtool -C "$IF1" rx-usecs "$DELAY_US" rx-frames 64; }
moderation_off() { ip netns exec "$NS1" ethtool -C "$IF1" rx-usecs 0 rx-frames 1; }
completion_on() { echo "$DELAY_US" >"$completion"; }
completion_off() { echo 0 >"$completion"; }

ktap_test_result "wire_latency_us $DELAY_US: rx dma (since the cable) moves by it, no other stage" \
	case_delay rx dma wire_on wire_off
ktap_test_result "rx-usecs $DELAY_US: rx irq (since the DMA write) moves by it, no other stage" \
	case_delay rx irq moderation_on moderation_off
ktap_test_result "tx0 completion_delay_us $DELAY_US: tx done moves by it, no other stage" \
	case_delay tx done completion_on completion_off

knob_limits() {
	if echo 100001 >"$completion" 2>/dev/null; then
		ktap_print_msg "completion_delay_us took 100001"
		return 1
	fi
	[ "$(cat "$completion")" = 0 ] && [ ! -e "$DBG/nicsim$ID/port0/tx1" ]
}
ktap_test_result "completion_delay_us: at most 100000, one per queue of the device" knob_limits

no_loss() {
	kill -INT "$journey_pid"
	wait "$journey_pid"
	journey_pid=""
	ktap_print_msg "$(grep '"type":"summary"' "$tmp/all")"
	grep -q '"type":"summary".*"lost_events":0,' "$tmp/all"
}
ktap_test_result "the journey lost no event" no_loss

ktap_finished
