/**
 * Failover scenarios on a running FailoverLab. Each one runs a measuring script in the VM's
 * background (measureScript.ts: request loop, held connections, VIP watch) and injects the event:
 *  - crash: the master's bridge port goes down, then its keepalived processes are killed (-9): no
 *    priority-0 resignation can get out, the backup must notice the silence (3 × advert_int + skew);
 *  - planned: the control plane puts the master into maintenance; its agent stops keepalived, which
 *    resigns with priority 0 (the backup takes over after its skew time only);
 *  - return: the crashed director comes back (link up, its addresses as after a reboot, a new agent
 *    that restores the last revision and starts keepalived) — with preempt it takes the VIP back;
 *  - handback: maintenance is lifted and the preferred director takes the VIP back.
 */
import { DIRECTORS, type DirectorName, type FailoverLab } from "./failoverLab.ts";
import { HA_LAB } from "./haNetwork.ts";

export interface FailoverResult {
  scenario: string;
  /** ms from the event to the VIP on the taking-over director; null = never */
  vipAfterMs: number | null;
  heldKept: number;
  heldTotal: number;
  failed: number;
  requests: number;
  /** first answered request that started after the event, ms after it */
  firstAnswerMs: number | null;
  /** requests of the loop, for diagnosis */
  detail: string;
}

/** The line `npm run bench:failover` prints, exactly as the issue words it. */
export function formatResult(r: FailoverResult): string {
  return `failover ${r.scenario}: VIP on backup after ${r.vipAfterMs ?? "never"} ms; held ${r.heldKept}/${r.heldTotal} kept; failed ${r.failed}/${r.requests} requests`;
}

export function parseMeasure(scenario: string, out: string): FailoverResult {
  const num = (re: RegExp) => { const m = re.exec(out); return m && m[1] !== "none" ? Number(m[1]) : null; };
  const t0 = num(/^M-T0 (\d+)$/m);
  const vip = num(/^M-VIP (\d+|none)$/m);
  const held = /^M-HELD (\d+) (\d+)$/m.exec(out);
  const reqs = [...out.matchAll(/^M-REQ (ok|fail) (\d+) (\d+)/gm)];
  const firstOk = reqs.find((m) => m[1] === "ok" && t0 !== null && Number(m[2]) >= t0);
  return {
    scenario,
    vipAfterMs: t0 !== null && vip !== null ? Math.max(0, vip - t0) : null,
    heldKept: held ? Number(held[1]) : 0,
    heldTotal: held ? Number(held[2]) : 0,
    failed: reqs.filter((m) => m[1] === "fail").length,
    requests: reqs.length,
    firstAnswerMs: firstOk && t0 !== null ? Number(firstOk[3]) - t0 : null,
    detail: out,
  };
}

interface ScriptOptions {
  /** the director that holds the VIP now */
  from: DirectorName;
  /** the one that should take it */
  to: DirectorName;
  held: number;
  /** wait until `to` mirrors the held connections (connection sync on) */
  waitSync: boolean;
  /** crash `from` inside the script; otherwise wait for the host to write /tmp/sc.t0 */
  crash: boolean;
  /**
   * the operator's request, sent by the script itself right after it reads the clock (GET of this
   * path on the lab's control-plane port): the time runs from the request, on the VM's one clock
   */
  request?: { port: number; path: string };
}

function scenarioScript(o: ScriptOptions): string {
  const inject = o.crash
    ? `t0=$(now); echo M-T0 $t0
ip link set v-${o.from} down
kill -9 $(cat /run/ha/${o.from}/vrrp.pid) $(cat /run/ha/${o.from}/keepalived.pid) 2>/dev/null`
    : o.request
      ? `t0=$(now); echo M-T0 $t0
( printf 'GET ${o.request.path} HTTP/1.0\\r\\n\\r\\n' | nc 10.0.2.2 ${o.request.port} > /tmp/sc.request 2>&1 & )`
      : `touch /tmp/sc.ready
n=0; until [ -s /tmp/sc.t0 ] || [ $n -ge 1200 ]; do sleep 0.05; n=$((n+1)); done
t0=$(cat /tmp/sc.t0); echo M-T0 $t0`;
  // entries already ESTABLISHED on the backup (connections of earlier scenarios it forwarded itself,
  // whose clients left without a FIN through it) are not this scenario's mirrored ones
  return `. /lab/measure.sh
${o.waitSync ? `base=$(conn_count ${o.to})` : ""}
held_open ${o.held}
sleep 0.5
echo M-HELD-BEFORE $(held_ping a 8000)
${o.waitSync ? `n=0; while [ $(conn_count ${o.to}) -lt $((base + ${o.held})) ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; echo M-MIRRORED $(($(conn_count ${o.to}) - base))` : ""}
reqloop_start 600
sleep 1.5
${inject}
echo M-VIP $(wait_vip ${o.to} 120000)
sleep 2.5
echo M-HELD $(held_ping c 6000) $HELD
reqloop_stop
held_close
echo M-END
`;
}

async function runScenario(lab: FailoverLab, scenario: string, o: ScriptOptions, onReady?: () => Promise<void>): Promise<FailoverResult> {
  await lab.sh(`rm -f /tmp/sc.ready /tmp/sc.t0 /tmp/sc.out /tmp/stop-req
cat > /tmp/sc.sh <<'@@SC@@'
${scenarioScript(o)}@@SC@@
( sh /tmp/sc.sh > /tmp/sc.out 2>&1 & ) </dev/null >/dev/null 2>&1`);
  const deadline = Date.now() + 300_000; // bounded; at load 20 the VM needed over 180 s for kill-sync
  let readyHandled = !onReady;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${scenario}: the measuring script did not finish:\n${(await lab.sh("cat /tmp/sc.out")).stdout}`);
    await new Promise((r) => setTimeout(r, 250));
    if (!readyHandled) {
      if ((await lab.sh("[ -e /tmp/sc.ready ] && echo yes")).stdout.trim() === "yes") {
        readyHandled = true;
        await onReady!();
      }
      continue;
    }
    const out = (await lab.sh("cat /tmp/sc.out")).stdout;
    if (/^M-END$/m.test(out)) return parseMeasure(scenario, out);
  }
}

/** Crash of `from` (dir1 by default) under load. */
export async function crashScenario(lab: FailoverLab, scenario: string, o: { held: number; from?: DirectorName }): Promise<FailoverResult> {
  const from = o.from ?? "dir1";
  const to: DirectorName = from === "dir1" ? "dir2" : "dir1";
  await lab.waitMaster(from);
  // the agent process goes first (nothing changes: keepalived and IPVS run on without it), then the crash
  await lab.stopAgent(from);
  return runScenario(lab, scenario, { from, to, held: o.held, waitSync: lab.settings.sync, crash: true });
}

/** The crashed director comes back as after a reboot: link up, no VIP, a new agent restoring the last revision. */
export async function returnScenario(lab: FailoverLab, scenario: string, o: { held: number; director?: DirectorName }): Promise<FailoverResult> {
  const back = o.director ?? "dir1";
  const now: DirectorName = back === "dir1" ? "dir2" : "dir1";
  return runScenario(lab, scenario, { from: now, to: back, held: o.held, waitSync: false, crash: false }, async () => {
    await lab.sh(`now > /tmp/sc.t0
ip -n ${back} addr del ${HA_LAB.vip}/${HA_LAB.prefix} dev eth0 2>/dev/null
ip link set v-${back} up`);
    await lab.startAgent(back);
  });
}

/**
 * Planned switchover of `from` under load: the measuring script reads the clock and sends the
 * operator's request itself (as the console's button: maintenance → ha.changed → the hub pushes that
 * director its desired HA → its agent stops keepalived → priority 0 → the backup takes over).
 */
export async function plannedScenario(lab: FailoverLab, scenario: string, o: { held: number; from?: DirectorName }): Promise<FailoverResult> {
  const from = o.from ?? "dir1";
  const to: DirectorName = from === "dir1" ? "dir2" : "dir1";
  await lab.waitMaster(from);
  const profile = process.env.FAILOVER_DETAIL === "1";
  const startedAt = Date.now();
  const lanes = [["", lab.channel], ...DIRECTORS.map((d) => [`${d} `, lab.haChannels[d]] as const)] as const;
  if (profile) for (const [, c] of lanes) c.trace = [];
  const r = await runScenario(lab, scenario, { from, to, held: o.held, waitSync: lab.settings.sync, crash: false, request: { port: lab.port, path: `/maintenance/${from}/on` } });
  if (profile) {
    // host-side hops (agent log lines, lab VM jobs) from the moment the request reached the host
    const requestAt = lab.requests.find((x) => x.at >= startedAt)?.at ?? startedAt;
    const rel = (t: number) => String(t - requestAt).padStart(6);
    const lines = [
      ...lanes.flatMap(([lane, c]) => (c.trace ?? []).map((j) => ({ ...j, lane }))).filter((j) => j.doneAt >= requestAt - 500).map((j) => [j.queuedAt, `${rel(j.queuedAt)} ${j.lane}job ${j.id} queued; sent +${j.sentAt - j.queuedAt}, done +${j.doneAt - j.queuedAt}: ${j.what}`] as const),
      ...[...lab.logs].flatMap(([d, l]) => l.lines.map((x) => /^(\d+) (.*)$/.exec(x)).filter((m) => m && Number(m[1]) >= requestAt - 500).map((m) => [Number(m![1]), `${rel(Number(m![1]))} ${d}: ${m![2]}`] as const)),
    ].sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    process.stderr.write(`planned profile (host ms after the request arrived; VIP on ${to} ${r.vipAfterMs} ms after the VM sent it):\n${lines.join("\n")}\n`);
    for (const [, c] of lanes) c.trace = null;
  }
  return r;
}

/** Hand-back: maintenance lifted by the same request path; the preferred director takes the VIP back (preempt). */
export async function handbackScenario(lab: FailoverLab, scenario: string, o: { held: number; to?: DirectorName }): Promise<FailoverResult> {
  const to = o.to ?? "dir1";
  const from: DirectorName = to === "dir1" ? "dir2" : "dir1";
  return runScenario(lab, scenario, { from, to, held: o.held, waitSync: false, crash: false, request: { port: lab.port, path: `/maintenance/${to}/off` } });
}
