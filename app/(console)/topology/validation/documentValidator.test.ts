import { describe, expect, it } from "vitest";
import { newMembership, newRealServer, newVirtualService } from "@/lvs/defaults.ts";
import type { Issue } from "@/lvs/issues.ts";
import type { Topology } from "@/lvs/model.ts";
import { validate } from "@/lvs/validate.ts";
import { packTopology } from "@/lvs/packedTopology.ts";
import { createDocumentValidator, WORKER_THRESHOLD, type WorkerLike } from "./documentValidator.ts";
import { documentOf, type ValidationRequest } from "./workerDocument.ts";

/** `n` services, each with one real server and one membership (3n objects); placed on no director (an issue each). */
function doc(n: number, name = "t"): Topology {
  const t: Topology = { name, directors: [], services: [], realServers: [], memberships: [], layout: {} };
  for (let i = 0; i < n; i++) {
    t.services.push(newVirtualService(`s${i}`, { protocol: "tcp", address: `10.0.${i >> 8}.${i & 255}`, port: 80 }));
    t.realServers.push(newRealServer(`r${i}`, `10.1.${i >> 8}.${i & 255}`));
    t.memberships.push(newMembership(`m${i}`, `s${i}`, `r${i}`));
  }
  return t;
}
/** A document over the threshold; its objects are never looked at (the checks below are stubs). */
const big = (name = "t"): Topology => ({ ...doc(1, name), memberships: Array(WORKER_THRESHOLD).fill(doc(1).memberships[0]) });
/** what validate() answers, cheaply: one issue naming the document */
const check = (t: Topology): Issue[] => [{ code: "stub", message: t.name } as unknown as Issue];

/** A worker run by hand: posted messages queue until `answer` parses the document and checks it, as the real worker does. */
function fakeWorker() {
  const posted: ValidationRequest[] = [];
  const w: WorkerLike & { posted: typeof posted; answer(i: number, issues?: Issue[]): void; terminated: boolean } = {
    posted, terminated: false, onmessage: null, onerror: null,
    postMessage: (m) => void posted.push(m as ValidationRequest),
    terminate: () => void (w.terminated = true),
    answer(i, issues) {
      const m = posted[i]!;
      w.onmessage?.({ data: { seq: m.seq, issues: issues ?? check(documentOf(m)) } } as MessageEvent);
    },
  };
  return w;
}

describe("createDocumentValidator", () => {
  it("validates a small document in place, without starting the worker", () => {
    let made = 0;
    const v = createDocumentValidator(() => (made++, fakeWorker()));
    let got: Issue[] | null = null;
    expect(v.submit(doc(3), (i) => (got = i))).toBe(false);
    expect(got).toEqual(validate(doc(3)));
    expect(made).toBe(0);
  });

  it("sends a big document to the worker and delivers only the newest document's issues", () => {
    const w = fakeWorker();
    const v = createDocumentValidator(() => w, check);
    const seen: string[] = [];
    expect(v.submit(big("first"), () => seen.push("first"))).toBe(true);
    expect(v.submit(big("second"), (i) => seen.push(`second ${i.length}`))).toBe(true);
    expect(seen).toEqual([]);
    w.answer(0); // the first document's answer arrives after the second was submitted: dropped
    expect(seen).toEqual([]);
    w.answer(1, [{ code: "x" } as unknown as Issue]);
    expect(seen).toEqual(["second 1"]);
    // an edit that makes the document small again wins over a big one still on the worker
    v.submit(big("third"), () => seen.push("third"));
    v.submit(doc(2), () => seen.push("small"));
    w.answer(2);
    expect(seen).toEqual(["second 1", "small"]);
  });

  it("falls back to validating in place when the worker fails, cannot start or answers an error", () => {
    const w = fakeWorker();
    const v = createDocumentValidator(() => w, check);
    const d = big();
    let got: Issue[] | null = null;
    v.submit(d, (i) => (got = i));
    w.onerror?.({ preventDefault() {} } as ErrorEvent);
    expect(got).toEqual(check(d));
    expect(w.terminated).toBe(true);
    got = null;
    expect(v.submit(d, (i) => (got = i))).toBe(false); // no second try at a broken worker
    expect(got).toEqual(check(d));

    const none = createDocumentValidator(() => null, check);
    expect(none.submit(d, (i) => (got = i))).toBe(false);
    const throws = createDocumentValidator(() => { throw new Error("no workers here"); }, check);
    expect(throws.submit(d, () => {})).toBe(false);

    const w2 = fakeWorker();
    const v2 = createDocumentValidator(() => w2, check);
    got = null;
    v2.submit(d, (i) => (got = i));
    w2.onmessage?.({ data: { seq: w2.posted[0]!.seq, error: "boom" } } as MessageEvent);
    expect(got).toEqual(check(d));
  });

  it("an unedited document goes as it was loaded (packed) with the canvas layout: the worker sees the same document", () => {
    const w = fakeWorker();
    const v = createDocumentValidator(() => w, check);
    const loaded = doc(Math.ceil(WORKER_THRESHOLD / 3), "loaded");
    const onCanvas = { ...loaded, layout: { s0: { x: 1, y: 2 } } };
    v.submit(onCanvas, () => {}, JSON.stringify(packTopology(loaded)));
    expect(Object.keys(w.posted[0]!)).toEqual(["seq", "packed", "layout"]);
    expect(documentOf(w.posted[0]!)).toEqual(onCanvas);
    v.submit(onCanvas, () => {});
    expect(documentOf(w.posted[1]!)).toEqual(onCanvas);
  });

  it("delivers nothing after dispose", () => {
    const w = fakeWorker();
    const v = createDocumentValidator(() => w, check);
    let called = false;
    v.submit(big(), () => (called = true));
    v.dispose();
    w.answer(0);
    expect(called).toBe(false);
    expect(w.terminated).toBe(true);
  });
});
