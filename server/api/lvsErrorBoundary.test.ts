import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { LvsError } from "../../lvs/errors.ts";
import { createCallerFactory, publicProcedure, router, type Context } from "./trpc.ts";

// A service that throws the domain's error: the caller gets BAD_REQUEST with the code, not an internal error.
const testRouter = router({
  compile: publicProcedure.query(() => {
    throw new LvsError("dangling_reference", "membership m1: real server rs9 does not exist");
  }),
});

describe("LvsError at the tRPC boundary", () => {
  it("surfaces as BAD_REQUEST naming the code and the object, not INTERNAL_SERVER_ERROR", async () => {
    const caller = createCallerFactory(testRouter)({ session: null, ip: null, now: () => 0 } as unknown as Context);
    const err = await caller.compile().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toBe("dangling_reference: membership m1: real server rs9 does not exist");
  });
});
