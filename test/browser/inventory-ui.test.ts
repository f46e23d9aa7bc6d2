import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { readConfigFile } from "../../src/cli/load.js";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { generateIdentityPair } from "../../src/seal/index.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(REPO_ROOT, "test-output/screenshots");
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/**
 * The fleet page's inventory columns and filters, a retired device, and the
 * admin's inventory sources page with a refused removal confirmed in the
 * browser: a real service (devices disabled, nothing is collected), Debian's
 * chromium through playwright-core. Every wait is bounded polling.
 */
describe("web UI: inventory sources, sites and retired devices in chromium", function () {
  this.timeout(180_000);
  let service: RunningService;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let dir: string;
  const admin = randomBytes(18).toString("base64url");
  const viewer = randomBytes(18).toString("base64url");
  const problems: string[] = [];
  const csv = (ids: number[]) => `id,host,group,site\n${ids.map((i) => `r${i},192.0.2.${i + 1},${i < 5 ? "core" : ""},${i % 2 ? "ams" : "fra"}`).join("\n")}\n`;
  const writeCsv = (ids: number[]) => writeFileSync(path.join(dir, "routers.csv"), csv(ids));
  const api = async (p: string) => (await fetch(`${service.url}/api/v1/tenants/acme${p}`, { headers: { authorization: `Bearer ${admin}` } })).json() as Promise<any>;

  before(async () => {
    dir = tempDir("rosarchive-inventory-ui-");
    const pair = await generateIdentityPair();
    writeCsv([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const configFile = path.join(dir, "config.yaml");
    writeFileSync(
      configFile,
      `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption: { recipients: [${pair.recipient}] }
defaults: { password_env: ROUTER_PASSWORD }
tenants:
  acme:
    defaults: { enabled: false }
    inventory:
      - { type: file, name: cmdb, path: ./routers.csv, interval: 1h }
    tokens:
      - { name: admin, role: admin, sha256: "${sha(admin)}" }
      - { name: noc, role: viewer, sha256: "${sha(viewer)}" }
`,
    );
    service = await startService(readConfigFile(configFile), {}, { log: silentLogger() });
    await service.inventory.service.sync("acme", "cmdb");
    // r9 has a snapshot, then leaves the file (1 of 10: within max_removal) and is retired.
    const r9 = service.ctx.config().tenants.get("acme")!.deviceById.get("r9")!;
    await importExport(service.ctx, r9, path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), Date.parse("2026-01-02T03:04:05Z"));
    writeCsv([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(await service.inventory.service.sync("acme", "cmdb"), "changed");
    await until("r9 retired", 30_000, async () => ((await api("/devices?state=retired")).devices.length === 1 ? true : undefined));
    // Then an export gone wrong: 5 of 9 would go, refused.
    writeCsv([0, 1, 2, 3]);
    assert.equal(await service.inventory.service.sync("acme", "cmdb"), "refused");

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US", timezoneId: "UTC" });
    ctx.setDefaultTimeout(60_000);
    page = await ctx.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 40[34]/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await service?.close();
  });

  const signIn = async (p: Page, token: string) => {
    await p.goto(`${service.url}/`);
    await p.getByLabel("Tenant").fill("acme");
    await p.getByLabel("API token").fill(token);
    await p.getByRole("button", { name: "Sign in" }).click();
  };
  const rowIds = (p: Page) => p.locator("table.fleet tbody tr").evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset.device));

  it("the fleet shows site and source columns, filters by site, and shows retired devices only under their filter", async () => {
    await signIn(page, admin);
    await until("the fleet table", 30_000, async () => ((await rowIds(page)).length === 9 ? true : undefined));
    const headers = await page.locator("table.fleet thead th").allTextContents();
    assert.deepEqual(headers.slice(0, 4), ["Device", "State", "Site", "Source"]);
    assert.equal(await page.locator('tr[data-device="r0"] td[data-label="Site"]').textContent(), "fra");
    assert.equal(await page.locator('tr[data-device="r0"] td[data-label="Source"]').textContent(), "cmdb");
    await page.selectOption("#filter-site", "ams");
    await until("the ams devices", 10_000, async () => ((await rowIds(page)).join() === "r1,r3,r5,r7" ? true : undefined));
    await page.selectOption("#filter-site", "");
    await page.selectOption("#filter-state", "retired");
    await until("the retired filter", 10_000, async () => ((await rowIds(page)).join() === "r9" ? true : undefined));
    assert.equal((await page.locator('tr[data-device="r9"] .badge').textContent())?.trim(), "retired");
    assert.equal(await page.locator('tr[data-device="r9"] button').isVisible(), false);
    await page.screenshot({ path: path.join(SCREENSHOTS, "inventory-fleet-retired.png"), fullPage: true });
  });

  it("a retired device's page shows its retirement and its history with the retire commit", async () => {
    await page.locator('tr[data-device="r9"] a.device-link').click();
    await until("the retired device page", 30_000, async () => ((await page.locator("dl.facts").textContent())?.includes("Retired") ? true : undefined));
    assert.equal(await page.getByRole("button", { name: "Back up now" }).isVisible(), false);
    await until("the retire entry in the timeline", 30_000, async () => ((await page.locator("#view").textContent())?.includes("retired from inventory") ? true : undefined));
    await page.screenshot({ path: path.join(SCREENSHOTS, "inventory-retired-device.png"), fullPage: true });
  });

  it("the admin's sources page shows the refused removal; confirming it in two clicks applies it", async () => {
    await page.goto(`${service.url}/#/sources`);
    const card = page.locator('section.source-card[data-source="cmdb"]');
    await until("the source card", 30_000, async () => ((await card.locator(".badge").textContent())?.trim() === "refused" ? true : undefined));
    assert.match((await card.textContent()) ?? "", /would remove 5 of 9 devices/);
    assert.deepEqual(await card.locator(".removal-list li").allTextContents(), ["r4", "r5", "r6", "r7", "r8"]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "inventory-sources-refused.png"), fullPage: true });
    const btn = card.getByRole("button", { name: /Confirm removal of 5 devices/ });
    await btn.click();
    assert.equal((await api("/devices")).devices.length, 9); // the first click only asks
    await card.getByRole("button", { name: /Really retire 5 devices/ }).click();
    await until("the source ok", 30_000, async () => ((await card.locator(".badge").textContent())?.trim() === "ok" ? true : undefined));
    assert.equal((await api("/devices")).devices.length, 4);
    const audit = await api("/audit?limit=10");
    assert.equal(audit.entries.find((e: any) => e.action === "inventory.confirmed")?.actor, "admin");
  });

  it("a viewer is told the sources page needs an admin; no script error or CSP violation anywhere", async () => {
    const other = await ctx.browser()!.newContext({ viewport: { width: 1200, height: 800 } });
    const p = await other.newPage();
    await signIn(p, viewer);
    await until("the fleet", 30_000, async () => ((await rowIds(p)).length === 4 ? true : undefined));
    await p.goto(`${service.url}/#/sources`);
    await until("the refusal", 30_000, async () => ((await p.locator("#view .notice-error").textContent())?.includes("needs an admin token") ? true : undefined));
    await other.close();
    assert.deepEqual(problems, []);
  });
});
