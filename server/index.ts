/**
 * `node --import tsx server/index.ts`: the control plane (Next + tRPC + WebSockets on one port).
 * SIGTERM/SIGINT: graceful shutdown, exit 0. A second signal exits at once with 1.
 */
import { startServer } from "./app.ts";
import { EnvError, loadEnv } from "./env.ts";
import { createLogger } from "./log.ts";
import { startDemo, type RunningDemo } from "./demo/startDemo.ts";

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
  // LVS_DEMO=1 (default): an empty database gets the loopback demo with live traffic
  let demo: RunningDemo | null = null;
  if (env.LVS_DEMO) {
    demo = await startDemo(running, { dataDir: env.LVS_DATA_DIR, log: log.child({ part: "demo" }) }).catch((err: Error) => {
      log.warn({ err: err.message }, "demo not started");
      return null;
    });
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    (demo ? demo.close().catch((err) => log.warn({ err }, "demo stop failed")) : Promise.resolve()).then(() => running.close()).then(
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
