#!/usr/bin/env node
// lvs-agent: the director agent (see agent/main.ts). Runs the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../agent/main.ts");
process.exit(await main(process.argv.slice(2)));
