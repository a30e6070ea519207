import type { AgentIssue } from "../lvs/protocol/agent.ts";
import type { DesiredHa } from "../lvs/protocol/ha.ts";
import type { HaSupervisor } from "./ha/haSupervisor.ts";

/** Applies the desired VRRP/sync state; what failed becomes issues of the revision's ack. */
export async function applyHa(supervisor: HaSupervisor, ha: DesiredHa | null, issues: AgentIssue[]): Promise<void> {
  try {
    const st = await supervisor.apply(ha);
    if (st.keepalived.error) issues.push({ path: "ha.keepalived", code: "ha.keepalived", severity: "error", message: st.keepalived.error });
    if (st.sync.error) issues.push({ path: "ha.sync", code: "ha.sync", severity: "warning", message: st.sync.error });
  } catch (e) {
    issues.push({ path: "ha", code: "ha.failed", severity: "error", message: (e as Error).message });
  }
}
