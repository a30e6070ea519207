/**
 * The BUILT agent (npm run build:agent: the single executable) inside the lab VM, against the real
 * kernel: nothing from the repository runs in the VM but that one file (plus the C/C++ runtime
 * libraries `ldd` names, which a Debian director has anyway).
 *  - `lvs-agent check --engine ipvs` on a real director: ready (exit 0);
 *  - started like lvs-agent.service starts it (settings from the environment only), it connects to
 *    the control plane on the host (10.0.2.2), picks the ipvs engine by itself, applies the desired
 *    table with ipvsadm into the kernel, and real LVS-NAT traffic flows from a client namespace to the
 *    real-server namespaces; after SIGTERM the kernel table stays in place.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { runInVm, splitSections, type VmFileSource } from "./vm.ts";
import { NAT_NAMESPACES_SCRIPT } from "./natNamespaces.ts";
import { AgentHub, type DesiredState } from "../server/realtime/agentHub.ts";
import { MemoryAgentDirectory } from "../it/memoryAgentDirectory.ts";
import { MemoryEventBus } from "../server/events/MemoryEventBus.ts";
import { builtAgent } from "../agent/packaging/testing.ts";
import { dest, tcpService } from "../agent/testing/fixtures.ts";
import type { AgentBuild } from "../agent/packaging/buildAgent.ts";

const LAB = process.env.LVS_LAB_DIR;
const VIP = "192.168.1.1";

/** The executable and every shared library it links, as VM files (the loader at its fixed path). */
function artifactFiles(exe: string): Record<string, VmFileSource> {
  const files: Record<string, VmFileSource> = { "/opt/lvs-agent/lvs-agent": { hostPath: exe, mode: 0o755 } };
  for (const line of execFileSync("ldd", [exe], { encoding: "utf8" }).split("\n")) {
    const m = /=> (\/\S+)/.exec(line) ?? /^\s*(\/\S+ld-linux\S*)/.exec(line);
    if (!m) continue;
    const lib = m[1]!;
    const name = lib.split("/").pop()!;
    files[name.startsWith("ld-linux") ? `/lib64/${name}` : `/lib/x86_64-linux-gnu/${name}`] = { hostPath: lib, mode: 0o755 };
  }
  return files;
}

describe.skipIf(!LAB)("the built agent inside the lab VM (real kernel IPVS)", () => {
  let build: AgentBuild;
  let server: http.Server;
  let hub: AgentHub;
  const directory = new MemoryAgentDirectory();
  const desired = new Map<string, DesiredState>();
  const warnings: string[] = [];

  beforeAll(async () => {
    build = await builtAgent();
    hub = new AgentHub({
      directory, bus: new MemoryEventBus(pino({ level: "silent" })), desiredFor: async (id) => desired.get(id) ?? null,
      log: { info: () => {}, warn: (o, m) => warnings.push(`${m} ${JSON.stringify(o)}`) }, heartbeatMs: 2000,
    });
    server = http.createServer();
    server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
    // QEMU's user network forwards the VM's 10.0.2.2 to the host's loopback
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  }, 600_000);

  afterAll(async () => {
    await hub?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it("checks the director, connects to the console, applies the table into the kernel and forwards LVS-NAT traffic", async () => {
    const token = directory.add("d1", "lab-artifact");
    const table = { services: [tcpService(VIP, 80, [dest("10.0.11.2", 80, 1, "nat"), dest("10.0.12.2", 80, 1, "nat")])] };
    desired.set("d1", { revision: 1, table, health: { targets: [], sorryServers: [] } });
    const port = (server.address() as AddressInfo).port;
    const script = `${NAT_NAMESPACES_SCRIPT}
A=/opt/lvs-agent/lvs-agent
section version
$A --version
section check
$A check --engine ipvs --state-dir /var/lib/lvs-agent; echo "exit=$?"
section applied
# as lvs-agent.service runs it: every setting from the environment (agent.env)
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LVS_AGENT_SERVER=http://10.0.2.2:${port} LVS_AGENT_TOKEN=${token} \\
  LVS_AGENT_STATE_DIR=/var/lib/lvs-agent LVS_AGENT_BOOT_RULES=none $A > /tmp/agent.log 2>&1 &
AGENT=$!
i=0; while [ $i -lt 600 ] && ! ipvsadm -Ln | grep -q '10.0.12.2:80'; do sleep 0.5; i=$((i+1)); done
# the ack goes out after the read-back (slow under emulation): wait for it before stopping the agent
i=0; while [ $i -lt 600 ] && ! grep -q 'revision 1 applied' /tmp/agent.log; do sleep 0.5; i=$((i+1)); done
sleep 2
ipvsadm -Ln
section traffic
i=0; while [ $i -lt 6 ]; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /usr/sbin/ip netns exec client nc -w 20 ${VIP} 80 | tail -n 1; i=$((i+1)); done
section stopped
kill -TERM $AGENT; wait $AGENT; echo "agent exit=$?"
ipvsadm -Ln
section log
cat /tmp/agent.log
`;
    const r = await runInVm({ script, files: artifactFiles(build.artifact), net: "user", timeoutMs: 600_000, memoryMb: 1024 });
    const s = splitSections(r.output);
    const diag = `\n--- vm output ---\n${r.output}\n--- hub warnings ---\n${warnings.join("\n")}`;
    expect(s.get("version"), diag).toBe(`lvs-agent ${build.version} (protocol 1; node ${process.version})\n`);
    expect(s.get("check"), diag).toMatch(/^ok {4}kernel IPVS: \/proc\/net\/ip_vs: IP Virtual Server version/m);
    expect(s.get("check"), diag).toMatch(/^ok {4}ipvsadm -Ln: /m);
    expect(s.get("check"), diag).toMatch(/ready\nexit=0\n$/);
    expect(s.get("applied"), diag).toMatch(/TCP {2}192\.168\.1\.1:80 rr\n +-> 10\.0\.11\.2:80 +Masq +1 /);
    expect(s.get("applied"), diag).toMatch(/-> 10\.0\.12\.2:80 +Masq +1 /);
    const answers = s.get("traffic")!.trim().split("\n");
    expect(answers, diag).toHaveLength(6);
    expect(answers.filter((a) => a === "rs1").length, diag).toBe(3); // rr: alternating
    expect(answers.filter((a) => a === "rs2").length, diag).toBe(3);
    expect(s.get("stopped"), diag).toContain("agent exit=0");
    expect(s.get("stopped"), diag).toMatch(/TCP {2}192\.168\.1\.1:80 rr/); // the kernel keeps forwarding
    const log = s.get("log")!;
    expect(log, diag).toContain(`INFO lvs-agent ${build.version} (protocol 1)`);
    expect(log, diag).toMatch(/INFO engine ipvs: auto: kernel IPVS/);
    // installed alone (install.sh, no .deb): the executable's own netlink helper, written to the state dir
    expect(log, diag).toMatch(/kernel table through \/var\/lib\/lvs-agent\/native\/lvs-ipvs-nl-[0-9a-f]{16} \(netlink\)/);
    expect(directory.rows.get("d1")!.appliedRevision, diag).toBe(1);
    // no checks directory on this VM: the agent says so with an empty list (issue 12: hello.execChecks)
    expect(directory.rows.get("d1")!.agent, diag).toEqual({ version: build.version, protocol: 1, execChecks: [] });
  }, 900_000);
});
