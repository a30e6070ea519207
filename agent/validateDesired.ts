/** The agent's check of a desired table: lvs/validate's table rules, as protocol issues. */
import { validateTable } from "../lvs/validate.ts";
import type { AgentIssue } from "../lvs/protocol/agent.ts";
import type { IpvsTable } from "../lvs/model.ts";

export function validateDesired(table: IpvsTable): AgentIssue[] {
  return validateTable(table).map((i) => ({
    path: i.path.join(".").slice(0, 512), code: i.code, severity: i.severity, message: i.message.slice(0, 4096),
  }));
}
