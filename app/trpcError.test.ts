import { describe, expect, it } from "vitest";
import { describeTrpcError } from "./trpcError.ts";

describe("describeTrpcError", () => {
  it("keeps the tRPC code and message", () => {
    const e = Object.assign(new Error("topology 'web' already exists"), { data: { code: "CONFLICT", httpStatus: 409 } });
    expect(describeTrpcError(e)).toEqual({ code: "CONFLICT", message: "topology 'web' already exists", fieldErrors: {} });
  });

  it("collects zod field errors when the formatter sends them", () => {
    const e = { message: "bad", data: { code: "BAD_REQUEST", zodError: { fieldErrors: { name: ["Too big"], x: "no" } } } };
    expect(describeTrpcError(e)).toEqual({ code: "BAD_REQUEST", message: "bad", fieldErrors: { name: ["Too big"] } });
  });

  it("maps an unknown tRPC code to unknown", () => {
    expect(describeTrpcError({ message: "m", data: { code: "PAYLOAD_TOO_LARGE" } }).code).toBe("unknown");
  });

  it("treats a failed fetch as a network error", () => {
    expect(describeTrpcError(new TypeError("Failed to fetch")).code).toBe("network");
  });

  it("accepts null and plain strings", () => {
    expect(describeTrpcError(null)).toEqual({ code: "unknown", message: "", fieldErrors: {} });
    expect(describeTrpcError("boom")).toMatchObject({ code: "unknown", message: "boom" });
  });
});
