// A known topology and the ipvsadm rules it must export (ipvsadm-save -n order and spelling).
export const knownTopology = {
  name: "known",
  directors: [
    { id: "dir-a", name: "lb1", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.2", prefix: 24 }], engine: "ipvs" },
  ],
  services: [
    {
      id: "svc-web", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "wlc", flags: [],
      persistence: { timeout: 360, netmask: null }, persistenceEngine: null, onePacket: false, description: "", directorIds: ["dir-a"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    },
    {
      id: "svc-dns", protocol: "udp", family: "inet", address: "10.0.0.53", port: 53, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["dir-a"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    },
  ],
  realServers: [
    { id: "rs-1", name: "web1", address: "10.0.0.7", port: null, host: { loopbackVips: ["10.0.0.100"], tunnelVips: [], arpSuppressed: true, gateway: null } },
    { id: "rs-2", name: "web2", address: "10.0.0.8", port: null, host: { loopbackVips: ["10.0.0.100"], tunnelVips: [], arpSuppressed: true, gateway: null } },
    { id: "rs-3", name: "dns1", address: "10.0.0.9", port: 5353, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "10.0.0.2" } },
  ],
  memberships: [
    { id: "m-1", serviceId: "svc-web", realServerId: "rs-1", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
    { id: "m-2", serviceId: "svc-web", realServerId: "rs-2", method: "dr", weight: 3, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
    { id: "m-3", serviceId: "svc-dns", realServerId: "rs-3", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
  ],
  layout: {
    "dir-a": { x: 0, y: 60 }, "svc-web": { x: 380, y: 0 }, "svc-dns": { x: 380, y: 160 },
    "rs-1": { x: 800, y: 0 }, "rs-2": { x: 800, y: 100 }, "rs-3": { x: 800, y: 200 },
  },
};

export const knownRules = `-A -t 10.0.0.100:80 -s wlc -p 360
-a -t 10.0.0.100:80 -r 10.0.0.7:80 -g -w 1
-a -t 10.0.0.100:80 -r 10.0.0.8:80 -g -w 3
-A -u 10.0.0.53:53 -s rr
-a -u 10.0.0.53:53 -r 10.0.0.9:5353 -m -w 1
`;
