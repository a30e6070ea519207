import { expect, test, watchConsole } from "../fixtures/test.ts";
import { connect, drop, field, nodeIds, openEditor, screenPos, seed, select, selectEdge, shot } from "./editorPage.ts";
import { knownTopology } from "./known.ts";

test.describe("topology editor canvas", () => {
  test("drag each kind where released, connect, edit in the inspector", async ({ page, request, uniqueName }, testInfo) => {
    const problems = watchConsole(page);
    const { id } = await seed(request, uniqueName("canvas"));
    await openEditor(page, id);
    await expect(page.getByTestId("inspector-empty")).toBeVisible();

    const dir = await drop(page, "director", 30, 140);
    const svc = await drop(page, "service", 280, 140);
    const rs = await drop(page, "realServer", 600, 140);
    // dropped exactly where released (top-left at the cursor, zoom 1)
    expect(await screenPos(page, dir)).toEqual({ x: 30, y: 140 });
    expect(await screenPos(page, svc)).toEqual({ x: 280, y: 140 });
    expect(await screenPos(page, rs)).toEqual({ x: 600, y: 140 });
    await expect(page.getByTestId(`node-${svc}-line`)).toHaveText("TCP  10.0.0.100:80 wlc");
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "true");

    await connect(page, dir, svc);
    await connect(page, svc, rs);
    await expect(page.locator(".react-flow__edge")).toHaveCount(2);
    const edgeLine = page.locator('[data-testid^="edge-"][data-testid$="-line"]');
    await expect(edgeLine).toHaveText("-> 10.0.0.11:80 Route 1");
    // meaningless connection refused: director → real server
    await connect(page, dir, rs);
    await expect(page.locator(".react-flow__edge")).toHaveCount(2);
    await shot(page, testInfo, "connected");

    await select(page, svc);
    await field(page, "address", "10.0.0.200");
    await page.getByTestId("inspector-toggle-persistence").check();
    await page.getByTestId("inspector-field-scheduler").selectOption("rr");
    await expect(page.getByTestId(`node-${svc}-line`)).toHaveText("TCP  10.0.0.200:80 rr persistent 360");
    await field(page, "address", "10.0.0.");
    await expect(page.getByTestId("inspector-error-address")).toBeVisible();
    await expect(page.getByTestId(`node-${svc}-line`)).toHaveText("TCP  10.0.0.200:80 rr persistent 360");
    await field(page, "address", "10.0.0.201");
    await expect(page.getByTestId("inspector-error-address")).toHaveCount(0);

    const m = (await page.locator('[data-testid^="edge-"][data-method]').getAttribute("data-testid"))!.replace(/^edge-/, "");
    await selectEdge(page, m);
    await page.getByTestId("inspector-field-method").selectOption("nat");
    await field(page, "weight", "5");
    await page.getByTestId("inspector-field-state").selectOption("draining");
    await expect(edgeLine).toHaveText("-> 10.0.0.11:80 Masq 0");
    await expect(page.getByTestId(`edge-${m}`)).toHaveAttribute("data-state", "draining");
    await expect(page.getByTestId("packet-path")).toHaveAttribute("data-mode", "nat");
    await shot(page, testInfo, "inspector-membership");
    expect(problems).toEqual([]);
  });

  test("invalid settings show their badge and it disappears when fixed", async ({ page, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("badges"), knownTopology);
    await openEditor(page, id);
    await expect(page.getByTestId("node-svc-web")).toBeVisible();
    await expect(page.getByTestId("issue-service.one-packet-not-udp")).toHaveCount(0);

    // -o on a TCP service
    await select(page, "svc-web");
    await page.getByTestId("inspector-field-onePacket").check();
    await expect(page.getByTestId("issue-service.one-packet-not-udp")).toBeVisible();
    await expect(page.getByTestId("badge-svc-web")).toHaveAttribute("data-severity", "error");
    await shot(page, testInfo, "one-packet-on-tcp");
    await page.getByTestId("inspector-field-onePacket").uncheck();
    await expect(page.getByTestId("issue-service.one-packet-not-udp")).toHaveCount(0);
    await expect(page.getByTestId("badge-svc-web")).toHaveCount(0);

    // DR with a real-server port different from the service port
    await select(page, "rs-1");
    await field(page, "port", "8080");
    const issue = page.getByTestId("issue-destination.port-ignored");
    await expect(issue).toBeVisible();
    const object = (await issue.getAttribute("data-object"))!;
    await expect(page.getByTestId(`badge-${object}`)).toBeVisible();
    await shot(page, testInfo, "dr-port-mismatch");
    // clicking the issue focuses its object
    await page.getByTestId("node-svc-dns").click();
    await issue.click();
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", object);
    await select(page, "rs-1");
    await field(page, "port", "");
    await expect(issue).toHaveCount(0);
    await expect(page.getByTestId(`badge-${object}`)).toHaveCount(0);
  });

  test("undo/redo round trip, copy/paste, multi-select delete", async ({ page, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("undo"), knownTopology);
    await openEditor(page, id);
    await expect(page.getByTestId("node-svc-web")).toBeVisible();
    const line = page.getByTestId("node-svc-web-line");
    const initial = await line.textContent();

    await select(page, "svc-web");
    await page.getByTestId("inspector-field-scheduler").selectOption("sh");
    await page.getByTestId("inspector-field-port").fill("8080");
    await expect(line).toHaveText("TCP  10.0.0.100:8080 sh persistent 360");
    await page.getByTestId("node-svc-web").click(); // focus leaves the form: shortcuts apply
    await page.keyboard.press("Control+z");
    await expect(line).toHaveText("TCP  10.0.0.100:80 sh persistent 360");
    await page.getByTestId("undo").click();
    await expect(line).toHaveText(initial!);
    await expect(page.getByTestId("undo")).toBeDisabled();
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
    await page.keyboard.press("Control+Shift+z");
    await expect(line).toHaveText("TCP  10.0.0.100:80 sh persistent 360");
    await page.getByTestId("redo").click();
    await expect(line).toHaveText("TCP  10.0.0.100:8080 sh persistent 360");
    await expect(page.getByTestId("redo")).toBeDisabled();

    // copy/paste two nodes with the membership between them
    const edges = await page.locator(".react-flow__edge").count();
    await page.getByTestId("node-svc-dns").click();
    await page.getByTestId("node-rs-3").click({ modifiers: ["Shift"] });
    await expect(page.getByTestId("inspector-multi")).toBeVisible();
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await expect.poll(async () => (await nodeIds(page)).length).toBe(8);
    await expect(page.locator(".react-flow__edge")).toHaveCount(edges + 2); // placement + membership
    await shot(page, testInfo, "pasted");
    // the pasted pair is selected: Delete removes both and their edges
    await page.keyboard.press("Delete");
    await expect.poll(async () => (await nodeIds(page)).length).toBe(6);
    await expect(page.locator(".react-flow__edge")).toHaveCount(edges);
  });

  test("search focuses a node; a membership explains its packet path (NAT, DR, FULLNAT, TUN)", async ({ page, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("search"), knownTopology);
    await openEditor(page, id);
    await page.getByTestId("search").fill("10.0.0.9");
    await page.getByTestId("search-hit-rs-3").click();
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", "rs-3");
    await page.getByTestId("search").fill("dns1");
    await page.getByTestId("search").press("Enter");
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", "rs-3");

    await page.getByTestId("fit-view").click();
    await selectEdge(page, "m-3");
    await expect(page.getByTestId("packet-path")).toHaveAttribute("data-mode", "nat");
    await expect(page.getByTestId("packet-path-summary")).toHaveText(
      "CIP → VIP 10.0.0.53:53 → DIP 10.0.0.2 (lb1) → RIP 10.0.0.9:5353",
    );
    await expect(page.getByTestId("packet-hop-1")).toContainText("CIP:cport → 10.0.0.9:5353");
    await shot(page, testInfo, "packet-path-nat");
    await selectEdge(page, "m-1");
    await expect(page.getByTestId("packet-path")).toHaveAttribute("data-mode", "dr");
    await expect(page.getByTestId("packet-hop-2")).toContainText("10.0.0.100:80 → CIP:cport");
    await shot(page, testInfo, "packet-path-dr");
    // the userspace engine proxies: FULLNAT, source and destination rewritten, replies back to the DIP
    await select(page, "dir-a");
    await page.getByTestId("inspector-field-engine").selectOption("userspace");
    await selectEdge(page, "m-1");
    await expect(page.getByTestId("packet-path")).toHaveAttribute("data-mode", "fullnat");
    await expect(page.getByTestId("packet-hop-1")).toContainText("IP 10.0.0.2:lport → 10.0.0.7:80");
    await expect(page.getByTestId("packet-hop-2")).toContainText("IP 10.0.0.7:80 → 10.0.0.2:lport");
    await shot(page, testInfo, "packet-path-fullnat");
    // TUN on the kernel engine: IP-in-IP from the DIP to the RIP
    await select(page, "dir-a");
    await page.getByTestId("inspector-field-engine").selectOption("ipvs");
    await selectEdge(page, "m-2");
    await page.getByTestId("inspector-field-method").selectOption("tun");
    await expect(page.getByTestId("packet-path")).toHaveAttribute("data-mode", "tun");
    await expect(page.getByTestId("packet-hop-1")).toContainText("outer IP 10.0.0.2 → 10.0.0.8 (ipip)");
    await expect(page.getByTestId("packet-hop-2")).toContainText("IP 10.0.0.100:80 → CIP:cport");
  });
  test("level of detail: zoomed far out, edge labels are not drawn; back in, they are", async ({ page, request, uniqueName }) => {
    const { id } = await seed(request, uniqueName("lod"), knownTopology);
    await openEditor(page, id);
    await expect(page.getByTestId("canvas")).toHaveAttribute("data-lod", "near");
    await expect(page.getByTestId("edge-m-1")).toBeVisible();
    for (let i = 0; i < 8; i++) await page.locator(".react-flow__controls-zoomout").click();
    await expect(page.getByTestId("canvas")).toHaveAttribute("data-lod", "far");
    await expect(page.getByTestId("edge-m-1")).toBeHidden();
    await expect(page.getByTestId("node-svc-web")).toBeVisible(); // the box stays, its text is not painted
    await expect(page.getByTestId("node-svc-web-line")).toBeHidden();
    for (let i = 0; i < 8; i++) await page.locator(".react-flow__controls-zoomin").click();
    await expect(page.getByTestId("canvas")).toHaveAttribute("data-lod", "near");
    await expect(page.getByTestId("edge-m-1")).toBeVisible();
    await expect(page.getByTestId("node-svc-web-line")).toBeVisible();

    // while the pane is dragged the 5 edges are one snapshot layer (labels hidden); released, all is
    // back. The mode ends once the viewport is still (250 ms): what it drew is recorded as it starts.
    const canvas = page.getByTestId("canvas");
    await canvas.evaluate((c) => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      new MutationObserver(() => {
        if (!c.hasAttribute("data-snapshot")) return;
        const paths = document.querySelectorAll('[data-testid="pan-edges"] path').length;
        seen.push(`${c.getAttribute("data-snapshot")} edges in ${paths} paths; edges ${getComputedStyle(c.querySelector(".react-flow__edges")!).display}, labels ${getComputedStyle(c.querySelector(".react-flow__edgelabel-renderer")!).display}`);
      }).observe(c, { attributes: true, attributeFilter: ["data-snapshot"] });
    });
    // a drag pan moves what is drawn (nodes, dot grid, the minimap's viewport box) without React
    // Flow's store, which gets the viewport when the drag ends: MiniMap then draws the same box
    const drawn = () => page.evaluate(() => ({
      node: document.querySelector('[data-testid="node-svc-web"]')!.getBoundingClientRect().toJSON() as { x: number; y: number },
      grid: Number(document.querySelector(".react-flow__background pattern")!.getAttribute("x")),
      gap: Number(document.querySelector(".react-flow__background pattern")!.getAttribute("width")),
      mask: document.querySelector(".react-flow__minimap-mask")!.getAttribute("d")!,
    }));
    const still = await drawn();
    const box = (await page.locator(".react-flow__pane").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 15); // empty pane (the controls sit bottom left)
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + 35, { steps: 4 });
    // DR to web1 and web2 share a look (one path), NAT to dns1 another, the two placements a third
    await expect.poll(() => page.evaluate(() => (window as unknown as { seen: string[] }).seen[0])).toBe("5 edges in 3 paths; edges none, labels none");
    const dragged = await drawn();
    expect([dragged.node.x - still.node.x, dragged.node.y - still.node.y]).toEqual([40, 20]);
    expect(((dragged.grid - still.grid - 40) % still.gap + still.gap) % still.gap).toBeCloseTo(0, 6);
    const viewportBox = (d: string) => d.slice(d.lastIndexOf("M"));
    expect(viewportBox(dragged.mask)).not.toBe(viewportBox(still.mask));
    await page.mouse.up();
    await expect(canvas).not.toHaveAttribute("data-moving");
    const released = await drawn();
    expect(released.node).toEqual(dragged.node);
    expect(released.grid).toBeCloseTo(dragged.grid, 9);
    expect(viewportBox(released.mask)).toBe(viewportBox(dragged.mask));
    await expect(page.getByTestId("edge-m-1")).toBeVisible();
    await expect(page.getByTestId("pan-edges").locator("path")).toHaveCount(0);
    // search (an animated focus) then fit view at once: d3-zoom leaves the second move without an
    // end event; the canvas still leaves the moving mode once the viewport is still
    await page.getByTestId("search").fill("10.0.0.9");
    await page.getByTestId("search-hit-rs-3").click();
    await page.getByTestId("fit-view").click();
    await expect(canvas).not.toHaveAttribute("data-moving");
    await expect(page.getByTestId("edge-m-2")).toBeVisible();
  });
  test("auto layout untangles a messy topology into director → service → real server columns (one undo step)", async ({ page, request, uniqueName }, testInfo) => {
    const messy = { ...knownTopology, layout: Object.fromEntries(Object.keys(knownTopology.layout).map((k, i) => [k, { x: 40 + (i % 2) * 15, y: 40 + i * 12 }])) };
    const { id } = await seed(request, uniqueName("layout"), messy);
    await openEditor(page, id);
    await expect(page.locator(".react-flow__minimap")).toBeVisible();
    const boxes = async () => {
      const out: Record<string, { x: number; y: number; w: number; h: number }> = {};
      for (const n of await nodeIds(page)) {
        const b = await page.locator(`.react-flow__node[data-id="${n}"]`).boundingBox();
        if (b) out[n] = { x: b.x, y: b.y, w: b.width, h: b.height }; // null: culled off screen meanwhile
      }
      return out;
    };
    const overlaps = (b: Awaited<ReturnType<typeof boxes>>) =>
      Object.entries(b).flatMap(([a, p], i) =>
        Object.entries(b).slice(i + 1).filter(([, q]) => p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h).map(([c]) => `${a}/${c}`),
      );
    expect(overlaps(await boxes()).length).toBeGreaterThan(0);
    await shot(page, testInfo, "messy");

    await page.getByTestId("auto-layout").click();
    await expect.poll(async () => {
      const now = await boxes();
      return Object.keys(now).length === 6 ? overlaps(now) : ["not every node rendered yet"];
    }).toEqual([]);
    const b = await boxes();
    expect(Object.keys(b)).toHaveLength(6);
    const right = (k: string) => b[k]!.x + b[k]!.w;
    for (const svc of ["svc-web", "svc-dns"]) expect(right("dir-a")).toBeLessThan(b[svc]!.x);
    for (const rs of ["rs-1", "rs-2", "rs-3"]) for (const svc of ["svc-web", "svc-dns"]) expect(right(svc)).toBeLessThan(b[rs]!.x);
    await shot(page, testInfo, "auto-layout");
    await page.getByTestId("undo").click();
    await page.getByTestId("fit-view").click(); // the old spot may be off screen (and culled) after the layout's fit
    await expect.poll(async () => overlaps(await boxes()).length).toBeGreaterThan(0);
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  });
  test("in Chinese: palette, toolbar and the packet path explainer", async ({ page, context, baseURL, request, uniqueName }, testInfo) => {
    const problems = watchConsole(page);
    await context.addCookies([{ name: "NEXT_LOCALE", value: "zh", url: baseURL! }]);
    const { id } = await seed(request, uniqueName("zh"), knownTopology);
    await openEditor(page, id);
    await expect(page.getByTestId("palette")).toContainText("调度器");
    await expect(page.getByTestId("save")).toHaveText("保存");
    await selectEdge(page, "m-3");
    await expect(page.getByTestId("packet-path")).toContainText("数据包路径");
    await expect(page.getByTestId("packet-hop-2")).toContainText("应答经网关 10.0.0.2 返回调度器");
    await selectEdge(page, "m-1");
    await expect(page.getByTestId("packet-hop-1")).toContainText("帧：10.0.0.2 所在接口的 MAC → 10.0.0.7 的 MAC");
    await shot(page, testInfo, "zh-packet-path");
    expect(problems).toEqual([]);
  });
});
