#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# samples/bpf/nicsim_journey on drivers other than nicsim, with the upstream
# hooks every driver passes through:
#  - a veth pair, with the nicsim module unloaded (the tool needs none of
#    its tracepoints for other drivers): 50 UDP datagrams each seen at
#    NAPI, the journey's XDP program, the sk_buff, the stack, TC, the
#    socket and the application, and sent through TC, the driver and the
#    hand-over to the peer; the device's own stages (cable, DMA,
#    interrupt, doorbell) and a ring's (post) reported as not available
#    on veth, never guessed, and so the hardware receive time: veth's
#    XDP RX metadata gives none; without XDP a veth hands frames over
#    with netif_rx(), and ping's replies, sent from a softirq, claim no
#    NAPI;
#  - the VM's two virtio-net NICs, wired to each other by a qemu hub
#    (scripts/vm-run --virtio-pair), nicsim loaded again: the same, plus
#    the receive interrupts' handler (MSI-X vectors) and the descriptors'
#    post; virtio_net has no XDP RX metadata timestamp. Without two such
#    NICs the virtio case says so and skips: they are the VM's, not the
#    kernel's;
#  - a nicsim pair followed as any other driver (--upstream-only): the
#    hardware receive time from XDP RX metadata, the PTP clock's time at
#    the MAC (RX time stamps on), is each frame's first stage.

. "$(dirname "$0")/nicsim_lib.sh"

PY=/usr/bin/python3
journey_pid=""
tmp=$(mktemp -d)
VA=vja-$$ VB=vjb-$$
cleanup() {
	[ -n "$journey_pid" ] && kill "$journey_pid" 2>/dev/null
	ip netns del "$VA" 2>/dev/null
	ip netns del "$VB" 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_journey
JOURNEY=$SAMPLE
ktap_set_plan 5
ip netns add "$VA" && ip netns add "$VB" || ktap_exit_fail_msg "cannot add namespaces"

# pair IF_A IF_B NET: IF_A in $VA as NET.1, IF_B in $VB as NET.2, both up
pair() {
	ip -n "$VA" addr add "$3.1/24" dev "$1" && ip -n "$VB" addr add "$3.2/24" dev "$2" &&
		ip -n "$VA" link set "$1" up && ip -n "$VB" link set "$2" up &&
		ip -n "$VA" link set lo up && ip -n "$VB" link set lo up &&
		ip netns exec "$VA" ping -q -c 1 -W 10 "$3.2" >/dev/null
}

# follow IF_A IF_B NET PORT [OPTION]: 50 datagrams from $VA to $VB, 2 ms
# apart, the journey (with its XDP program) on both ports; its JSON
# timelines in $tmp/PORT
follow() {
	local out=$tmp/$4 _

	"$JOURNEY" -i "$1@$VA" -i "$2@$VB" --xdp --timeline --json --proto udp \
		--dport "$4" ${5:+"$5"} >"$out" 2>&1 &
	journey_pid=$!
	for _ in $(seq 100); do
		grep -q '"type":"start"' "$out" && break
		kill -0 "$journey_pid" 2>/dev/null || break
		sleep 0.2
	done
	grep -q '"type":"start"' "$out" ||
		{ ktap_print_msg "nicsim_journey did not start: $(head -c 300 "$out")"; return 1; }
	: >"$tmp/recv"
	ip netns exec "$VB" "$NICSIM_UDP" recv "$3.2" "$4" 50 20 >"$tmp/recv" &
	local recv=$!
	nicsim_wait grep -q '^ready' "$tmp/recv" || return 1
	ip netns exec "$VA" "$NICSIM_UDP" send "$3.2" "$4" 50 2000 64
	wait "$recv" || { ktap_print_msg "the receiver missed datagrams"; return 1; }
	sleep 1		# the last completions
	kill -INT "$journey_pid"
	wait "$journey_pid"
	journey_pid=""
}

# check FILE DRIVER RX_STAGES TX_STAGES UNAVAILABLE_RX UNAVAILABLE_TX RX_PORT
# TX_PORT HW: each of the 50 datagrams' journeys, received on RX_PORT and
# sent on TX_PORT, delivered and seen at each STAGE in order (~STAGE: by 40
# or more, an interrupt that NAPI did not need; !STAGE: by all, in no
# order); the UNAVAILABLE stages
# reported so at the start and seen by none; what each port's XDP RX
# metadata gave, HW: "zero" (times of 0), "unsupported" (-EOPNOTSUPP) or
# "stamped" (a time for each frame received)
check() {
	$PY - "$@" <<'PYEOF'
import json, sys
path, driver = sys.argv[1:3]
must = {'rx': sys.argv[3].split(), 'tx': sys.argv[4].split()}
na = {'rx': sys.argv[5].split(), 'tx': sys.argv[6].split()}
port = {'rx': sys.argv[7], 'tx': sys.argv[8]}
hw = sys.argv[9]
lines = [json.loads(l) for l in open(path) if l.startswith('{')]
start = [x for x in lines if x['type'] == 'start'][0]
ok = all(p['driver'] == driver for p in start['ports'])
print('# # ports: %s' % start['ports'])
summary = [x for x in lines if x['type'] == 'summary'][0]
print('# # hardware receive time: %s' % summary['hw_rx_time'])
for h in summary['hw_rx_time']:
    if '%s@%s' % (h['ifname'], h['netns']) != port['rx']:
        # the sending port: bound (it receives little: ARP, replies)
        if not h['bound']:
            print('# # %s: no device-bound program' % h['ifname'])
            ok = False
        continue
    want = {'zero': h['err'] == 0 and h['zero'] > 0 and h['stamped'] == 0,
            'unsupported': h['err'] == -95 and h['stamped'] == 0,
            'stamped': h['err'] == 0 and h['stamped'] >= 50 and
                       h['zero'] + h['nodata'] + h['unsynced'] == 0}[hw]
    if not (h['bound'] and want):
        print('# # %s: not %s' % (h['ifname'], hw))
        ok = False
if len(summary['hw_rx_time']) != 2:
    print('# # not 2 ports in hw_rx_time')
    ok = False
# the start cannot know it; once a frame said so, journeys report it
rx = [x for x in lines if x['type'] == 'journey' and x['dir'] == 'rx']
na_dma = [s.get('available') for j in rx for s in j['stages'] if s['stage'] == 'dma']
if hw != 'stamped' and (not na_dma or any(a is not False for a in na_dma)):
    print('# # dma not reported unavailable by every journey: %s' % na_dma)
    ok = False
for d in ('rx', 'tx'):
    if sorted(start['unavailable'][d]) != sorted(na[d]):
        print('# # %s: reported unavailable: %s, not %s' % (d, start['unavailable'][d], na[d]))
        ok = False
    js = [x for x in lines if x['type'] == 'journey' and x['dir'] == d]
    seen = {}
    for j in js:
        t = {s['stage']: s['t_us'] for s in j['stages']}
        for n in t:
            seen[n] = seen.get(n, 0) + (t[n] is not None)
        order = [t[n.lstrip('~!')] for n in must[d]
                 if not n.startswith('!') and t[n.lstrip('~!')] is not None]
        if j['end'] != 'delivered' or order != sorted(order) or j['port'] != port[d]:
            print('# # %s: %s' % (d, j))
            ok = False
    print('# # %s: %d journeys; seen: %s' % (d, len(js), seen))
    if len(js) != 50:
        print('# # %s: %d journeys, not 50' % (d, len(js)))
        ok = False
    for n in must[d]:
        some = n.startswith('~')
        n = n.lstrip('~!')
        if not (40 <= seen.get(n, 0) <= 50 if some else seen.get(n, 0) == 50):
            print('# # %s %s: seen by %d of 50' % (d, n, seen.get(n, 0)))
            ok = False
    for n in na[d]:
        if seen.get(n, 0):
            print('# # %s %s: not available, seen by %d' % (d, n, seen[n]))
            ok = False
sys.exit(0 if ok else 1)
PYEOF
}

veth() {
	ip link add va netns "$VA" type veth peer vb netns "$VB" || return 1
	pair va vb 10.9.0 || return 1
	follow va vb 10.9.0 7500 || return 1
	check "$tmp/7500" veth "napi xdp skb stack tc socket app" \
		"app tc xmit done" "wire irq handler" "post doorbell dma wire" \
		"vb@$VB" "va@$VA" zero
}
# tp_btf programs on a module's tracepoints would keep it loaded: unload
# it first, so that the tool must do without
if [ -e /sys/kernel/btf/nicsim ]; then
	modprobe -r nicsim 2>/dev/null || rmmod nicsim 2>/dev/null ||
		ktap_exit_fail_msg "cannot unload nicsim: $(ls /sys/bus/nicsim/devices 2>&1)"
fi
ktap_test_result "veth, no nicsim module: every upstream stage of 50 datagrams both ways" \
	veth

# Without XDP (or GRO) on its peer, a veth hands frames over with
# netif_rx(), even from a softirq: ping's echo replies go out from the
# peer's NET_RX. No journey may claim a NAPI poll or an XDP pass then.
veth_no_xdp() {
	local out=$tmp/icmp _

	"$JOURNEY" -i "va@$VA" -i "vb@$VB" --timeline --json --proto icmp >"$out" 2>&1 &
	journey_pid=$!
	for _ in $(seq 100); do
		grep -q '"type":"start"' "$out" && break
		sleep 0.2
	done
	ip netns exec "$VA" ping -q -c 20 -i 0.05 10.9.0.2 >/dev/null ||
		{ ktap_print_msg "ping failed"; return 1; }
	sleep 0.5
	kill -INT "$journey_pid"
	wait "$journey_pid"
	journey_pid=""
	$PY - "$out" "va@$VA" "vb@$VB" <<'PYEOF'
import json, sys
js = [json.loads(l) for l in open(sys.argv[1]) if '"journey"' in l]
ok = True
for p in sys.argv[2:]:
    rx = [j for j in js if j['dir'] == 'rx' and j['port'] == p]
    t = [{s['stage']: s['t_us'] for s in j['stages']} for j in rx]
    bad = [x for x in t if x['napi'] is not None or x['xdp'] is not None or
           None in (x['skb'], x['stack'], x['tc'])]
    print('# # %s: %d received, %d with napi or xdp or without skb, stack, tc' %
          (p, len(rx), len(bad)))
    ok &= len(rx) == 20 and not bad
sys.exit(0 if ok else 1)
PYEOF
}
ktap_test_result "veth without XDP: replies from a softirq claim no NAPI poll" veth_no_xdp

# the virtio-net NICs: "IFNAME MAC" of each, in MAC order
virtio_nics() {
	local n

	for n in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$n/device/driver")")" = virtio_net ] || continue
		echo "$(cat "$n/address") ${n##*/}"
	done | sort | cut -d' ' -f2
}

virtio() {
	local nics a b

	nics=$(virtio_nics)
	a=$(echo "$nics" | sed -n 1p)
	b=$(echo "$nics" | sed -n 2p)
	ip link set "$a" netns "$VA" && ip link set "$b" netns "$VB" || return 1
	pair "$a" "$b" 10.9.1 || { ktap_print_msg "no traffic between $a and $b"; return 1; }
	follow "$a" "$b" 10.9.1 7501 || return 1
	check "$tmp/7501" virtio_net "~handler napi xdp skb stack tc socket app" \
		"app tc xmit post done" "wire irq" "doorbell dma wire" \
		"$b@$VB" "$a@$VA" unsupported || return 1
	grep '"type":"start"' "$tmp/7501" | grep -q '"irqs":[1-9]' ||
		{ ktap_print_msg "no receive interrupt found for $a or $b"; return 1; }
}
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
if [ "$(virtio_nics | wc -l)" -ge 2 ]; then
	ktap_test_result "virtio_net: every upstream stage of 50 datagrams both ways, IRQs too" \
		virtio
else
	ktap_test_skip "virtio_net: no two virtio-net NICs wired together (vm-run --virtio-pair)"
fi

# nicsim ports as any other driver's: the hardware receive time comes from
# nicsim's XDP RX metadata (its PTP clock's time at the MAC, set from
# CLOCK_REALTIME, with RX time stamps on) and precedes XDP;
# not always NAPI's, which is when the poll began: a frame may arrive
# during it. nicsim's interrupts are no Linux IRQ: no handler stage
upstream_nicsim() {
	nicsim_pair_dev "$(nicsim_random_id)" 1 || { ktap_print_msg "no nicsim device"; return 1; }
	# named apart from the virtio NICs already there
	ip link set "$IF0" name nsa && ip link set "$IF1" name nsb || return 1
	IF0=nsa IF1=nsb
	ip link set "$IF0" netns "$VA" && ip link set "$IF1" netns "$VB" || return 1
	pair "$IF0" "$IF1" 10.9.2 ||
		{ ktap_print_msg "no traffic between $IF0 and $IF1"; return 1; }
	# without RX time stamps (SIOCSHWTSTAMP) XDP gets -ENODATA
	ip netns exec "$VB" "$lib_dir/hwtstamp_config" "$IF1" OFF ALL >/dev/null ||
		{ ktap_print_msg "cannot turn RX time stamps on"; return 1; }
	follow "$IF0" "$IF1" 10.9.2 7502 --upstream-only || return 1
	check "$tmp/7502" nicsim "dma !napi xdp skb stack tc socket app" \
		"app tc xmit post done" "wire irq handler" "doorbell dma wire" \
		"$IF1@$VB" "$IF0@$VA" stamped
}
ktap_test_result "nicsim by the upstream hooks only: the hardware receive time precedes XDP" \
	upstream_nicsim

refuse() {
	local err

	"$JOURNEY" -i lo -d 1 >/dev/null 2>"$tmp/err"
	err=$?
	ktap_print_msg "-i lo: $(head -n 1 "$tmp/err")"
	[ $err -ne 0 ] && grep -q "not a NIC" "$tmp/err"
}
ktap_test_result "a port that is not a NIC is refused" refuse

ktap_finished
