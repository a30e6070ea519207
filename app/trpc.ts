"use client";
// The typed tRPC hooks for the UI. Use them in client components:
//   const trpc = useTRPC();
//   const list = useQuery(trpc.topology.list.queryOptions());
//   const create = useMutation(trpc.topology.create.mutationOptions());
// The type-only import keeps server code out of the browser bundle.
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "../server/api/root.ts";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
