/**
 * The "run this on each real server" step as one exported script: a POSIX sh script doing what the
 * real-server role would do for the same settings (lvs/realServer/hostSettings.ts), idempotent (each
 * change only when its check fails) and with an `undo` argument that reverses what it would set.
 * Unlike the agent it cannot remember original values across runs, so undo writes the kernel
 * defaults (0) back for the sysctls it manages; the NAT default route is changed only when the
 * operator asked (`manageGateway`), else the script only says whether it is right.
 */
import type { HostSettingEntry, RealServerHostDesired } from "./hostSettings.ts";

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const path = (key: string) => {
  const conf = /^net\.(ipv4|ipv6)\.conf\.(.+)\.([^.]+)$/.exec(key);
  return conf ? `/proc/sys/net/${conf[1]}/conf/${conf[2]}/${conf[3]}` : `/proc/sys/${key.replace(/\./g, "/")}`;
};

function applyLines(e: HostSettingEntry): string[] {
  const s = e.setting;
  switch (s.kind) {
    case "module": return [`[ -d /sys/module/${s.name} ] || modprobe ${s.name}`];
    case "link": return [`ip link set ${s.iface} up`];
    case "fou": return [`ip fou show 2>/dev/null | grep -q "port ${s.port} gue" || ip fou add port ${s.port} gue${s.family === "inet6" ? " -6" : ""}`];
    case "address": {
      const f = s.family === "inet6" ? "-6" : "-4";
      return [`ip ${f} -o addr show dev ${s.iface} | grep -q ${q(` ${s.address}/`)} || ip ${f} addr add ${s.address}/${s.prefix} dev ${s.iface}`];
    }
    case "sysctl": {
      if (s.key.endsWith(".rp_filter"))
        return [`[ "$(cat ${path(s.key)})" = 1 ] || [ "$(cat ${path(s.key.replace(/\.conf\.[^.]+\./, ".conf.all."))})" = 1 ] && echo ${s.value} > ${path(s.key)}`];
      const lines = [`echo ${s.value} > ${path(s.key)}`];
      if (/\.all\.arp_(ignore|announce)$/.test(s.key)) lines.push(`[ -n "$RIP_DEV" ] && echo ${s.value} > ${path(s.key.replace(".all.", ".$RIP_DEV."))}`);
      return lines;
    }
    case "route": {
      const f = s.family === "inet6" ? "-6" : "-4";
      const ok = s.via.map((v) => `via ${v} `).join("|");
      const test = `ip ${f} route show default | grep -Eq ${q(ok || "^$")}`;
      return s.manage && s.via[0]
        ? [`${test} || ip ${f} route replace default via ${s.via[0]}`]
        : [`${test} || echo ${q(`WARNING: the default route must go via ${s.via.join(" or ")} (a DIP) for LVS-NAT; not changed`)} >&2`];
    }
  }
}

function undoLines(e: HostSettingEntry): string[] {
  const s = e.setting;
  switch (s.kind) {
    case "address": return [`ip ${s.family === "inet6" ? "-6" : "-4"} addr del ${s.address}/${s.prefix} dev ${s.iface} 2>/dev/null || true`];
    case "sysctl": {
      const lines = [`echo 0 > ${path(s.key)}`];
      if (/\.all\.arp_(ignore|announce)$/.test(s.key)) lines.push(`[ -n "$RIP_DEV" ] && echo 0 > ${path(s.key.replace(".all.", ".$RIP_DEV."))}`);
      return lines;
    }
    case "fou": return [`ip fou del port ${s.port}${s.family === "inet6" ? " -6" : ""} 2>/dev/null || true`];
    case "link": return [`ip -o addr show dev ${s.iface} | grep -q . || ip link set ${s.iface} down`];
    default: return [];
  }
}

export function prepareScript(d: RealServerHostDesired, title: string): string {
  const rip = d.rips[0] ?? "";
  const lines = [
    "#!/bin/sh",
    `# LVS real-server preparation for ${title.replace(/[\r\n]/g, " ")} (RIP ${d.rips.join(", ") || "none"})`,
    "# usage: sh prepare.sh          apply (safe to run again: only what is missing is changed)",
    "#        sh prepare.sh undo     remove what it sets (sysctls back to 0)",
    "set -e",
    `RIP_DEV=$(ip -o addr show to ${q(rip)} 2>/dev/null | awk '{print $2; exit}')`,
    ...d.notes.map((n) => `# note: ${n.replace(/[\r\n]/g, " ")}`),
    'if [ "${1:-}" = undo ]; then',
    ...[...d.settings].reverse().flatMap(undoLines).map((l) => `  ${l}`),
    "  exit 0",
    "fi",
    ...d.settings.flatMap((e) => [`# ${e.id}`, ...applyLines(e)]),
    "",
  ];
  return lines.join("\n");
}
