import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { readConfigFile } from "../../src/cli/load.js";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { silentLogger } from "../../src/observe/index.js";
import { generateIdentityPair } from "../../src/seal/index.js";
import { INITIAL_STATE } from "../../src/store/index.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const CHROMIUM = "/usr/bin/chromium";
const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const N = 300;
const id = (i: number) => `sw-${String(i).padStart(3, "0")}`;

/**
 * The fleet page of a tenant larger than one page: the server pages and
 * filters, the page loads more as it is scrolled, and every device is
 * reachable. A real service (devices disabled: nothing is collected),
 * Debian's chromium through playwright-core; every wait is bounded polling.
 */
describe("web UI: a fleet of a few hundred devices, paged", function () {
  this.timeout(180_000);
  let service: RunningService;
  let browser: Browser;
  let page: Page;
  const token = randomBytes(18).toString("base64url");
  const problems: string[] = [];
  const rowIds = () => page.locator("table.fleet tbody tr").evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset.device!));

  before(async () => {
    const dir = tempDir("rosarchive-fleet-paging-");
    const pair = await generateIdentityPair();
    const lines = [`listen: 127.0.0.1:0`, `data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `encryption: { recipients: [${pair.recipient}] }`, "defaults: { password: not-used }", "tenants:", "  acme:", "    defaults: { enabled: false }"];
    lines.push("    tokens:", `      - { name: noc, role: viewer, sha256: "${sha(token)}" }`, "    devices:");
    // Listed out of id order, every third without a group.
    for (let k = 0; k < N; k++) {
      const i = (k * 7) % N;
      lines.push(`      - { id: ${id(i)}, host: 192.0.2.${i % 250}${i % 3 === 0 ? "" : `, group: g${i % 3}`} }`);
    }
    writeFileSync(path.join(dir, "config.yaml"), `${lines.join("\n")}\n`);
    service = await startService(readConfigFile(path.join(dir, "config.yaml")), {}, { log: silentLogger() });
    for (let i = 0; i < N; i += 10) await service.ctx.states.put("acme", id(i), { ...INITIAL_STATE, status: "ok", last_success: "2026-01-01T00:00:00Z" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US", timezoneId: "UTC" });
    ctx.setDefaultTimeout(60_000);
    page = await ctx.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await service?.close();
  });

  it("shows the first page at once, then every device exactly once as the list is scrolled", async () => {
    await page.goto(`${service.url}/`);
    await page.getByLabel("Tenant").fill("acme");
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await until("the first page", 30_000, async () => ((await rowIds()).length > 0 ? true : undefined));
    const first = await rowIds();
    assert.ok(first.length < N, `a page, not the whole fleet (${first.length})`);
    assert.deepEqual(first, Array.from({ length: first.length }, (_, i) => id(i)), "in id order");
    assert.match((await page.locator(".page-head p").textContent())!, new RegExp(`^${N} devices in tenant acme`));
    assert.equal(await page.locator(".tile-ok .tile-n").textContent(), String(N / 10), "the tiles count the whole tenant");
    // Scrolling to the end of the list loads the rest.
    const all = await until("every device, scrolled to", 60_000, async () => {
      await page.mouse.wheel(0, 20_000);
      const ids = await rowIds();
      return ids.length === N ? ids : undefined;
    });
    assert.deepEqual(all, Array.from({ length: N }, (_, i) => id(i)));
    assert.equal(await page.locator("#fleet-more").isVisible(), false, "nothing more to load");
  });

  it("filters on the server as the search is typed, and by group, and shows the whole fleet again when cleared", async () => {
    await page.locator("#filter-q").pressSequentially("sw-2");
    // 100 match: the first page, then the rest as the list is scrolled.
    await until("the devices matching sw-2", 30_000, async () => {
      await page.mouse.wheel(0, 20_000);
      return (await rowIds()).join() === Array.from({ length: 100 }, (_, i) => id(200 + i)).join() ? true : undefined;
    });
    assert.match((await page.locator(".page-head p").textContent())!, /100 shown/);
    await page.locator("#filter-q").pressSequentially("9");
    await until("the devices matching sw-29", 30_000, async () => ((await rowIds()).join() === Array.from({ length: 10 }, (_, i) => id(290 + i)).join() ? true : undefined));
    await page.getByLabel("Group").selectOption("(none)");
    await until("sw-29x without a group", 30_000, async () => ((await rowIds()).join() === "sw-291,sw-294,sw-297" ? true : undefined));
    await page.getByLabel("Group").selectOption("");
    await page.locator("#filter-q").fill("");
    await until("the first page again", 30_000, async () => {
      const ids = await rowIds();
      return ids.length > 0 && ids[0] === id(0) && !(await page.locator(".page-head p").textContent())!.includes("shown") ? true : undefined;
    });
    assert.deepEqual(problems, []);
  });
});
