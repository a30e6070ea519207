"use client";
// Who is signed in, for the UI: auth.status once per page (cached), and `useCan(action)` from the same
// permissions table the server enforces (lvs/auth/permissions.ts, pure). The UI only hides what a
// role cannot do; the server refuses it regardless.
import { useQuery } from "@tanstack/react-query";
import { can, type Action } from "../../lvs/auth/permissions.ts";
import { useTRPC } from "../trpc.ts";

export function useSession() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.auth.status.queryOptions(), staleTime: 60_000 });
  return { session: q.data?.session ?? null, setupRequired: q.data?.setupRequired ?? false, loading: q.isPending };
}

/** false while the session loads, so controls appear only once the role is known */
export function useCan(action: Action): boolean {
  return can(useSession().session?.role, action);
}
