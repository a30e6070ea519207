import { describe, expect, it } from "vitest";
import { awaitingAck, initialRollout, nextBatch, stepRollout, type DirectorResult, type DirectorSnapshot, type RolloutState } from "./rollout.ts";

const result = (id: string, extra: Partial<DirectorResult> = {}): DirectorResult => ({
  directorId: id, key: `k-${id}`, name: `lvs-${id}`, status: "waiting", appliedRevision: 3, message: null, errors: [], startedAt: null, finishedAt: null, ...extra,
});
const online = (id: string, extra: Partial<DirectorSnapshot> = {}): DirectorSnapshot => ({ id, online: true, targetRevision: 3, appliedRevision: 3, ...extra });
const start = (o: Partial<RolloutState> = {}, ids = ["a", "b", "c"]) =>
  initialRollout({ revision: 4, mode: "sequential", waitMs: 1000, force: false, results: ids.map((id) => result(id)), ...o });
const statuses = (s: RolloutState) => s.results.map((r) => r.status);

describe("rollout state machine", () => {
  it("sequential: one director at a time, each acknowledged, then succeeded", () => {
    let s = start();
    for (const [i, id] of ["a", "b", "c"].entries()) {
      expect(nextBatch(s)).toEqual([id]);
      s = stepRollout(s, { type: "attempt", ids: [id], directors: [online(id)], at: 10 * i });
      expect(awaitingAck(s)).toEqual([id]);
      expect(nextBatch(s)).toEqual([]); // nothing new while one waits
      s = stepRollout(s, { type: "ack", directorId: id, ok: true, revision: 4, message: "applied", at: 10 * i + 5 });
    }
    expect(nextBatch(s)).toEqual([]);
    s = stepRollout(s, { type: "end" });
    expect(s.status).toBe("succeeded");
    expect(s.results[1]).toMatchObject({ status: "applied", appliedRevision: 4, startedAt: 10, finishedAt: 15, message: "applied" });
  });

  it("sequential stops at the first failure; the rest are skipped naming it, and keep their revision", () => {
    let s = start();
    s = stepRollout(s, { type: "attempt", ids: ["a"], directors: [online("a")], at: 1 });
    s = stepRollout(s, { type: "ack", directorId: "a", ok: false, revision: 4, message: "1 operation failed", errors: [{ op: "set x", error: "boom" }], at: 2 });
    s = stepRollout(s, { type: "readBack", applied: { a: 3 } });
    expect(nextBatch(s)).toEqual([]);
    s = stepRollout(s, { type: "end" });
    expect(s.status).toBe("failed");
    expect(statuses(s)).toEqual(["failed", "skipped", "skipped"]);
    expect(s.results[0]).toMatchObject({ appliedRevision: 3, errors: [{ op: "set x", error: "boom" }] });
    expect(s.results[2]).toMatchObject({ message: "not attempted: lvs-a failed", startedAt: null });
  });

  it("parallel attempts everyone at once: offline, already running, timeout and ack each end their own way", () => {
    let s = start({ mode: "parallel" }, ["a", "b", "c", "d"]);
    expect(nextBatch(s)).toEqual(["a", "b", "c", "d"]);
    s = stepRollout(s, {
      type: "attempt", ids: ["a", "b", "c", "d"], at: 7,
      directors: [online("a", { online: false }), online("b", { targetRevision: 4, appliedRevision: 4 }), online("c")], // d has no row
    });
    expect(statuses(s)).toEqual(["offline", "applied", "applying", "offline"]);
    expect(s.results[1]).toMatchObject({ message: "already running this revision", appliedRevision: 4 });
    expect(awaitingAck(s)).toEqual(["c"]);
    s = stepRollout(s, { type: "timeout", directorId: "c", at: 1007 });
    // a late ack after the timeout changes nothing
    const late = stepRollout(s, { type: "ack", directorId: "c", ok: true, revision: 4, message: null, at: 1100 });
    expect(late).toBe(s);
    expect(s.results[2]).toMatchObject({ status: "timeout", message: "no acknowledgement within 1000 ms", finishedAt: 1007 });
    s = stepRollout(s, { type: "end" });
    expect(s.status).toBe("failed");
  });

  it("force resends to a director that already runs the revision", () => {
    let s = start({ force: true }, ["a"]);
    s = stepRollout(s, { type: "attempt", ids: ["a"], directors: [online("a", { targetRevision: 4, appliedRevision: 4 })], at: 0 });
    expect(statuses(s)).toEqual(["applying"]);
  });

  it("waitMs 0 only sets the targets: everyone pending at once, the rollout pending", () => {
    let s = start({ waitMs: 0 });
    expect(s.status).toBe("pending");
    expect(nextBatch(s)).toEqual(["a", "b", "c"]);
    s = stepRollout(s, { type: "attempt", ids: ["a", "b", "c"], directors: [online("a", { online: false })], at: 0 });
    expect(statuses(s)).toEqual(["pending", "pending", "pending"]);
    expect(awaitingAck(s)).toEqual([]);
    expect(stepRollout(s, { type: "end" }).status).toBe("pending");
  });

  it("a director removed after the revision (skipped from the start) fails the rollout; a crash fails the unfinished", () => {
    let s = initialRollout({ revision: 4, mode: "parallel", waitMs: 1000, force: false, results: [result("a"), result("", { status: "skipped", message: "gone" })] });
    expect(nextBatch(s)).toEqual(["a"]);
    s = stepRollout(s, { type: "attempt", ids: ["a"], directors: [online("a")], at: 0 });
    const crashed = stepRollout(s, { type: "crash", message: "database down" });
    expect(crashed.status).toBe("failed");
    expect(crashed.results[0]).toMatchObject({ status: "failed", message: "database down" });
    expect(stepRollout(crashed, { type: "end" })).toBe(crashed);
    s = stepRollout(s, { type: "ack", directorId: "a", ok: true, revision: 4, message: null, at: 1 });
    expect(stepRollout(s, { type: "end" }).status).toBe("failed");
  });

  it("never mutates the state it is given", () => {
    const s = start();
    const copy = structuredClone(s);
    stepRollout(s, { type: "attempt", ids: ["a"], directors: [online("a")], at: 0 });
    expect(s).toEqual(copy);
  });
});
