import { pino, type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The process logger: JSON lines on stdout (pino). Tests pass "silent". */
export function createLogger(level: LogLevel = "info", name = "lvs-console"): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
