/**
 * Child process of bench:scale: runs `lvsctl ARGS…` in this process (as bin/lvsctl.mjs does) and
 * prints one JSON line with its own peak RSS and CPU time, so the parent measures only lvsctl.
 */
import { main } from "../../cli/lvsctl.ts";

const t0 = performance.now();
const code = main(process.argv.slice(2));
const ru = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ code, seconds: (performance.now() - t0) / 1000, maxRssMb: ru.maxRSS / 1024, cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6 })}\n`);
