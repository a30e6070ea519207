/**
 * `node --import tsx server/index.ts`: the control plane (Next + tRPC + WebSockets on one port).
 * SIGTERM/SIGINT: graceful shutdown, exit 0. A second signal exits at once with 1.
 */
import { startServer } from "./app.ts";
import { EnvError, loadEnv } from "./env.ts";
import { createLogger } from "./log.ts";

let env;
try {
  env = loadEnv();
} catch (err) {
  if (err instanceof EnvError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const log = createLogger(env.LOG_LEVEL);
process.on("unhandledRejection", (err) => log.error({ err }, "unhandled promise rejection"));
try {
  const running = await startServer({ env, log });
  log.info({ url: running.url, host: env.HOST, port: running.port, database: running.db.kind }, "LVS Console listening");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    running.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} catch (err) {
  log.fatal({ err }, "could not start");
  process.exit(1);
}
