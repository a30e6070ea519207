import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// Lints snippets as if they were files at the given paths, through the repository's real eslint.config.mjs.
const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "boundaries/import-directions").map((m) => m.message);
}

describe("import directions (eslint boundaries/import-directions)", () => {
  it.each([
    ["lvs/x.ts", 'import { a } from "../server/app.ts";\nexport const b = a;'],
    ["lvs/protocol/x.ts", 'import type { A } from "../../agent/agent.ts";\nexport type B = A;'],
    ["agent/x.ts", 'import { a } from "../server/app.ts";\nexport const b = a;'],
    ["agent/x.test.ts", 'import type { A } from "../server/realtime/agentHub.ts";\nexport type B = A;'],
    ["server/x.ts", 'import { a } from "../agent/agent.ts";\nexport const b = a;'],
    ["server/demo/x.ts", 'export { a } from "../../agent/runAgent.ts";'],
    ["server/demo/x.ts", 'export const m = () => import("../../agent/runAgent.ts");'],
    ["app/x.ts", 'import { appRouter } from "../server/api/root.ts";\nexport const b = appRouter;'],
    ["app/x.ts", 'import type { Context } from "@/server/api/trpc.ts";\nexport type B = Context;'],
    ["cli/x.ts", 'import { a } from "../server/app.ts";\nexport const b = a;'],
    ["server/realtime/x.ts", 'import { createLiveRuntime } from "../live/liveRuntime.ts";\nexport const b = createLiveRuntime;'],
    ["server/auth/x.ts", 'import type { Context } from "../api/trpc.ts";\nexport type B = Context;'],
    ["server/live/x.ts", 'import { a } from "../realtime/agentHub.ts";\nexport const b = a;'],
    ["server/realtime/x.ts", 'import type { LiveApi } from "../live/liveApi.ts";\nexport type B = LiveApi;'],
  ])("%s: forbidden %s", async (file, code) => {
    expect(await boundaryErrors(file, code)).toHaveLength(1);
  });

  it.each([
    ["lvs/protocol/x.ts", 'import { z } from "zod";\nimport { a } from "../model.ts";\nexport const b = [z, a];'],
    ["app/x.ts", 'import type { AppRouter } from "../server/api/root.ts";\nexport type B = AppRouter;'],
    ["app/x.ts", 'import { can } from "@/lvs/auth/permissions.ts";\nexport const b = can;'],
    ["server/live/x.ts", 'import type { AgentEvent } from "../realtime/agentEvents.ts";\nexport type B = AgentEvent;'],
    ["server/api/x.ts", 'import { a } from "../services/audit.ts";\nexport const b = a;'],
    ["server/x.test.ts", 'import { a } from "../app/_shell/safeNext.ts";\nexport const b = a;'],
    ["bench/x.ts", 'import { a } from "../server/app.ts";\nimport { c } from "../agent/agent.ts";\nexport const b = [a, c];'],
  ])("%s: allowed %s", async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
