/**
 * validate() for the editor, on a web worker for big documents (validation.worker.ts) and in place for
 * small ones (a few ms, and the issues are there in the same frame as the edit). Only the newest
 * document's issues are delivered: a result for a document edited since is dropped. Where no worker
 * can run (tests, an old browser, a worker that failed to load) it validates in place.
 */
import { validate } from "@/lvs/validate.ts";
import type { Issue } from "@/lvs/issues.ts";
import type { Topology } from "@/lvs/model.ts";

/** objects (services + memberships + real servers + directors) from which the worker takes over */
export const WORKER_THRESHOLD = 2_000;

/** The part of a Worker this module uses (a fake in tests). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

/**
 * `topology` as it was loaded (packed, JSON text: packedDocuments.ts) when nothing was edited since:
 * sent instead of the whole document; the worker puts `topology`'s layout (the canvas positions) in.
 */
export type Packed = string | undefined;

export interface DocumentValidator {
  /**
   * Validates `topology`; `done` gets its issues (now for a small document, later for a big one) unless
   * a newer document was submitted meanwhile. Returns whether the result is pending (on the worker).
   */
  submit(topology: Topology, done: (issues: Issue[]) => void, packed?: Packed): boolean;
  dispose(): void;
}

export const objectCount = (t: Topology) => t.services.length + t.memberships.length + t.realServers.length + t.directors.length;

export function createDocumentValidator(makeWorker: (() => WorkerLike | null) | null, check: (t: Topology) => Issue[] = validate): DocumentValidator {
  let worker: WorkerLike | null = null;
  let broken = makeWorker === null;
  let seq = 0;
  let pending: { seq: number; topology: Topology; done: (issues: Issue[]) => void } | null = null;

  const inPlace = (p: NonNullable<typeof pending>) => {
    if (pending === p) pending = null;
    p.done(check(p.topology));
  };
  const fail = () => {
    // the worker could not load or crashed: this document and the next ones are validated in place
    broken = true;
    worker?.terminate();
    worker = null;
    if (pending) inPlace(pending);
  };
  const start = (): WorkerLike | null => {
    if (worker || broken) return worker;
    try {
      worker = makeWorker!();
    } catch {
      worker = null;
    }
    if (!worker) {
      broken = true;
      return null;
    }
    worker.onmessage = (e: MessageEvent) => {
      const answer = e.data as { seq: number; issues?: Issue[]; error?: string };
      if (!pending || answer.seq !== pending.seq) return; // a document edited since: its issues are stale
      const p = pending;
      if (!answer.issues) return inPlace(p);
      pending = null;
      p.done(answer.issues);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      fail();
    };
    return worker;
  };

  return {
    submit(topology, done, packed) {
      const p = { seq: ++seq, topology, done };
      if (objectCount(topology) < WORKER_THRESHOLD) {
        pending = null;
        inPlace(p);
        return false;
      }
      const w = start();
      if (!w) {
        pending = null;
        inPlace(p);
        return false;
      }
      pending = p;
      try {
        // as JSON text: one string to copy, ~4x cheaper for the main thread than the structured clone
        // of 65 000 objects (184 ms of a 10 000-service open); the worker parses it
        w.postMessage(packed === undefined ? { seq: p.seq, json: JSON.stringify(topology) } : { seq: p.seq, packed, layout: JSON.stringify(topology.layout) });
      } catch {
        fail();
        return false;
      }
      return true;
    },
    dispose() {
      pending = null;
      worker?.terminate();
      worker = null;
      broken = true;
    },
  };
}

/** The browser's worker, or null where there is none (server render, tests). */
export function browserValidationWorker(): WorkerLike | null {
  if (typeof Worker === "undefined") return null;
  const worker = new Worker(new URL("./validation.worker.ts", import.meta.url));
  return worker as unknown as WorkerLike;
}
