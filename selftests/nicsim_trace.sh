#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nicsim's tracepoints fire for one ping with the expected fields, and the
# join keys (descriptor index, sequence number) tie the device's DMA write
# to the driver's descriptor consumption.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
ktap_set_plan 6
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
[ -d "$NICSIM_TRACEFS/events/nicsim" ] || ktap_exit_fail_msg "no nicsim events in $NICSIM_TRACEFS"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
# resolve ARP first, so that the traced ping is a single echo exchange
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null

nicsim_trace_instance nicsim-test
inst=$NICSIM_TRACE_INSTANCE
for ev in nicsim_tx_doorbell nicsim_rx_dma_write nicsim_irq_raise nicsim_rx_desc; do
	echo 1 >"$inst/events/nicsim/$ev/enable"
done
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null
echo 0 >"$inst/tracing_on"
mapfile -t trace < <(grep -v '^#' "$inst/trace")
ktap_print_msg "${#trace[@]} events traced"

irq1=$(awk -v n="$IF1-rxtx-0" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
num='([0-9]+)'

doorbell_ok=false dma_line=-1 desc_line=-1 irq_line=-1
seq="" desc=""
for i in "${!trace[@]}"; do
	l=${trace[$i]}
	if [[ $l =~ nicsim_tx_doorbell:\ dev=$IF0\ ifindex=$num\ queue=0\ tail=$num\ posted=$num ]] &&
	   [ "${BASH_REMATCH[3]}" -ge 1 ]; then
		doorbell_ok=true
	elif [[ $l =~ nicsim_rx_dma_write:\ dev=$IF1\ ifindex=$num\ queue=0\ desc=$num\ len=98\ seq=$num\ dma_ts=$num ]] &&
	     [ "$dma_line" -lt 0 ]; then
		desc=${BASH_REMATCH[2]} seq=${BASH_REMATCH[3]} dma_ts=${BASH_REMATCH[4]}
		dma_line=$i
	elif [[ $l =~ nicsim_irq_raise:\ dev=$IF1\ ifindex=$num\ vector=0\ irq=$irq1\ cpu=$num\ reason=(frames|timer|enable) ]]; then
		[ "$irq_line" -lt 0 ] && irq_line=$i
	elif [ -n "$seq" ] &&
	     [[ $l =~ nicsim_rx_desc:\ dev=$IF1\ ifindex=$num\ queue=0\ desc=$desc\ len=98\ seq=$seq\ dma_ts=$dma_ts ]]; then
		desc_line=$i
	fi
done

ktap_test_result "nicsim_tx_doorbell: $IF0 queue 0 rang with posted >= 1" $doorbell_ok

dma_fields_ok() {
	[ "$dma_line" -ge 0 ] && [ "$desc" -lt 256 ] && [ "$seq" -gt 0 ] &&
		[ "$dma_ts" -gt 0 ]
}
ktap_test_result "nicsim_rx_dma_write: $IF1 queue 0, 98-byte frame, desc < 256, seq and time set" \
	dma_fields_ok

[ -n "$irq1" ] || ktap_print_msg "no $IF1-rxtx-0 in /proc/interrupts"
ktap_test_result "nicsim_irq_raise: $IF1 vector 0 on IRQ ${irq1:-?} (/proc/interrupts)" \
	[ "$irq_line" -ge 0 ]

ktap_test_result "nicsim_rx_desc: same desc, seq and DMA time as the DMA write" \
	[ "$desc_line" -ge 0 ]

ktap_test_result "order: DMA write before the driver consumed the descriptor" \
	[ "$desc_line" -gt "$dma_line" -a "$dma_line" -ge 0 ]

# The interrupt may come before the DMA write when NAPI was already
# polling (for a TX completion on the same vector): it must precede the poll.
ktap_test_result "order: an interrupt on $IF1 preceded the descriptor's NAPI poll" \
	[ "$irq_line" -ge 0 -a "$irq_line" -lt "$desc_line" ]

[ "${#trace[@]}" -gt 0 ] || ktap_print_msg "trace was empty"
ktap_finished
