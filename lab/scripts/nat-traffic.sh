# LVS-NAT with real traffic, all inside the lab VM (busybox sh; `ip` is iproute2, `section` prints a marker).
#   client netns 192.168.1.2 --veth--> director = root netns (VIP 192.168.1.1, ip_forward=1)
#   --veth--> real-server netns rs1..rs3 (10.0.N.2, default route via the director), busybox httpd :80
# 1. VIP:80 rr over rs1, rs2: $REQUESTS requests, then every listing the lab tests parse.
# 2. one service per scheduler on VIP:8001.. over rs1 (w3), rs2 (w2), rs3 (w1), added in that order:
#    $SEQ_REQUESTS sequential requests each; the real server that answered each one is printed.
set -e
REQUESTS=${REQUESTS:-6}
SEQ_REQUESTS=${SEQ_REQUESTS:-12}
SCHEDULERS=${SCHEDULERS:-"rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh mh"}

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
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec client nc -w 5 "$1" "$2" | tail -n 1
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
section end
