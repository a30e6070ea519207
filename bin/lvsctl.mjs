#!/usr/bin/env node
// lvsctl: convert, validate and plan IPVS tables (see cli/lvsctl.ts). Runs the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/lvsctl.ts");
process.exitCode = main(process.argv.slice(2));
