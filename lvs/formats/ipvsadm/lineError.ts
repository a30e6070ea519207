/** A problem with one ipvsadm command line: thrown inside the line interpreter, returned as data. */
export class LineError extends Error {}

export function fail(message: string): never {
  throw new LineError(message);
}
