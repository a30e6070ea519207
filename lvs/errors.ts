/**
 * The one exception type of the LVS domain. Expected input problems are data (parse errors with line
 * numbers, validation issues); LvsError is for calls that cannot proceed (a kernel-style rejection in
 * the applyOps simulator, a dangling reference in compile).
 */
export const LVS_ERROR_CODES = {
  /** a service op on a key that does not exist ("No such service" / "Service not defined") */
  no_such_service: "the service does not exist",
  /** -A on an existing key ("Service already exists") */
  service_exists: "the service already exists",
  /** -e/-d on a missing destination ("No such destination") */
  no_such_destination: "the destination does not exist",
  /** -a on an existing destination ("Destination already exists") */
  destination_exists: "the destination already exists",
  /** the topology references an object that is not there */
  dangling_reference: "a referenced object is missing",
  /** two objects would produce the same service or destination key */
  duplicate_key: "two objects map to the same key",
  /** a value IPVS would refuse */
  invalid_value: "a value IPVS would refuse",
} as const;

export type LvsErrorCode = keyof typeof LVS_ERROR_CODES;

export class LvsError extends Error {
  readonly code: LvsErrorCode;
  constructor(code: LvsErrorCode, message: string) {
    super(message);
    this.name = "LvsError";
    this.code = code;
  }
}

export function isLvsError(e: unknown): e is LvsError {
  return e instanceof LvsError;
}
