import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { safeNext } from "../../app/_shell/safeNext.ts";
import { clientIp, isPageRequest, sameOrigin } from "./requestGuards.ts";

const req = (headers: Record<string, string>, method = "GET") => ({ headers, method }) as unknown as IncomingMessage;

describe("request guards", () => {
  it("sameOrigin: no Origin (non-browser) passes; a browser's Origin must name this host", () => {
    expect(sameOrigin(req({ host: "console:3000" }))).toBe(true);
    expect(sameOrigin(req({ host: "console:3000", origin: "http://console:3000" }))).toBe(true);
    expect(sameOrigin(req({ host: "console:3000", origin: "https://console:3000" }))).toBe(true);
    expect(sameOrigin(req({ host: "console:3000", origin: "http://console:3001" }))).toBe(false);
    expect(sameOrigin(req({ host: "console:3000", origin: "http://evil.example" }))).toBe(false);
    expect(sameOrigin(req({ host: "console:3000", origin: "null" }))).toBe(false);
  });

  it("isPageRequest: page views only, not assets, APIs or Next internals", () => {
    expect(isPageRequest(req({}), "/topologies")).toBe(true);
    expect(isPageRequest(req({}, "HEAD"), "/")).toBe(true);
    expect(isPageRequest(req({}, "POST"), "/topologies")).toBe(false);
    for (const p of ["/_next/static/chunks/a.js", "/api/trpc/x", "/healthz", "/icon.svg", "/favicon.ico"]) expect(isPageRequest(req({}), p), p).toBe(false);
  });

  it("clientIp: the socket peer unless a trusted proxy appended the last X-Forwarded-For hop", () => {
    const r = (xff?: string) => ({ headers: xff ? { "x-forwarded-for": xff } : {}, socket: { remoteAddress: "10.0.0.1" } }) as unknown as IncomingMessage;
    expect(clientIp(r("203.0.113.9"), false)).toBe("10.0.0.1");
    expect(clientIp(r("198.51.100.1, 203.0.113.9"), true)).toBe("203.0.113.9");
    expect(clientIp(r(), true)).toBe("10.0.0.1");
    expect(clientIp(r(" , "), true)).toBe("10.0.0.1");
  });

  it("safeNext: only same-site relative paths survive sign-in", () => {
    expect(safeNext("/topology/abc?x=1")).toBe("/topology/abc?x=1");
    for (const bad of [null, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]) expect(safeNext(bad), String(bad)).toBe("/");
  });
});
