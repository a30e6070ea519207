/**
 * Port names ipvsadm accepts in `host:port` (it calls getservbyname(name, "tcp"|"udp"|"sctp")).
 * A subset of Debian's netbase /etc/services: the services people put behind LVS. Names and aliases.
 */
import type { Protocol } from "../../model.ts";

const ENTRIES: readonly string[] = [
  "ftp-data 20/tcp",
  "ftp 21/tcp",
  "ssh 22/tcp",
  "telnet 23/tcp",
  "smtp 25/tcp mail",
  "domain 53/tcp",
  "domain 53/udp",
  "bootps 67/udp",
  "bootpc 68/udp",
  "tftp 69/udp",
  "gopher 70/tcp",
  "finger 79/tcp",
  "http 80/tcp www",
  "kerberos 88/tcp kerberos5 krb5 kerberos-sec",
  "kerberos 88/udp kerberos5 krb5 kerberos-sec",
  "pop3 110/tcp pop-3",
  "sunrpc 111/tcp portmapper",
  "sunrpc 111/udp portmapper",
  "auth 113/tcp authentication tap ident",
  "nntp 119/tcp readnews untp",
  "ntp 123/udp",
  "netbios-ns 137/udp",
  "imap2 143/tcp imap",
  "snmp 161/tcp",
  "snmp 161/udp",
  "snmp-trap 162/tcp snmptrap",
  "snmp-trap 162/udp snmptrap",
  "bgp 179/tcp",
  "ldap 389/tcp",
  "ldap 389/udp",
  "https 443/tcp",
  "https 443/udp",
  "microsoft-ds 445/tcp",
  "submissions 465/tcp ssmtp smtps urd",
  "isakmp 500/udp",
  "rtsp 554/tcp",
  "rtsp 554/udp",
  "ipp 631/tcp",
  "syslog 514/udp",
  "printer 515/tcp spooler",
  "submission 587/tcp",
  "ldaps 636/tcp",
  "ldaps 636/udp",
  "domain-s 853/tcp",
  "domain-s 853/udp",
  "rsync 873/tcp",
  "imaps 993/tcp",
  "pop3s 995/tcp",
  "openvpn 1194/tcp",
  "openvpn 1194/udp",
  "ms-sql-s 1433/tcp",
  "radius 1812/tcp",
  "radius 1812/udp",
  "radius-acct 1813/tcp radacct",
  "radius-acct 1813/udp radacct",
  "nfs 2049/tcp",
  "nfs 2049/udp",
  "iscsi-target 3260/tcp",
  "mysql 3306/tcp",
  "ms-wbt-server 3389/tcp",
  "svn 3690/tcp subversion",
  "sieve 4190/tcp",
  "sip 5060/tcp",
  "sip 5060/udp",
  "sip-tls 5061/tcp",
  "sip-tls 5061/udp",
  "xmpp-client 5222/tcp jabber-client",
  "mdns 5353/udp",
  "postgresql 5432/tcp postgres",
  "amqp 5672/tcp",
  "amqp 5672/sctp",
  "x11 6000/tcp x11-0",
  "redis 6379/tcp",
  "ircs-u 6697/tcp",
  "http-alt 8080/tcp webcache",
  "puppet 8140/tcp",
  "zabbix-agent 10050/tcp",
  "zabbix-trapper 10051/tcp",
  "hkp 11371/tcp",
  "munin 4949/tcp lrrd",
  "nrpe 5666/tcp",
  "syslog-tls 6514/tcp",
  "tproxy 8081/tcp",
  "git 9418/tcp",
  "webmin 10000/tcp",
];

interface ServiceEntry {
  port: number;
  protocol: Protocol;
}

const BY_NAME = new Map<string, ServiceEntry[]>();
for (const line of ENTRIES) {
  const [name, portProto, ...aliases] = line.split(" ");
  const [port, protocol] = (portProto ?? "").split("/");
  for (const n of [name ?? "", ...aliases]) {
    const list = BY_NAME.get(n) ?? [];
    list.push({ port: Number(port), protocol: protocol as Protocol });
    BY_NAME.set(n, list);
  }
}

/** getservbyname(name, protocol): the port, or null when the name is not known for that protocol. */
export function serviceNameToPort(name: string, protocol: Protocol): number | null {
  return BY_NAME.get(name)?.find((e) => e.protocol === protocol)?.port ?? null;
}

/** Every name known for any protocol (for error hints). */
export function isKnownServiceName(name: string): boolean {
  return BY_NAME.has(name);
}
