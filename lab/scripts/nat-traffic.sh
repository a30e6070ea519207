# LVS-NAT with real traffic, all inside the lab VM (busybox sh; `ip` is iproute2, `section` prints a marker).
#   client netns 192.168.1.2 --veth--> director = root netns (VIP 192.168.1.1, ip_forward=1)
#   --veth--> real-server netns rs1..rs3 (10.0.N.2, default route via the director), busybox httpd :80
# 1. VIP:80 rr over rs1, rs2: $REQUESTS requests, then every listing the lab tests parse.
# 2. one service per scheduler on VIP:8001.. over rs1 (w3), rs2 (w2), rs3 (w1), added in that order:
#    $SEQ_REQUESTS sequential requests each; the real server that answered each one is printed.
# 3. (after the listings) one fresh service per least-connection-like or locality scheduler on VIP:8101.., same
#    real servers and weights (wlc-x: wlc with -x 3 on rs1): $HELD_PATTERN steps, H = a connection held
#    open (ESTABLISHED = ActiveConn), C = a closed request; after each step the kernel's counters
#    (ipvsadm -Ln -t) are printed, so every decision can be replayed from the state the kernel saw.
# 4. source hashing over many clients (sh, mh on VIP:8201, 8202; the client's source address is picked
#    with a /32 route to the VIP) and destination hashing over many VIPs (dh on 192.168.1.200.. :8300);
#    then persistence with -M 255.255.255.248 over the same clients (VIP:8203).
# 5. rr and wrr across live edits (VIP:8401, 8402): requests between -a, -e (weight) and -d; every
#    change is printed as "@ add|edit|del ADDR [WEIGHT]" between the answers, so it can be replayed.
set -e
REQUESTS=${REQUESTS:-6}
SEQ_REQUESTS=${SEQ_REQUESTS:-12}
SCHEDULERS=${SCHEDULERS:-"rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh mh"}
HELD_SCHEDULERS=${HELD_SCHEDULERS:-"lc wlc sed nq fo ovf wlc-x lblc lblcr"}
HELD_PATTERN=${HELD_PATTERN:-"H C H H C H H H C H C H"}
HASH_CLIENTS=${HASH_CLIENTS:-16}
DYN_SCHEDULERS=${DYN_SCHEDULERS:-"rr wrr"}

echo 1 > /proc/sys/net/ipv4/ip_forward
ip netns add client
ip link add vc type veth peer name eth0 netns client
ip addr add 192.168.1.1/24 dev vc
ip link set vc up
ip netns exec client ip addr add 192.168.1.2/24 dev eth0
ip netns exec client ip link set eth0 up
ip netns exec client ip link set lo up
ip netns exec client ip route add default via 192.168.1.1
for i in 1 2 3; do
  ip netns add rs$i
  ip link add v$i type veth peer name eth0 netns rs$i
  ip addr add 10.0.$i.1/24 dev v$i
  ip link set v$i up
  ip netns exec rs$i ip addr add 10.0.$i.2/24 dev eth0
  ip netns exec rs$i ip link set eth0 up
  ip netns exec rs$i ip link set lo up
  ip netns exec rs$i ip route add default via 10.0.$i.1
  mkdir -p /www/rs$i
  echo "10.0.$i.2:80" > /www/rs$i/index.html
  ip netns exec rs$i httpd -p 80 -h /www/rs$i
done

# one HTTP/1.0 request from the client namespace; prints the answering real server
req() {
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec client nc -w 30 "$1" "$2" | tail -n 1
}

ipvsadm -A -t 192.168.1.1:80 -s rr
ipvsadm -a -t 192.168.1.1:80 -r 10.0.1.2:80 -m
ipvsadm -a -t 192.168.1.1:80 -r 10.0.2.2:80 -m

port=8000
for s in $SCHEDULERS; do
  port=$((port + 1))
  ipvsadm -A -t 192.168.1.1:$port -s $s
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.1.2:80 -m -w 3
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.2.2:80 -m -w 2
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.3.2:80 -m -w 1
done

section main-answers
n=0
while [ $n -lt $REQUESTS ]; do req 192.168.1.1 80; n=$((n + 1)); done

port=8000
for s in $SCHEDULERS; do
  port=$((port + 1))
  section "seq-$s"
  n=0
  while [ $n -lt $SEQ_REQUESTS ]; do req 192.168.1.1 $port; n=$((n + 1)); done
done

# the estimator sums counters about every 2 s
sleep 3
section ln; ipvsadm -Ln
section stats-exact; ipvsadm -Ln --stats --exact
section stats; ipvsadm -Ln --stats
section rate-exact; ipvsadm -Ln --rate --exact
section thresholds; ipvsadm -Ln --thresholds
section lnc; ipvsadm -Lnc
section proc-ip_vs; cat /proc/net/ip_vs
section proc-ip_vs_stats; cat /proc/net/ip_vs_stats
section proc-ip_vs_conn; cat /proc/net/ip_vs_conn
# 3. held connections: ActiveConn in the decisions
port=8100
for label in $HELD_SCHEDULERS; do
  port=$((port + 1))
  s=${label%-x}
  x=""; [ "$label" != "$s" ] && x="-x 3"
  ipvsadm -A -t 192.168.1.1:$port -s $s
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.1.2:80 -m -w 3 $x
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.2.2:80 -m -w 2
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.3.2:80 -m -w 1
  section "held-$label-0"; ipvsadm -Ln -t 192.168.1.1:$port
  k=0; held=0
  for step in $HELD_PATTERN; do
    k=$((k + 1))
    if [ "$step" = H ]; then
      # no request: busybox httpd waits for one, the connection stays ESTABLISHED
      (sleep 60 | ip netns exec client nc 192.168.1.1 $port >/dev/null 2>&1) &
      held=$((held + 1))
      n=0
      until [ "$(ipvsadm -Ln -t 192.168.1.1:$port | awk '/->/ && $2 != "RemoteAddress:Port" { a += $5 } END { print a + 0 }')" -ge $held ] || [ $n -ge 200 ]; do
        usleep 20000; n=$((n + 1))
      done
      section "held-$label-$k"; echo "hold"
    else
      answer=$(req 192.168.1.1 $port)
      section "held-$label-$k"; echo "answer $answer"
    fi
    ipvsadm -Ln -t 192.168.1.1:$port
  done
done

# 4. hashing over many clients / many VIPs
port=8200
for s in sh mh; do
  port=$((port + 1))
  ipvsadm -A -t 192.168.1.1:$port -s $s
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.1.2:80 -m -w 3
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.2.2:80 -m -w 2
  ipvsadm -a -t 192.168.1.1:$port -r 10.0.3.2:80 -m -w 1
done
j=0
while [ $j -lt $HASH_CLIENTS ]; do
  ip addr add 192.168.1.$((200 + j))/32 dev vc
  ipvsadm -A -t 192.168.1.$((200 + j)):8300 -s dh
  ipvsadm -a -t 192.168.1.$((200 + j)):8300 -r 10.0.1.2:80 -m
  ipvsadm -a -t 192.168.1.$((200 + j)):8300 -r 10.0.2.2:80 -m
  ipvsadm -a -t 192.168.1.$((200 + j)):8300 -r 10.0.3.2:80 -m
  ip netns exec client ip addr add 192.168.1.$((100 + j))/24 dev eth0
  j=$((j + 1))
done
for s in sh mh; do
  [ $s = sh ] && port=8201 || port=8202
  section "clients-$s"
  j=0
  while [ $j -lt $HASH_CLIENTS ]; do
    ip netns exec client ip route replace 192.168.1.1/32 dev eth0 src 192.168.1.$((100 + j))
    echo "192.168.1.$((100 + j)) $(req 192.168.1.1 $port)"
    j=$((j + 1))
  done
done
# persistence by client network: rr -p 60 -M 255.255.255.248 on VIP:8203, the clients in order, then
# in reverse order (every template is still alive: each client must get its /29's first server)
ipvsadm -A -t 192.168.1.1:8203 -s rr -p 60 -M 255.255.255.248
for rs in 10.0.1.2 10.0.2.2 10.0.3.2; do ipvsadm -a -t 192.168.1.1:8203 -r $rs:80 -m; done
section clients-persist
for pass in up down; do
  j=0
  while [ $j -lt $HASH_CLIENTS ]; do
    [ $pass = up ] && c=$((100 + j)) || c=$((100 + HASH_CLIENTS - 1 - j))
    ip netns exec client ip route replace 192.168.1.1/32 dev eth0 src 192.168.1.$c
    echo "192.168.1.$c $(req 192.168.1.1 8203)"
    j=$((j + 1))
  done
done
section persist-lnc; ipvsadm -Lnc
[ $HASH_CLIENTS -gt 0 ] && ip netns exec client ip route del 192.168.1.1/32
section vips-dh
j=0
while [ $j -lt $HASH_CLIENTS ]; do
  echo "192.168.1.$((200 + j)) $(req 192.168.1.$((200 + j)) 8300)"
  j=$((j + 1))
done

# 5. rr / wrr across live edits
dyn() { # op addr [weight]
  echo "@ $*"
  case $1 in
    add) ipvsadm -a -t 192.168.1.1:$port -r $2:80 -m -w $3 ;;
    edit) ipvsadm -e -t 192.168.1.1:$port -r $2:80 -m -w $3 ;;
    del) ipvsadm -d -t 192.168.1.1:$port -r $2:80 ;;
  esac
}
# each request from its own client port, never used before in this boot: a new SYN whose port matches
# an IPVS connection still in TIME_WAIT can be given that old connection's real server instead of a
# scheduling decision, which made the recorded sequence differ now and then
dport=30000
reqs() {
  n=0
  while [ $n -lt $1 ]; do
    dport=$((dport + 1))
    printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec client nc -w 30 -p $dport 192.168.1.1 $port | tail -n 1
    n=$((n + 1))
  done
}
port=8400
for s in $DYN_SCHEDULERS; do
  port=$((port + 1))
  ipvsadm -A -t 192.168.1.1:$port -s $s
  section "dyn-$s"
  dyn add 10.0.1.2 3; dyn add 10.0.2.2 2; reqs 5
  dyn add 10.0.3.2 1; reqs 6
  dyn edit 10.0.1.2 1; reqs 5
  dyn del 10.0.2.2; reqs 4
  dyn edit 10.0.3.2 4; reqs 6
  dyn add 10.0.2.2 2; reqs 7
done

# ipvsadm -Z and --set as the console sends them (director settings, "Zero counters"): counters of one
# service and its real servers, then of all; idle timeouts read back by -L --timeout (0 = unchanged)
# (the listed counters are the estimator's sums, taken about every 2 s: wait for the last requests)
sleep 3
section zero-before; ipvsadm -Ln --stats --exact
ipvsadm -Z -t 192.168.1.1:80
section zero-one; ipvsadm -Ln --stats --exact
ipvsadm -Z
section zero-all; ipvsadm -Ln --stats --exact
section timeout-default; ipvsadm -L --timeout
ipvsadm --set 1200 90 200
section timeout-set; ipvsadm -L --timeout
ipvsadm --set 0 60 0
section timeout-partial; ipvsadm -L --timeout
section timeout-refused
rc=0; ipvsadm --set 2678401 0 0 2>/dev/null || rc=$?; echo "rc $rc"
ipvsadm -L --timeout

section end
