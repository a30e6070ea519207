import { coded, type Coded, type DiagnosticCode, type DiagnosticParams } from "../diagnostics.ts";

/** A problem with one ipvsadm command line: thrown inside the line interpreter, returned as data. */
export class LineError extends Error {
  readonly coded: Coded;
  constructor(c: Coded) {
    super(c.message);
    this.coded = c;
  }
}

export function fail(code: DiagnosticCode, params: DiagnosticParams = {}): never {
  throw new LineError(coded(code, params));
}
