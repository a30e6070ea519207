import type { Messages } from "next-intl";
import type { Action } from "../../lvs/auth/permissions.ts";

/**
 * The header navigation, data-driven: a feature adds its page by appending one entry here
 * (its label lives under the `nav` namespace of messages/*.json).
 */
export interface NavItem {
  /** key under `nav` in messages/*.json */
  labelKey: keyof Messages["nav"] & string;
  href: string;
  /** stable selector: nav-<labelKey> */
  testId: string;
  /** path prefixes that mark this item active (default: href) */
  activePrefixes?: readonly string[];
  /** shown only to roles that may do this (lvs/auth/permissions.ts); unset = every signed-in user */
  action?: Action;
}

export const navItems: readonly NavItem[] = [
  { labelKey: "overview", href: "/overview", testId: "nav-overview", action: "topology.read" },
  { labelKey: "topologies", href: "/topologies", testId: "nav-topologies", activePrefixes: ["/topologies", "/topology/"], action: "topology.read" },
  { labelKey: "audit", href: "/audit", testId: "nav-audit", action: "audit.read" },
  { labelKey: "users", href: "/users", testId: "nav-users", action: "user.admin" },
  { labelKey: "live", href: "/live", testId: "nav-live", action: "live.subscribe" },
];

export function isNavItemActive(item: NavItem, pathname: string): boolean {
  const prefixes = item.activePrefixes ?? [item.href];
  return prefixes.some((p) => pathname === p || pathname.startsWith(p.endsWith("/") ? p : `${p}/`));
}
