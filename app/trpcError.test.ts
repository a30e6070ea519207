import { describe, expect, it } from "vitest";
import { describeTrpcError } from "./trpcError.ts";

describe("describeTrpcError", () => {
  it("keeps the tRPC code and message", () => {
    const e = Object.assign(new Error("topology 'web' already exists"), { data: { code: "CONFLICT", httpStatus: 409 } });
    expect(describeTrpcError(e)).toEqual({ code: "CONFLICT", message: "topology 'web' already exists", fieldErrors: {}, reason: null });
  });

  it("collects zod field errors when the formatter sends them", () => {
    const e = { message: "bad", data: { code: "BAD_REQUEST", zodError: { fieldErrors: { name: ["Too big"], x: "no" } } } };
    expect(describeTrpcError(e)).toEqual({ code: "BAD_REQUEST", message: "bad", fieldErrors: { name: ["Too big"] }, reason: null });
  });

  it("keeps the server's reason (code + params) for the UI's language", () => {
    const e = { message: "m", data: { code: "FORBIDDEN", reason: { code: "auth.role-required", params: { path: "topology.save", needs: "operator", role: "viewer" } } } };
    expect(describeTrpcError(e).reason).toEqual({ code: "auth.role-required", params: { path: "topology.save", needs: "operator", role: "viewer" } });
    expect(describeTrpcError({ message: "m", data: { code: "FORBIDDEN", reason: "junk" } }).reason).toBeNull();
  });

  it("maps an unknown tRPC code to unknown", () => {
    expect(describeTrpcError({ message: "m", data: { code: "PAYLOAD_TOO_LARGE" } }).code).toBe("unknown");
  });

  it("treats a failed fetch as a network error", () => {
    expect(describeTrpcError(new TypeError("Failed to fetch")).code).toBe("network");
  });

  it("accepts null and plain strings", () => {
    expect(describeTrpcError(null)).toEqual({ code: "unknown", message: "", fieldErrors: {}, reason: null });
    expect(describeTrpcError("boom")).toMatchObject({ code: "unknown", message: "boom" });
  });
});
