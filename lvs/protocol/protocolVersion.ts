/**
 * Versions and compatibility of the agent protocol (agent.ts): the version, the range the control plane
 * accepts, features, frame limits and close codes, and the message that tells an operator which agent
 * to install when the versions do not match. Pure.
 */

export const PROTOCOL_VERSION = 1 as const;
/** The oldest agent protocol this control plane still accepts. */
export const MIN_AGENT_PROTOCOL = 1;
/** error frame code of a protocol refusal (either side) */
export const INCOMPATIBLE = "protocol.incompatible";
/** Features of version 1 a control plane may list in `welcome.features` (see the header). */
export const AGENT_FEATURES = { healthState: "health.state", ha: "ha", prereq: "prereq", statsDelta: "stats.delta", statsFields: "stats.fields" } as const;
/** Largest frame either side accepts (ws maxPayload); a 100k-destination table fits. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Close codes used on the agent link (4000-4999 are application codes). */
export const CLOSE = {
  badMessage: 4400,
  unauthorized: 4401,
  revoked: 4403,
  replaced: 4409,
  incompatible: 4426,
  shutdown: 4503,
} as const;

export const acceptsAgentProtocol = (v: number): boolean => v >= MIN_AGENT_PROTOCOL && v <= PROTOCOL_VERSION;

/** `curl -fsSL URL/agent/install.sh | sudo sh -s -- --server URL` (add `--token` for a first install). */
export function installCommand(consoleUrl: string, token?: string): string {
  const url = consoleUrl.replace(/\/+$/, "");
  return `curl -fsSL ${url}/agent/install.sh | sudo sh -s -- --server ${url}${token ? ` --token ${token}` : ""}`;
}

/** What the control plane tells an agent it refuses for its protocol: the version to install and how. */
export function incompatibleAgentMessage(o: { agentProtocol: number; agentVersion: string | null; serves: string | null; consoleUrl: string | null }): string {
  const range = MIN_AGENT_PROTOCOL === PROTOCOL_VERSION ? `${PROTOCOL_VERSION}` : `${MIN_AGENT_PROTOCOL}..${PROTOCOL_VERSION}`;
  const agent = `lvs-agent ${o.agentVersion ?? "(unknown version)"} speaks agent protocol ${o.agentProtocol}`;
  const install = o.serves ? `install lvs-agent ${o.serves} (protocol ${PROTOCOL_VERSION}), the version this console serves` : `install an lvs-agent of protocol ${PROTOCOL_VERSION}`;
  return `${agent}; this console accepts protocol ${range}: ${install}${o.consoleUrl ? `: ${installCommand(o.consoleUrl)}` : " (from this console: CONSOLE/agent/install.sh)"}`;
}
