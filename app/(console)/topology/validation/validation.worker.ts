/**
 * The editor's validate() off the main thread (issue 17: at 10 000 services / 50 000 memberships the
 * zod parse and the LVS rules take ~0.4-1.5 s, which froze the editor at the open and after every
 * edit). Receives { seq, json } (the document as JSON text), answers { seq, issues } (or { seq, error }).
 * Pure lvs/ code only.
 */
import { validate } from "@/lvs/validate.ts";
import type { Topology } from "@/lvs/model.ts";

interface Request { seq: number; json: string }

self.onmessage = (e: MessageEvent<Request>) => {
  const { seq, json } = e.data;
  try {
    self.postMessage({ seq, issues: validate(JSON.parse(json) as Topology) });
  } catch (err) {
    self.postMessage({ seq, error: err instanceof Error ? err.message : String(err) });
  }
};
