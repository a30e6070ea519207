/**
 * The kernel keeps a service's real servers head-first (reverse of the order they were added) and
 * ipvsadm sorts that dump with a comparator that is not a total order; lab/kernelOrder.test.ts checks
 * these rules against the real kernel, this file pins them without a VM.
 */
import { describe, expect, it } from "vitest";
import { canonicalTable } from "./canonical.ts";
import { newDestination, newIpvsService } from "./defaults.ts";
import { compareDestinationsIpvs, ipvsadmSort } from "./ipvsadmOrder.ts";
import { plan } from "./reconcile.ts";
import type { IpvsTable } from "./model.ts";

// mixed families (TUN): a v4 first operand compares one word, a v6 one four, so cmp(a,b) and cmp(b,a) can agree
const addrs = ["172.16.0.1", "2001:db8:1::5", "100.64.0.1"];
const table = (order: string[]): IpvsTable => ({
  services: [newIpvsService({ protocol: "tcp", family: "inet", address: "10.1.1.1", port: 80 }, { destinations: order.map((a) => newDestination(a, 80, { method: "tun", tunnel: { type: "ipip", port: null, checksum: null } })) })],
});
const keys = (t: IpvsTable) => t.services[0]!.destinations.map((d) => d.address);

describe("real-server order as the kernel lists it", () => {
  it("the comparator is order-dependent on this set (the case is not vacuous)", () => {
    const d = addrs.map((address) => ({ address, port: 80 }));
    expect(ipvsadmSort(d, compareDestinationsIpvs).map((x) => x.address)).not.toEqual(ipvsadmSort([...d].reverse(), compareDestinationsIpvs).map((x) => x.address));
  });

  it("canonical order is ipvsadm's sort of the reversed (head-first) list", () => {
    const d = addrs.map((address) => ({ address, port: 80 }));
    expect(keys(canonicalTable(table(addrs)))).toEqual(ipvsadmSort([...d].reverse(), compareDestinationsIpvs).map((x) => x.address));
  });

  it("a plan creating the service adds the real servers in the given order (the kernel then lists the canonical order)", () => {
    const ops = plan({ services: [] }, table(addrs));
    expect(ops.filter((o) => o.kind === "add-destination").map((o) => (o as { destination: { address: string } }).destination.address)).toEqual(addrs);
  });
});
