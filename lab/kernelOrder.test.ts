/**
 * Real kernel: the order ipvsadm prints real servers in, for the shapes where its comparator is not a
 * total order — IPv4 addresses more than 2^31 apart and IPv6 and IPv4 real servers (TUN) mixed in
 * one service — where the order depends on the kernel's list, i.e. on the order they were added.
 *  1. `lvsctl convert` (renderRules of the parsed file) prints what `ipvsadm -S -n` prints after
 *     `ipvsadm -R` of the same file, byte for byte.
 *  2. A plan that creates the service (from an empty table) leaves `ipvsadm -S -n` listing its real
 *     servers in the target's canonical order.
 * One service per case (services are hashed with a per-boot random mix, so their order between
 * services is only determined when the comparator is consistent; lab/roundtrip.test.ts covers that).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { formatAddressPort } from "../lvs/address.ts";
import { parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { renderBatch, renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { plan } from "../lvs/reconcile.ts";
import { ipv4Arbitrary, ipv6Arbitrary } from "../lvs/testing/arbitraries.ts";
import { runRestoreCases, type RestoreCaseResult } from "./restoreCases.ts";

const LAB = process.env.LVS_LAB_DIR;
const SEED = 7;

// file order as generated (not sorted): mixed families need -i (TUN); wrapped IPv4 use -g or -m
const files: string[] = fc
  .sample(fc.tuple(fc.uniqueArray(fc.oneof(ipv4Arbitrary(), ipv6Arbitrary()), { minLength: 3, maxLength: 7 }), fc.boolean()), { seed: SEED, numRuns: 12 })
  .map(([addrs, udp], i) => {
    const svc = udp ? `-u 10.1.1.${i + 1}:53` : `-t 10.1.1.${i + 1}:80`;
    return `-A ${svc} -s rr\n` + addrs.map((a) => `-a ${svc} -r ${formatAddressPort(a, udp ? 53 : 80)} -i -w 1\n`).join("");
  });
const wrapped = fc
  .sample(fc.uniqueArray(ipv4Arbitrary(), { minLength: 4, maxLength: 8 }), { seed: SEED + 1, numRuns: 6 })
  .map((addrs, i) => `-A -t 10.2.2.${i + 1}:80 -s wrr\n` + addrs.map((a, j) => `-a -t 10.2.2.${i + 1}:80 -r ${a}:${8000 + j} -m -w ${j + 1}\n`).join(""));
const all = [...files, ...wrapped];
const converted = all.map((f) => renderRules(parseRules(f).table));
const planned = all.map((f) => renderBatch(plan({ services: [] }, parseRules(f).table)));
const rows = all.map((_, i) => [i] as const);

describe.skipIf(!LAB)("real kernel: ipvsadm's real-server order where its comparator is not a total order", () => {
  let fileResults: RestoreCaseResult[] = [];
  let planResults: RestoreCaseResult[] = [];

  beforeAll(async () => {
    const { results } = await runRestoreCases([...all.map((f) => ({ streams: [f] })), ...planned.map((p) => ({ streams: [p] }))], { timeoutMs: 600_000 });
    fileResults = results.slice(0, all.length);
    planResults = results.slice(all.length);
  }, 900_000);

  it("the cases really are order-dependent (not vacuous)", () => {
    const forward = all.filter((f, i) => {
      const t = parseRules(f).table;
      const reversed = { services: t.services.map((s) => ({ ...s, destinations: [...s.destinations].reverse() })) };
      return renderRules(reversed) !== converted[i];
    });
    expect(forward.length).toBeGreaterThan(0);
  });

  it.each(rows)("case %i: lvsctl convert equals ipvsadm -S -n after ipvsadm -R of the same file", (i) => {
    expect(fileResults[i]!.streams[0]).toEqual({ output: "", exitCode: 0 });
    expect(fileResults[i]!.saved).toBe(converted[i]);
  });

  it.each(rows)("case %i: a plan that creates the service leaves the kernel listing the target's order", (i) => {
    expect(planResults[i]!.streams[0]).toEqual({ output: "", exitCode: 0 });
    expect(planResults[i]!.saved).toBe(converted[i]);
  });
});
