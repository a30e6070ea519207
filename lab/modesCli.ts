/**
 * `npm run lab:modes`: runs lab/modesLab.ts once and prints exactly one line
 * (`modes: dr n/N ok (director OutPkts o), tun …, nat …; unprepared dr detected: yes|no; nat bad gateway detected: yes|no`).
 * LVS_LAB_VERBOSE=1 adds progress on stderr. Exit 0 when every request of every mode got its answer,
 * DR/TUN OutPkts are 0 while their InPkts grew, and both detections said yes.
 */
import { modesLine, runModesLab } from "./modesLab.ts";

const verbose = process.env.LVS_LAB_VERBOSE === "1";
runModesLab({ log: verbose ? (l) => process.stderr.write(`[lab:modes] ${l}\n`) : undefined }).then((r) => {
  const line = modesLine(r);
  process.stdout.write(`${line}\n`);
  const good = r.dr.ok === r.dr.total && r.tun.ok === r.tun.total && r.nat.ok === r.nat.total && r.dr.outPkts === 0 && r.tun.outPkts === 0 && r.dr.inPkts > 0 && r.tun.inPkts > 0 && line.endsWith("detected: yes") && line.includes("unprepared dr detected: yes");
  process.exit(good ? 0 : 1);
}, (e: Error) => {
  process.stderr.write(`lab:modes: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
