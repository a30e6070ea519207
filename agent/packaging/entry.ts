/**
 * The bundle's entry point (agent/packaging/buildAgent.ts): the `lvs-agent` command line (agent/main.ts),
 * or, in a process the multi-core userspace engine forked (node:cluster sets NODE_UNIQUE_ID, the engine
 * LVS_CLUSTER_WORKER), one of its workers: the workers are this same executable.
 */
import cluster from "node:cluster";

if (cluster.isWorker && process.env.LVS_CLUSTER_WORKER !== undefined) {
  void import("../engines/userspace/clusterWorker.ts");
} else {
  void import("../main.ts").then(({ main }) => main(process.argv.slice(2))).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`lvs-agent: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
