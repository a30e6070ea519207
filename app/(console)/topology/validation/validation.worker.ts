/**
 * The editor's validate() off the main thread (issue 17: at 10 000 services / 50 000 memberships the
 * zod parse and the LVS rules take ~0.4-1.5 s, which froze the editor at the open and after every
 * edit). Receives { seq, json } (the document as JSON text) or { seq, packed, layout } (as loaded, see
 * documentValidator.ts), answers { seq, issues } (or { seq, error }).
 * Pure lvs/ code only.
 */
import { validate } from "@/lvs/validate.ts";
import { documentOf, type ValidationRequest } from "./workerDocument.ts";

self.onmessage = (e: MessageEvent<ValidationRequest>) => {
  const { seq } = e.data;
  try {
    self.postMessage({ seq, issues: validate(documentOf(e.data)) });
  } catch (err) {
    self.postMessage({ seq, error: err instanceof Error ? err.message : String(err) });
  }
};
