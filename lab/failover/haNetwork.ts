/**
 * The HA lab network (busybox sh for the lab VM): one bridge `br0` in the root namespace joining a
 * `client` namespace, two director namespaces `dir1`/`dir2` and two LVS-DR real servers `rs1`/`rs2`,
 * all on 10.0.0.0/24. The VIP 10.0.0.100 is on each real server's `lo` with arp_ignore=1 /
 * arp_announce=2 (the seed's DR recipe) and nowhere else: keepalived puts it on the MASTER director.
 * Real servers answer HTTP on :80 ("rsN") and echo lines on :7000 (the held connections).
 * The bridge port of director N is `v-dirN` (taking it down is the "cable pulled" half of a crash).
 */
export const HA_LAB = {
  vip: "10.0.0.100",
  prefix: 24,
  client: "10.0.0.10",
  directors: { dir1: "10.0.0.1", dir2: "10.0.0.2" },
  realServers: { rs1: "10.0.0.11", rs2: "10.0.0.12" },
  httpPort: 80,
  echoPort: 7000,
} as const;

export const HA_NETWORK_SCRIPT = `
ip link add br0 type bridge
echo 0 > /sys/class/net/br0/bridge/multicast_snooping
ip link set br0 up
join() { # name address
  ip netns add $1
  ip link add v-$1 type veth peer name eth0 netns $1
  ip link set v-$1 master br0
  ip link set v-$1 up
  ip -n $1 addr add $2/24 dev eth0
  ip -n $1 link set eth0 up
  ip -n $1 link set lo up
}
join client ${HA_LAB.client}
join dir1 ${HA_LAB.directors.dir1}
join dir2 ${HA_LAB.directors.dir2}
for n in 1 2; do
  join rs$n 10.0.0.1$n
  # LVS-DR real server: the VIP on lo, no ARP answers for it, replies straight to the client
  ip -n rs$n addr add ${HA_LAB.vip}/32 dev lo
  ip netns exec rs$n sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore; echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce; echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_ignore; echo 2 > /proc/sys/net/ipv4/conf/eth0/arp_announce'
  mkdir -p /www/rs$n
  echo rs$n > /www/rs$n/index.html
  ip netns exec rs$n httpd -p ${HA_LAB.httpPort} -h /www/rs$n
  ip netns exec rs$n sh -c 'nc -ll -p ${HA_LAB.echoPort} -e cat >/dev/null 2>&1 &'
done
mkdir -p /run/ha
`;
