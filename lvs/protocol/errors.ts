/**
 * The control plane's refusals as stable codes with parameters (a wire contract: the server sends
 * `data.reason = { code, params }` next to the English message; the UI renders `serverError.<code>`
 * from messages/*.json in the user's language). English templates use lvs/formats/diagnostics.ts's
 * `{name}` / `{name, select, …}` forms; messages/en.json holds the same sentences (a test checks).
 */
import { formatTemplate, type DiagnosticParams } from "../formats/diagnostics.ts";

export const SERVER_ERRORS = {
  "auth.sign-in-first": "sign in first",
  "auth.role-required": "{path} needs the {needs} role (you are {role})",
  "auth.setup-done": "setup is already done: sign in instead",
  "auth.throttled": "too many failed sign-ins: try again in {seconds} s",
  "auth.throttled-attempts": "too many failed attempts: try again in {seconds} s",
  "auth.wrong-credentials": "wrong email or password, or the account is disabled",
  "auth.wrong-current-password": "the current password is wrong",
  "user.email-taken": "a user with the email \"{email}\" already exists",
  "user.disable-self": "you cannot disable your own account",
  "user.not-found": "user {id} not found",
  "user.last-admin": "{email} is the last enabled admin: make another admin first",
  "topology.not-found": "no topology with id {id}",
  "topology.name-taken": "a topology named \"{name}\" already exists",
  "topology.inconsistent": "the document is inconsistent: {path}: {detail}",
  "topology.stale-revision": "topology was saved by someone else: current revision is {revision}",
  "topology.no-revision": "topology {id} has no revision {revision}",
  "director.topology-missing": "topology {id} does not exist",
  "director.already-enrolled": "director {key} is already enrolled: rotate its token instead",
  "director.no-token": "director {key} has no agent token to revoke",
  "director.not-found": "director {id} does not exist",
  "director.no-key": "no director \"{key}\" in topology {id}",
  "director.no-table": "director {name} has not reported a table yet",
  "realServer.no-key": "no real server \"{key}\" in topology {id}",
  "realServer.already-enrolled": "real server {key} already has an agent: revoke its token first, then enroll again",
  "realServer.no-agent": "real server agent {id} does not exist",
  "realServer.agent-offline": "the agent of real server {name} is not connected",
  "realServer.revoked": "the agent token of real server {name} is revoked",
  "drain.nothing-applied": "nothing is applied to any director yet: apply the topology first",
  "drain.not-applied": "revision {revision} is saved but director {name} runs revision {target}: apply or roll back first, then drain",
  "drain.no-membership": "no membership \"{key}\"",
  "drain.no-real-server": "no real server \"{key}\"",
  "drain.no-director": "no director \"{key}\"",
  "drain.timeout-range": "timeoutMs: must be between 1 s and 24 h",
  "drain.nothing-active": "{label}: no active membership to drain (already draining or disabled)",
  "drain.not-found": "no drain with id {id}",
  "drain.not-draining": "drain is {status}, not draining",
  "drain.already": "drain is already {status}",
  "deploy.director-not-in-revision": "directors.{index}: director \"{key}\" is not in revision {revision}",
  "deploy.name-revision": "revision: these directors run different revisions (or none): name one",
  "deploy.no-rollout": "no rollout with id {id}",
  "live.not-running": "live statistics are not running on this server",
  "live.no-director": "directorId: no director {id}",
  "live.no-hub": "directorId: no agent hub runs on this control plane",
  "live.agent-failed": "directorId: director {id}: {detail}",
  "live.bad-service-key": "serviceKey: {key} is not a service key (tcp|address|port, udp|..., fwmark|family|mark)",
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;
export const SERVER_ERROR_CODES = Object.keys(SERVER_ERRORS) as ServerErrorCode[];

/** What the server sends in `data.reason`. */
export interface ServerErrorReason {
  code: ServerErrorCode;
  params: DiagnosticParams;
}

export function serverErrorText(code: ServerErrorCode, params: DiagnosticParams = {}): string {
  return formatTemplate(SERVER_ERRORS[code], params);
}
