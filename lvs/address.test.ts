import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import {
  addressFamily, canonicalAddress, cDiffU32, compareAddressesIpvs, formatAddressPort, isPlainAddressText, netmaskToPrefix, parseAddress,
  networkAddress, prefixContains, prefixToNetmask,
} from "./address.ts";

describe("canonicalAddress (inet_ntop text)", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero word is not compressed
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.1"], // IPv4-mapped keeps the dotted tail
    ["::ffff:a00:1", "::ffff:10.0.0.1"],
    ["::10.0.0.1", "::10.0.0.1"], // IPv4-compatible
    ["::2:3", "::0.2.0.3"], // glibc prints it as IPv4-compatible too
    ["fe80:0:0:1::", "fe80:0:0:1::"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"], // the longest run wins
    ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"], // first of equal runs
  ])("%s -> %s", (input, out) => {
    expect(canonicalAddress(input)).toBe(out);
  });

  it.each(["010.0.0.1", "10.1", "256.0.0.1", "web1", "fe80::1%eth0", "[::1]", "1::2::3", ""])("rejects %s", (input) => {
    expect(parseAddress(input).ok).toBe(false);
  });

  it("explains inet_aton surprises", () => {
    const r = parseAddress("010.0.0.1");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/octal/);
  });

  it("detects the family", () => {
    expect(addressFamily("192.168.0.1")).toBe("inet");
    expect(addressFamily("2001:db8::1")).toBe("inet6");
    expect(addressFamily("nope")).toBeNull();
  });
});

describe("prefixes and masks", () => {
  it("contains", () => {
    expect(prefixContains("10.0.0.0", 24, "10.0.0.77")).toBe(true);
    expect(prefixContains("10.0.0.1", 24, "10.0.1.1")).toBe(false);
    expect(prefixContains("10.0.0.0", 0, "192.168.1.1")).toBe(true);
    expect(prefixContains("2001:db8::", 64, "2001:db8::abcd")).toBe(true);
    expect(prefixContains("2001:db8::", 64, "2001:db8:0:1::1")).toBe(false);
    expect(prefixContains("10.0.0.0", 8, "2001:db8::1")).toBe(false);
    expect(prefixContains("10.0.0.0", 33, "10.0.0.1")).toBe(false);
  });
  it("network of an interface address", () => {
    expect(networkAddress("10.0.0.7", 24)).toBe("10.0.0.0");
    expect(networkAddress("172.16.200.9", 17)).toBe("172.16.128.0");
    expect(networkAddress("10.1.2.3", 32)).toBe("10.1.2.3");
    expect(networkAddress("10.1.2.3", 0)).toBe("0.0.0.0");
    expect(networkAddress("2001:db8::7:1", 64)).toBe("2001:db8::");
    expect(networkAddress("2001:db8:0:ff::1", 56)).toBe("2001:db8::");
    expect(networkAddress("10.0.0.1", 33)).toBeNull();
    // property: the network contains the address and is its own network
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, p) => {
      const n = networkAddress(a, p)!;
      return prefixContains(n, p, a) && networkAddress(n, p) === n;
    }));
  });
  it("netmask <-> prefix", () => {
    expect(prefixToNetmask(24)).toBe("255.255.255.0");
    expect(prefixToNetmask(0)).toBe("0.0.0.0");
    expect(prefixToNetmask(32)).toBe("255.255.255.255");
    expect(prefixToNetmask(17)).toBe("255.255.128.0");
    expect(netmaskToPrefix("255.255.128.0")).toBe(17);
    expect(netmaskToPrefix("0.0.0.0")).toBe(0);
    expect(netmaskToPrefix("255.0.255.0")).toBeNull();
    for (let p = 0; p <= 32; p++) expect(netmaskToPrefix(prefixToNetmask(p))).toBe(p);
  });
  it("formats address:port", () => {
    expect(formatAddressPort("10.0.0.1", 80)).toBe("10.0.0.1:80");
    expect(formatAddressPort("2001:db8::1", 443)).toBe("[2001:db8::1]:443");
  });
});

describe("ipvsadm comparator arithmetic", () => {
  it("wraps unsigned differences into int32 like C", () => {
    expect(cDiffU32(1, 2)).toBe(-1);
    expect(cDiffU32(0x0a000064, 0xc0a80a64)).toBeGreaterThan(0); // 10.0.0.100 "after" 192.168.10.100
    expect(cDiffU32(0, 0x80000001)).toBeGreaterThan(0);
    expect(cDiffU32(0, 0x80000000)).toBeLessThan(0);
  });
  it("compares addresses the libipvs way", () => {
    expect(compareAddressesIpvs("inet", "10.0.0.1", "10.0.0.2")).toBeLessThan(0);
    expect(compareAddressesIpvs("inet", "10.0.0.100", "192.168.10.100")).toBeGreaterThan(0);
    expect(compareAddressesIpvs("inet", "10.0.0.1", "100.0.0.1")).toBeLessThan(0);
    expect(compareAddressesIpvs("inet6", "2001:db8::1", "2001:db8::2")).toBeLessThan(0);
    expect(compareAddressesIpvs("inet6", "2001:db8::1", "fd00::1")).toBeGreaterThan(0); // wraps in word 0
  });
});

describe("parseAddress fast IPv6 path", () => {
  it("accepts and reads exactly what ipaddr.js does, for any colon-hex text", () => {
    const hex = fc.stringMatching(/^[0-9a-fA-F]{0,5}$/);
    const text = fc.array(fc.oneof(hex, fc.constant(""), fc.constant(":")), { minLength: 1, maxLength: 10 }).map((a) => a.join(":"));
    fc.assert(fc.property(text, (s) => {
      if (!s.includes(":")) return;
      const r = parseAddress(s);
      const ok = ipaddr.IPv6.isValid(s);
      expect(r.ok, s).toBe(ok);
      if (ok && r.ok) expect(r.value.bytes).toEqual(ipaddr.IPv6.parse(s).toByteArray());
    }), { numRuns: 5000 });
  });
  it("returns the same frozen result for the same text (memo), never a shared mutable one", () => {
    const a = parseAddress("2001:db8::7");
    expect(parseAddress("2001:db8::7")).toBe(a);
    expect(Object.isFrozen(a.ok && a.value.bytes)).toBe(true);
  });
});

describe("parseAddress fast IPv4 path and the plain-text check", () => {
  const V4_DECIMAL = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
  // texts near dotted quads: digits, dots, leading zeros, signs, spaces, hex and colons
  const near = fc.array(fc.constantFrom("0", "1", "9", "25", "255", "256", "999", "1000", "01", "00", ".", "..", "+", " ", "x", "a", ":", "::"), { minLength: 1, maxLength: 9 }).map((a) => a.join(""));
  const quadish = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }))
    .map((b) => b.join("."));
  const v6ish = fc.array(fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{0,5}$/), fc.constant(""), fc.constant("1.2.3.4")), { minLength: 1, maxLength: 10 }).map((a) => a.join(":"));
  const anyText = fc.oneof(near, quadish, v6ish, fc.string({ maxLength: 12 }));

  it("reads a dotted quad exactly as the regex and octet check did (value, text, error)", () => {
    fc.assert(fc.property(fc.oneof(near, quadish), (s) => {
      if (s.includes(":")) return;
      const r = parseAddress(s);
      const m = V4_DECIMAL.exec(s.trim());
      const inRange = m !== null && m.slice(1, 5).every((b) => Number(b) <= 255);
      expect(r.ok, s).toBe(inRange);
      if (r.ok && m) {
        expect(r.value).toEqual({ family: "inet", bytes: m.slice(1, 5).map(Number), text: m.slice(1, 5).map(Number).join(".") });
      }
    }), { numRuns: 5000 });
  });

  it("canonicalAddress and addressFamily skip the parse for a canonical dotted quad and agree with parseAddress on every text", () => {
    fc.assert(fc.property(anyText, (s) => {
      const r = parseAddress(s);
      expect(canonicalAddress(s), s).toBe(r.ok ? r.value.text : null);
      expect(addressFamily(s), s).toBe(r.ok ? r.value.family : null);
    }), { numRuns: 5000 });
  });

  it("calls a text plain only when ipaddr.js (the schemas' check) accepts it and parseAddress reads it as written", () => {
    fc.assert(fc.property(anyText, (s) => {
      if (!isPlainAddressText(s)) return;
      expect(s.length).toBeLessThanOrEqual(45);
      expect(ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s), s).toBe(true);
      const r = parseAddress(s);
      expect(r.ok && r.value.family === (s.includes(":") ? "inet6" : "inet"), s).toBe(true);
    }), { numRuns: 5000 });
  });

  it("calls every canonical text plain except the dotted-tail IPv6 forms", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (b6, b4) => {
      const v4 = b4.join(".");
      expect(isPlainAddressText(v4)).toBe(true);
      const v6 = canonicalAddress(b6.map((b, i) => (i % 2 ? b.toString(16).padStart(2, "0") : `${i ? ":" : ""}${b.toString(16)}`)).join("")) as string;
      expect(isPlainAddressText(v6), v6).toBe(!v6.includes("."));
    }), { numRuns: 2000 });
    expect(isPlainAddressText("::")).toBe(true);
    for (const bad of ["", " 1.2.3.4", "1.2.3.4 ", "01.2.3.4", "1.2.3", "1:2:3:4:5:6:7", "1::2::3", ":::1", "::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", "12345::1", "1::2:3:4:5:6:7"]) {
      expect(isPlainAddressText(bad), bad).toBe(false);
    }
  });
});
