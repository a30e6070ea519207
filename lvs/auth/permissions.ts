/**
 * Roles and what each may do. The server checks every tRPC procedure and WebSocket subscription
 * against this table; the UI imports the same table only to hide what a role cannot do.
 * Pure (no I/O), so both sides can import it.
 *
 *  viewer   read everything, export, watch live traffic
 *  operator viewer + edit, plan, apply, rollback, drain
 *  admin    operator + users, directors and agent tokens, settings
 */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = {
  "topology.read": "viewer",
  "topology.export": "viewer",
  "live.subscribe": "viewer",
  "audit.read": "viewer",
  "director.read": "viewer",
  "account.password": "viewer",
  "topology.create": "operator",
  "topology.save": "operator",
  "topology.plan": "operator",
  "topology.apply": "operator",
  "topology.rollback": "operator",
  "realServer.drain": "operator",
  /** tell a real server's agent to apply its host settings now (VIP on lo/tunl0, ARP/rp_filter sysctls) */
  "realServer.prepare": "operator",
  /** `ipvsadm -Z`: zero a director's counters (all services or one) */
  "stats.zero": "operator",
  /** planned switchover of a director in an HA group (and the hand-back) */
  "ha.switchover": "operator",
  "director.admin": "admin",
  /** attach or change an exec health check: it runs a program on the directors */
  "healthCheck.exec": "admin",
  "token.admin": "admin",
  "user.admin": "admin",
  "settings.admin": "admin",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTIONS;

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function can(role: Role | null | undefined, action: Action): boolean {
  if (!role) return false;
  return rank[role] >= rank[ACTIONS[action]];
}

/** The minimum role an action needs, for error messages ("this needs the operator role"). */
export function requiredRole(action: Action): Role {
  return ACTIONS[action];
}
