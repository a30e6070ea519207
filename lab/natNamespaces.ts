/**
 * The LVS-NAT lab network the agent tests boot into (shell for the VM's busybox sh): the VM is the
 * director with VIP 192.168.1.1 towards a `client` namespace (192.168.1.2), and three real-server
 * namespaces rs1..rs3 (RIP 10.0.1N.2, DIP 10.0.1N.1, their gateway) each serving "rsN" over httpd :80.
 */
export const NAT_NAMESPACES_SCRIPT = `
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
  ip addr add 10.0.1$i.1/24 dev v$i
  ip link set v$i up
  ip netns exec rs$i ip addr add 10.0.1$i.2/24 dev eth0
  ip netns exec rs$i ip link set eth0 up
  ip netns exec rs$i ip link set lo up
  ip netns exec rs$i ip route add default via 10.0.1$i.1
  mkdir -p /www/rs$i
  echo "rs$i" > /www/rs$i/index.html
  ip netns exec rs$i httpd -p 80 -h /www/rs$i
done
`;
