/** ipvsadm / /proc listing formats: parse and render. */
export { ListingParseError, largenum, parseLargenum, type ForwardName } from "./common.ts";
export {
  parseList, renderList, parseThresholds, renderThresholds, parsePersistentConn, renderPersistentConn, listToTable, listFromTable,
  type PersistentConnListing, type PersistentConnDestination,
  type ListedDestination, type ListedService, type ServiceListing, type ThresholdListing, type ThresholdDestination,
} from "./list.ts";
export { parseStats, parseRate, renderStats, renderRate, type StatsListing, type RateListing, type RenderStatsOptions } from "./stats.ts";
export {
  parseConnections, renderConnections, parseProcConnections, renderProcConnections, type ConnectionListing, type SkippedRow,
} from "./connections.ts";
export { parseProcIpvs, renderProcIpvs, parseProcStats, renderProcStats, type ProcStats, type ProcOptions } from "./proc.ts";
export { mergeListings } from "./mergeListings.ts";
export { parseTimeouts, renderTimeouts } from "./timeouts.ts";
