"use client";
import { useMemo, type ReactNode } from "react";
import { membershipMarks } from "@/lvs/realServer/membershipVerdict.ts";
import { MembershipMarksContext } from "../../_canvas/overlays/membershipMarks.tsx";
import { useRealServerAgents } from "./useRealServerAgents.ts";

/** Feeds the canvas edges their ✓/✗ from the topology's real-server agent reports (polled). */
export function MembershipMarksProvider({ children }: { children: ReactNode }) {
  const { agents } = useRealServerAgents();
  const marks = useMemo(() => membershipMarks(agents.filter((a) => !a.revoked && a.report).map((a) => a.report!)), [agents]);
  return <MembershipMarksContext.Provider value={marks}>{children}</MembershipMarksContext.Provider>;
}
