import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { IpvsServiceKey } from "./model.ts";
import { newVirtualService } from "./defaults.ts";
import { agentServiceKeyText, describeServiceKey, parseServiceKeyString, serviceKeyOf, serviceKeyOfVirtualService, serviceKeyString } from "./tableKey.ts";
import { ipvsServiceArbitrary } from "./testing/arbitraries.ts";

describe("serviceKeyString (the id on the wire and in HealthTransition.serviceKey)", () => {
  it("keeps the exact text stored and sent today", () => {
    expect(serviceKeyString({ protocol: "tcp", family: "inet", address: "127.0.10.1", port: 80 })).toBe("tcp|127.0.10.1|80");
    expect(serviceKeyString({ protocol: "udp", family: "inet6", address: "2001:db8::1", port: 53 })).toBe("udp|2001:db8::1|53");
    expect(serviceKeyString({ protocol: "fwmark", family: "inet6", fwmark: 5 })).toBe("fwmark|inet6|5");
  });

  it("parseServiceKeyString inverts it for every service key", () => {
    fc.assert(fc.property(ipvsServiceArbitrary(), (s) => {
      const k = serviceKeyOf(s);
      expect(parseServiceKeyString(serviceKeyString(k))).toEqual(k);
    }));
  });

  it("parseServiceKeyString canonicalises the address and refuses malformed text", () => {
    expect(parseServiceKeyString("tcp|2001:DB8:0::1|80")).toEqual({ protocol: "tcp", family: "inet6", address: "2001:db8::1", port: 80 });
    for (const bad of ["", "tcp|10.0.0.1", "tcp|nope|80", "icmp|10.0.0.1|0", "tcp|10.0.0.1|", "tcp|10.0.0.1|65536", "tcp|10.0.0.1|8a",
      "fwmark|inet|0", "fwmark|inet|4294967296", "fwmark|ipv4|5", "fwmark|inet|1.5", "tcp|10.0.0.1|80|x"]) {
      expect(parseServiceKeyString(bad), bad).toBeNull();
    }
  });
});

describe("agentServiceKeyText", () => {
  it("agentServiceKeyText keeps the text agents persist health states under", () => {
    expect(agentServiceKeyText({ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 })).toBe("tcp 10.0.0.1:80");
    expect(agentServiceKeyText({ protocol: "udp", family: "inet6", address: "2001:db8::1", port: 53 })).toBe("udp [2001:db8::1]:53");
    expect(agentServiceKeyText({ protocol: "fwmark", family: "inet", fwmark: 7 })).toBe("fwmark 7 inet");
  });
});

describe("describeServiceKey (what a person reads)", () => {
  it("speaks ipvsadm -Ln", () => {
    const keys: [IpvsServiceKey, string][] = [
      [{ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 }, "TCP 10.0.0.1:80"],
      [{ protocol: "udp", family: "inet6", address: "2001:db8::1", port: 53 }, "UDP [2001:db8::1]:53"],
      [{ protocol: "fwmark", family: "inet", fwmark: 5 }, "FWM 5"],
      [{ protocol: "fwmark", family: "inet6", fwmark: 5 }, "FWM 5 IPv6"],
    ];
    for (const [k, text] of keys) expect(describeServiceKey(k)).toBe(text);
  });

  it("names a service still being edited with ? for what is missing", () => {
    expect(describeServiceKey({ protocol: "tcp", family: "inet", address: null, port: 80 })).toBe("TCP ?:80");
    expect(describeServiceKey({ protocol: "sctp", family: "inet6", address: null, port: null })).toBe("SCTP [?]:?");
    expect(describeServiceKey({ protocol: "fwmark", family: "inet", fwmark: null })).toBe("FWM ?");
  });
});

describe("serviceKeyOfVirtualService", () => {
  it("gives the canonical key, or null while a field is missing", () => {
    const vs = newVirtualService("s", { protocol: "tcp", address: "2001:db8::1", port: 80 });
    expect(serviceKeyOfVirtualService({ ...vs, address: "2001:DB8::0:1" })).toEqual({ protocol: "tcp", family: "inet6", address: "2001:db8::1", port: 80 });
    expect(serviceKeyOfVirtualService({ ...vs, port: null })).toBeNull();
    expect(serviceKeyOfVirtualService({ ...vs, protocol: "fwmark", address: null, port: null, fwmark: null })).toBeNull();
  });
});
