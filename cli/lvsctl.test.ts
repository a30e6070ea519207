import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { main, type CliIo } from "./lvsctl.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/lvsctl.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "lvsctl-"));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const RULES = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1 -m -w 2\n";
const BROKEN = "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1\n-a -t 10.0.0.1:80 -r 10.0.1.2 -y 10\n";

function run(args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function inProcess(args: string[], files: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const written: Record<string, string> = {};
  const io: CliIo = {
    readFile: (p) => {
      const t = files[p];
      if (t === undefined) throw new Error(`ENOENT: ${p}`);
      return t;
    },
    writeFile: (p, t) => void (written[p] = t),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  };
  const code = main(args, io);
  return { code, stdout, stderr, written };
}

describe("lvsctl (spawned)", () => {
  it("exit codes 0 / 1 / 2 and FILE:LINE errors", async () => {
    const ok = file("ok.rules", RULES);
    const bad = file("bad.rules", BROKEN);
    const [convert, invalid, missing, usage, stdin] = await Promise.all([
      run(["convert", "--to", "commands", ok]),
      run(["validate", bad]),
      run(["convert", "--to", "json", path.join(dir, "nope.rules")]),
      run(["convert", ok]),
      run(["convert", "--from", "ipvsadm", "--to", "ipvsadm", "-"], "ipvsadm -A -u [2001:db8::1]:domain -s sh -b sh-port\n"),
    ]);
    expect(convert.code).toBe(0);
    expect(convert.stdout).toContain("ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2\n");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(`${bad}:3: -y 10 without -x: the lower threshold needs an upper threshold (the kernel rejects -y above -x: "Numerical result out of range")\n`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.rules/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("convert needs --to");
    expect(stdin.code).toBe(0);
    expect(stdin.stdout).toBe("-A -u [2001:db8::1]:53 -s sh -b sh-port\n");
  }, 60_000); // five tsx processes start at once: ~3 s quiet, over 20 s at load 25
});

describe("lvsctl (in process)", () => {
  it("converts between ipvsadm, json and keepalived", () => {
    const json = inProcess(["convert", "--to", "json", "a.rules"], { "a.rules": RULES });
    expect(json.code).toBe(0);
    const back = inProcess(["convert", "--to", "ipvsadm", "a.json"], { "a.json": json.stdout });
    expect(back.stdout).toBe("-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2\n");
    const ka = inProcess(["convert", "--to", "keepalived", "a.rules"], { "a.rules": RULES });
    expect(ka.stdout).toContain("virtual_server 10.0.0.1 80 {");
    const fromKa = inProcess(["convert", "--to", "ipvsadm", "k.conf"], { "k.conf": ka.stdout });
    expect(fromKa.code).toBe(0);
    expect(fromKa.stdout).toBe(back.stdout);
    const out = inProcess(["convert", "--to", "ipvsadm", "-o", "out.rules", "a.json"], { "a.json": json.stdout });
    expect(out.written["out.rules"]).toBe(back.stdout);
  });

  it("reports JSON problems with a line or a path", () => {
    const syntax = inProcess(["validate", "t.json"], { "t.json": '{\n  "services": [\n    oops\n  ]\n}\n' });
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^t\.json:3: not JSON/);
    const schema = inProcess(["validate", "t.json"], { "t.json": JSON.stringify({ services: [{ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 70000 }] }) });
    expect(schema.code).toBe(1);
    expect(schema.stderr).toContain("t.json:1: services[0].port: Too big: expected number to be <=65535\n");
    expect(schema.stderr).toContain("t.json:1: services[0].scheduler: missing: the field is required\n");
    expect(schema.stderr).not.toContain("Invalid input\n");
  });

  it("JSON problems name the field, its line, and the union branch the service was meant for", () => {
    const doc = {
      services: [
        {
          protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false,
          destinations: [{ address: "10.0.1.1", port: 80, method: "nat", weight: 70000, upperThreshold: 0, lowerThreshold: 0, tunnel: null }],
        },
        { protocol: "fwmark", family: "inet", fwmark: 0, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] },
      ],
    };
    const text = JSON.stringify(doc, null, 2);
    const lineOf = (needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;
    const r = inProcess(["validate", "t.json"], { "t.json": text });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `t.json:${lineOf('"weight": 70000')}: services[0].destinations[0].weight: Too big: expected number to be <=65535`,
      `t.json:${lineOf('"fwmark": 0')}: services[1].fwmark: Too small: expected number to be >=1`,
    ]);
  });

  it("keepalived: table issues point at the virtual_server line", () => {
    const conf = "! test\nvirtual_server 10.0.0.1 80 {\n  lb_algo rr\n  protocol TCP\n}\n\nvirtual_server 10.0.0.2 80 {\n  lb_algo rr\n  real_server 10.0.1.1 80 {\n    weight 0\n  }\n}\n";
    const r = inProcess(["validate", "k.conf"], { "k.conf": conf });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines.find((l) => l.includes("[service.no-real-servers]"))).toMatch(/^k\.conf:2: warning: services\[0\]\.destinations: /);
    expect(lines.find((l) => l.includes("[service.all-weights-zero]"))).toMatch(/^k\.conf:7: warning: services\[1\]\.destinations: /);
  });

  it("validate checks the well-formed rest after a parse error and points table issues at their lines", () => {
    const rules = "-A -t 10.0.0.2:80 -s rr\n-A -t 10.0.0.3:80 -s rr\n-a -t 10.0.0.3:80 -r 10.1.1.1:80 -m -w 0\n-a -t 10.0.0.3:80 -r 10.1.1.2:80 -m -w 70000\n";
    const r = inProcess(["validate", "v.rules"], { "v.rules": rules });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain("v.rules:4: -w 70000: illegal weight (0..65535)");
    expect(lines.find((l) => l.includes("[service.no-real-servers]"))).toMatch(/^v\.rules:1: warning: services\[0\]\.destinations: TCP 10\.0\.0\.2:80 has no real servers/);
    expect(lines.find((l) => l.includes("[service.all-weights-zero]"))).toMatch(/^v\.rules:2: warning: services\[1\]\.destinations: /);
  });

  it("rejects foreign dialects with a clear reason", () => {
    const r = inProcess(["validate", "f.rules"], { "f.rules": "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1 -b\n" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("f.rules:2: -b used as a forwarding method is FULLNAT");
  });

  it("plans a batch, a text preview or JSON ops", () => {
    const files = { "a.rules": RULES, "b.rules": "-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 10.0.1.1 -m -w 0\n-a -t 10.0.0.1:80 -r 10.0.1.2 -m\n" };
    const batch = inProcess(["plan", "a.rules", "b.rules"], files);
    expect(batch.code).toBe(0);
    expect(batch.stdout).toBe("-E -t 10.0.0.1:80 -s wrr\n-e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 0\n-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1\n");
    const text = inProcess(["plan", "--format", "text", "a.rules", "a.rules"], files);
    expect(text.stdout).toBe("no changes\n");
    const json = inProcess(["plan", "--format=json", "a.rules", "b.rules"], files);
    expect((JSON.parse(json.stdout) as { kind: string }[]).map((o) => o.kind)).toEqual(["edit-service", "edit-destination", "add-destination"]);
    expect(inProcess(["plan", "a.rules"], files).code).toBe(2);
  });

  it("convert refuses what validate refuses: nothing it prints can add a line, nothing the kernel rejects passes", () => {
    const injected = JSON.stringify({ services: [{ protocol: "tcp", address: "10.0.0.1", port: 80, family: "inet", scheduler: "rr\n-C", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] }] }, null, 2);
    const r = inProcess(["convert", "--from", "json", "--to", "ipvsadm", "t.json"], { "t.json": injected });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^t\.json:\d+: services\[0\]\.scheduler: /m);
    const ka = "virtual_server 10.0.0.1 80 {\n    lb_algo loadbalance\n    lb_kind NAT\n    protocol TCP\n    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n";
    const k = inProcess(["convert", "--from", "keepalived", "--to", "ipvsadm", "k.conf"], { "k.conf": ka });
    expect(k.code).toBe(1);
    expect(k.stdout).toBe("");
    expect(k.stderr).toMatch(/^k\.conf:1: .*scheduler.*loadbalance/m);
  });
});
