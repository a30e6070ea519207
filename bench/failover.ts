/**
 * `npm run bench:failover`: HA failover measured in the kernel lab (lab/failover/): two directors
 * (agent + ipvs engine + Debian's keepalived each), LVS-DR real servers, a client with a bounded
 * request loop and held connections. One line per scenario, exactly:
 *   failover <scenario>: VIP on backup after <N> ms; held <K>/<T> kept; failed <F>/<R> requests
 * kill-sync / kill-nosync: crash of the MASTER at advert_int 0.2 (VRRPv3) with connection sync on/off;
 * kill-advert1: the same at advert_int 1; planned: a planned switchover through the control plane.
 * return-* / handback: the old master coming back (preempt), measured the same way.
 * Needs LVS_LAB_DIR (bash lab/build.sh). Details go to stderr.
 */
import os from "node:os";
import { FailoverLab } from "../lab/failover/failoverLab.ts";
import { crashScenario, formatResult, handbackScenario, plannedScenario, returnScenario, type FailoverResult } from "../lab/failover/scenarios.ts";

const HELD = 6;

if (!process.env.LVS_LAB_DIR) {
  process.stderr.write("bench:failover needs the kernel lab: run 'bash lab/build.sh' and set LVS_LAB_DIR to the directory it prints\n");
  process.exit(2);
}

const note = (s: string) => process.stderr.write(`${s}\n`);
const print = (r: FailoverResult) => {
  process.stdout.write(`${formatResult(r)}\n`);
  note(`  (${r.scenario}: first answer ${r.firstAnswerMs ?? "none"} ms after the event)`);
  if (process.env.FAILOVER_DETAIL === "1") note(r.detail);
};

const lab = new FailoverLab();
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
note(`load average before: ${load()} (${os.cpus().length} cores)`);
const started = Date.now();
try {
  await lab.start();
  note(`lab up in ${Date.now() - started} ms`);
  const only = process.env.FAILOVER_ONLY?.split(",");
  const want = (s: string) => !only || only.includes(s);

  if (want("kill-sync")) {
    await lab.configure({ advertIntMs: 200, sync: true, nopreempt: false, maintenance: {} });
    print(await crashScenario(lab, "kill-sync", { held: HELD }));
    print(await returnScenario(lab, "return-sync", { held: HELD }));
  }
  if (want("kill-nosync")) {
    await lab.configure({ advertIntMs: 200, sync: false });
    print(await crashScenario(lab, "kill-nosync", { held: HELD }));
    print(await returnScenario(lab, "return-nosync", { held: HELD }));
  }
  if (want("kill-advert1")) {
    await lab.configure({ advertIntMs: 1000, sync: true });
    print(await crashScenario(lab, "kill-advert1", { held: HELD }));
    print(await returnScenario(lab, "return-advert1", { held: HELD }));
  }
  if (want("planned")) {
    await lab.configure({ advertIntMs: 200, sync: true, maintenance: {} });
    print(await plannedScenario(lab, "planned", { held: HELD }));
    print(await handbackScenario(lab, "handback", { held: HELD }));
  }
  if (process.env.FAILOVER_DETAIL === "1") {
    for (const [d, log] of lab.logs) note(`--- ${d} agent log\n${log.lines.slice(-40).join("\n")}`);
    note((await lab.sh("tail -n 40 /tmp/keepalived-dir1.log; echo ----; tail -n 40 /tmp/keepalived-dir2.log")).stdout);
  }
  note(`VRRP transitions the control plane heard: ${lab.transitions.map((t) => `${t.directorId} ${t.from}->${t.to}${t.planned ? " (planned)" : ""}`).join(", ")}`);
} catch (e) {
  note(`bench:failover failed: ${(e as Error).stack ?? e}`);
  for (const [d, log] of lab.logs) note(`--- ${d} agent log\n${log.lines.slice(-30).join("\n")}`);
  process.exitCode = 1;
} finally {
  await lab.close().catch(() => {});
  note(`load average after: ${load()}; total ${Math.round((Date.now() - started) / 1000)} s`);
}
