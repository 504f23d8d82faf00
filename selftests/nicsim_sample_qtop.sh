#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# samples/bpf/nicsim_qtop on real traffic: with rx-frames 8 a burst's
# interrupts each cover several frames, NAPI polls are counted with their
# work, the frames polled add up to what the port received, and the ring
# and moderation state come from bpf_nicsim_queue_state().

. "$(dirname "$0")/nicsim_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; nicsim_cleanup' EXIT

PY=/usr/bin/python3

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_qtop
QTOP=$SAMPLE
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"
ip netns exec "$NS1" ethtool -C "$IF1" rx-usecs 2000 rx-frames 8
# a quiet cable: no IPv6 (MLD reports), and ARP resolved before qtop starts,
# so that the port receives only the datagrams while qtop watches
ip netns exec "$NS0" sysctl -qw "net.ipv6.conf.$IF0.disable_ipv6=1"
ip netns exec "$NS1" sysctl -qw "net.ipv6.conf.$IF1.disable_ipv6=1"
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null

# qtop runs until SIGINT, which makes it print a last refresh: its
# window then holds every frame counted between rx0 and rx
ip netns exec "$NS1" "$QTOP" -i "$IF1" -I 1 --json >"$tmp/out" 2>&1 &
qtop=$!
for _ in $(seq 100); do
	grep -q '"type":"start"' "$tmp/out" && break
	sleep 0.1
done
rx0=$(nicsim_stat "$NS1" "$IF1" rx_packets)
sleep 1.2
# 400 datagrams over 4 flows, so that RSS uses both queues
senders=()
for port in 7200 7201 7202 7203; do
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$port" 100 0 64 &
	senders+=($!)
done
wait "${senders[@]}"
# the last interrupt comes rx-usecs (2 ms) after the last frame
sleep 0.5
rx=$(( $(nicsim_stat "$NS1" "$IF1" rx_packets) - rx0 ))
kill -INT "$qtop"
wait "$qtop"
ktap_print_msg "$IF1 received $rx packets meanwhile"

# run EXPR over the refreshes: `r` is the list of refreshes
query() {
	$PY - "$tmp/out" "$1" <<'PYEOF'
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.startswith('{'))
     if x['type'] == 'refresh']
rows = [q for x in r for q in x['queues']]
print('# # ' + '; '.join('q%d irqs %d rx/irq %.1f polls %d work/poll %.1f fill %d/%d mod %d/%d' % (
      q['queue'], q['irqs'], q['rx_per_irq'], q['polls'], q['work_per_poll'],
      q['rx_fill'], q['ring_size'], q['rx_usecs'], q['rx_frames']) for q in rows if q['irqs']))
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
}

refreshes() {
	query "len(r) >= 2 and all(sorted(q['queue'] for q in x['queues']) == [0, 1] for x in r)"
}
ktap_test_result "a refresh a second of both queue pairs, and one on SIGINT" refreshes

batching() {
	local irqs="sum(q['irqs'] for q in rows)"
	local per_irq="sum(q['rx_per_irq'] * q['irqs'] for q in rows) / $irqs"
	local polled="sum(q['rx_frames_polled'] for q in rows)"

	# at least 2 frames per interrupt on average (1 without moderation);
	# not at most 8: frames that arrive between the interrupt and its poll
	# are polled with it, and a fast sender makes them many (the
	# threshold itself is nicsim_coalesce.sh's)
	query "$irqs > 0 and 2 <= $per_irq and $polled == $rx"
}
ktap_test_result "rx-frames 8: several frames per interrupt; polled frames = received ($rx)" \
	batching

state() {
	local ring="q['running'] == 1 and q['ring_size'] == 256 and 0 < q['rx_fill'] <= 256"
	local mod="q['rx_usecs'] == 2000 and q['rx_frames'] == 8 and q['irq_masked'] == 0"

	query "all($ring and $mod for q in rows)"
}
ktap_test_result "queue state: running, ring of 256 filled, the moderation ethtool set" state

ktap_finished
