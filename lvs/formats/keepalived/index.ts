/** keepalived.conf: render for a director / table, lenient import. */
export { renderKeepalived, type KeepalivedSource, type RenderKeepalivedOptions } from "./renderKeepalived.ts";
export { parseKeepalived } from "./parseKeepalived.ts";
export { directorConfig, vrrpInstancesFor } from "./fromTopology.ts";
export type { KeepalivedServiceMeta, KeepalivedVrrpInstance, ParsedKeepalived, Diagnostic } from "./types.ts";
