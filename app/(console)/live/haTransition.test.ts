import { describe, expect, it } from "vitest";
import { applyHaTransition } from "./haTransition.ts";

const group = () => ({
  id: "g", masters: ["d1"], masterSince: 10, splitBrain: false,
  members: [{ directorId: "id1", key: "d1", state: "MASTER" as const, since: 10 }, { directorId: "id2", key: "d2", state: "BACKUP" as const, since: 10 }],
});

describe("applyHaTransition", () => {
  it("moves the MASTER at once; two MASTERs are split brain; other groups and events without a state are left alone", () => {
    const fault = applyHaTransition([group()], { directorId: "id1", groupId: "g", to: "FAULT", at: 20 });
    const [g] = applyHaTransition(fault, { directorId: "id2", groupId: "g", to: "MASTER", at: 21 });
    expect(g).toMatchObject({ masters: ["d2"], masterSince: 21, splitBrain: false });
    expect(g!.members.map((m) => m.state)).toEqual(["FAULT", "MASTER"]);
    const [split] = applyHaTransition([group()], { directorId: "id2", groupId: "g", to: "MASTER", at: 22 });
    expect(split).toMatchObject({ masters: ["d1", "d2"], splitBrain: true });
    expect(applyHaTransition([group()], { directorId: "id2", groupId: "other", to: "MASTER", at: 1 })).toEqual([group()]);
    expect(applyHaTransition([group()], { directorId: "id2", at: 1 })).toEqual([group()]);
  });
});
