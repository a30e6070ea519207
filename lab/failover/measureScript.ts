/**
 * Shell (busybox sh, lab VM, root namespace) that measures one failover: a bounded request loop from
 * the client namespace, T long-lived held connections, the VIP's arrival on the backup, and whether
 * each held connection still echoes afterwards. Time is /proc/uptime (10 ms resolution), which is
 * the VM's own clock, the same one keepalived's timers run on.
 *
 * Output lines (parsed by parseMeasure in failoverResult.ts):
 *   M-T0 <ms>            the fault (or planned switchover) was injected
 *   M-VIP <ms>|none      the VIP was first seen on the taking-over director
 *   M-REQ ok|fail <start> <end> [rsN]   one request of the loop
 *   M-HELD <kept> <total>
 */
import { HA_LAB } from "./haNetwork.ts";

/** defines now(), reqloop_start/stop, held_open/held_ping/held_close, wait_vip */
export const MEASURE_FUNCTIONS = `
ip() { /usr/sbin/ip "$@"; }
now() { read up rest < /proc/uptime; echo $(( \${up%.*}\${up#*.} * 10 )); }
cat > /tmp/reqloop.sh <<'@@REQ@@'
ip() { /usr/sbin/ip "$@"; }
now() { read up rest < /proc/uptime; echo $(( \${up%.*}\${up#*.} * 10 )); }
max=$1; out=$2; i=0
: > $out
hard=$(( $(now) + 60000 ))
while [ $i -lt $max ] && [ ! -e /tmp/stop-req ] && [ $(now) -lt $hard ]; do
  t=$(now)
  r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc -w 3 ${HA_LAB.vip} ${HA_LAB.httpPort} 2>/dev/null | tail -n 1)
  case "$r" in rs*) echo "M-REQ ok $t $(now) $r" >> $out ;; *) echo "M-REQ fail $t $(now)" >> $out ;; esac
  i=$((i+1))
  sleep 0.05
done
echo "M-REQ-END" >> $out
@@REQ@@
reqloop_start() { rm -f /tmp/stop-req; ip netns exec client sh /tmp/reqloop.sh \${1:-400} /tmp/req.out & REQPID=$!; }
reqloop_stop() { touch /tmp/stop-req; wait $REQPID 2>/dev/null; cat /tmp/req.out; }
held_open() { # count
  HELD=$1; i=1
  while [ $i -le $HELD ]; do
    rm -f /tmp/h$i.in /tmp/h$i.out; mkfifo /tmp/h$i.in
    ip netns exec client sh -c "exec timeout 300 nc ${HA_LAB.vip} ${HA_LAB.echoPort} < /tmp/h$i.in > /tmp/h$i.out 2>/dev/null" &
    sleep 300 > /tmp/h$i.in &
    echo $! > /tmp/h$i.holder
    i=$((i+1))
  done
}
held_ping() { # tag timeout_ms -> prints how many echoed the tag
  i=1; while [ $i -le $HELD ]; do echo "$1-$i" > /tmp/h$i.in; i=$((i+1)); done
  end=$(( $(now) + $2 ))
  while :; do
    k=0; i=1
    while [ $i -le $HELD ]; do grep -qx "$1-$i" /tmp/h$i.out 2>/dev/null && k=$((k+1)); i=$((i+1)); done
    [ $k -ge $HELD ] && break
    [ $(now) -ge $end ] && break
    sleep 0.05
  done
  echo $k
}
held_close() { i=1; while [ $i -le \${HELD:-0} ]; do kill $(cat /tmp/h$i.holder) 2>/dev/null; i=$((i+1)); done; }
wait_vip() { # netns timeout_ms -> prints the time the VIP was seen there, or none
  end=$(( $(now) + $2 ))
  while :; do
    if ip -n $1 -4 addr show dev eth0 | grep -q "inet ${HA_LAB.vip}/"; then now; return 0; fi
    [ $(now) -ge $end ] && { echo none; return 1; }
    sleep 0.01
  done
}
vip_on() { ip -n $1 -4 addr show dev eth0 | grep -q "inet ${HA_LAB.vip}/"; }
# ESTABLISHED only: entries of the previous scenario's closed connections linger (FIN_WAIT, TIME_WAIT)
conn_count() { ip netns exec $1 ipvsadm -Lnc | grep ESTABLISHED | grep -c ":${HA_LAB.echoPort} "; }
`;
