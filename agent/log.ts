/**
 * The agent's logger: a tiny interface so tests can capture lines; the CLI prints
 * "2026-01-01T00:00:00.000Z LEVEL message" lines to stderr.
 */
export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function consoleLog(out: (line: string) => void = (l) => process.stderr.write(l + "\n")): AgentLog {
  const line = (level: string) => (message: string) => out(`${new Date().toISOString()} ${level} ${message}`);
  return { info: line("INFO"), warn: line("WARN"), error: line("ERROR") };
}

/** Collects lines in memory (tests). */
export function memoryLog(): AgentLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}
