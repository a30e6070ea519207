/**
 * The lab network of `npm run lab:modes` (busybox sh for the VM), after kernel-lab.md's DR+TUN
 * recipe, plus NAT. The VM's root namespace is the director; namespaces:
 *   client  192.168.1.2  ── router (192.168.1.254 | LAN 10.0.0.254 on br0 | 10.0.9.254) ──
 *   br0 (the LAN, in the director): director 10.0.0.1/24 with the VIPs .100 (DR) .101 (TUN) .102 .103 (NAT) as /32;
 *                                   rsdr 10.0.0.2/24, default route via the ROUTER (not the director)
 *   rstun   10.0.9.2/24 behind the router; rp_filter=1 on `all` (strict, as many distributions ship)
 *   rsnat   10.0.1.2/24, default route via the DIP 10.0.1.1 (right for NAT)
 *   rsbad   10.0.2.2/24, default route via 10.0.2.254 (NOT the director: a NAT real server that
 *           bypasses it)
 * Every real server runs busybox httpd on :80 answering its own name. Nothing here prepares a real
 * server for its forwarding mode: that is the real-server agent's job in the test.
 */
export const MODES_NAMESPACES_SCRIPT = `
echo 1 > /proc/sys/net/ipv4/ip_forward
ip link add br0 type bridge
ip link set br0 up
ip addr add 10.0.0.1/24 dev br0
for v in 100 101 102 103; do ip addr add 10.0.0.$v/32 dev br0; done
ip netns add router
ip netns add client
ip link add rl type veth peer name lan netns router
ip link set rl master br0
ip link set rl up
ip link add cli type veth peer name eth0 netns client
ip link set cli netns router
ip netns exec router ip addr add 10.0.0.254/24 dev lan
ip netns exec router ip addr add 192.168.1.254/24 dev cli
ip netns exec router ip link set lan up
ip netns exec router ip link set cli up
ip netns exec router ip link set lo up
echo 1 > /proc/sys/net/ipv4/ip_forward
ip netns exec router sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter'
ip netns exec client ip addr add 192.168.1.2/24 dev eth0
ip netns exec client ip link set eth0 up
ip netns exec client ip link set lo up
ip netns exec client ip route add default via 192.168.1.254
# the VM's own eth0 (QEMU user net, 10.0.2.0/24) stays on-link for the exec channel
ip route replace default via 10.0.0.254
rs() {
  ip netns exec $1 ip link set lo up
  mkdir -p /www/$1
  echo "$1" > /www/$1/index.html
  ip netns exec $1 httpd -p 80 -h /www/$1
}
ip netns add rsdr
ip link add dr type veth peer name eth0 netns rsdr
ip link set dr master br0
ip link set dr up
ip netns exec rsdr ip addr add 10.0.0.2/24 dev eth0
ip netns exec rsdr ip link set eth0 up
ip netns exec rsdr ip route add default via 10.0.0.254
rs rsdr
ip netns add rstun
ip link add tun type veth peer name eth0 netns rstun
ip link set tun netns router
ip netns exec router ip addr add 10.0.9.254/24 dev tun
ip netns exec router ip link set tun up
ip netns exec rstun ip addr add 10.0.9.2/24 dev eth0
ip netns exec rstun ip link set eth0 up
ip netns exec rstun ip route add default via 10.0.9.254
ip netns exec rstun sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/rp_filter'
rs rstun
ip route add 10.0.9.0/24 via 10.0.0.254
for n in nat:1:10.0.1.1 bad:2:10.0.2.254; do
  name=rs\${n%%:*}; rest=\${n#*:}; i=\${rest%%:*}; gw=\${rest#*:}
  ip netns add $name
  ip link add vn$i type veth peer name eth0 netns $name
  ip addr add 10.0.$i.1/24 dev vn$i
  ip link set vn$i up
  ip netns exec $name ip addr add 10.0.$i.2/24 dev eth0
  ip netns exec $name ip link set eth0 up
  ip netns exec $name ip route add default via $gw
  rs $name
done
`;
