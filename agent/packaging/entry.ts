/** The bundle's entry point (agent/packaging/buildAgent.ts): the `lvs-agent` command line, agent/main.ts. */
import { main } from "../main.ts";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`lvs-agent: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
