"use client";
/**
 * ✓/✗ on membership edges from the real-server agents' reports (verified / a check failing). The
 * editor provides the map; outside a provider (live view, tests) edges draw no mark.
 */
import { createContext, useContext } from "react";

export const MembershipMarksContext = createContext<ReadonlyMap<string, "verified" | "failing"> | null>(null);

export function useMembershipMark(membershipId: string): "verified" | "failing" | null {
  return useContext(MembershipMarksContext)?.get(membershipId) ?? null;
}
