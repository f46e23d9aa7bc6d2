import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { usableKeyPair, type Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(REPO_ROOT, "test-output/screenshots");
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/**
 * The admin's way out of a block, in the browser: a device that refuses the
 * login offers "Unblock", and "Accept new key" sends the fingerprint it shows,
 * against a real service and simulated routers whose password and host key
 * the test changes.
 */
describe("web UI: unblock a refused login, accept exactly the key shown", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let svc: RunningService;
  let browser: Browser | null = null;
  let page: Page;
  const admin = randomBytes(18).toString("base64url");
  const viewer = randomBytes(18).toString("base64url");
  const problems: string[] = [];
  const posted: Array<{ url: string; body: string | null }> = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the web UI tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
    sim = await startDevices(2);
    const dir = tempDir();
    const file = writeConfig(dir, {
      recipient: keygen(dir).recipient,
      devices: [0, 1].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: "schedule: { interval: 1d, connect_timeout: 3s, command_timeout: 3s, backoff: [1h] }",
      tenantExtra: `    tokens:\n      - { name: boss, role: admin, sha256: "${sha(admin)}" }\n      - { name: noc, role: viewer, sha256: "${sha(viewer)}" }\n`,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), { ROUTER_PASSWORD: TEST_PASSWORD }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    for (const d of ["dev-0", "dev-1"]) {
      const r = await fetch(`${svc.url}/api/v1/tenants/acme/devices/${d}/backup`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
      assert.equal(r.status, 201);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US", timezoneId: "UTC" });
    ctx.setDefaultTimeout(60_000);
    page = await ctx.newPage();
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (r) => {
      if (r.method() === "POST") posted.push({ url: r.url(), body: r.postData() });
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await svc?.close();
    await sim?.stop();
  });

  const backup = (d: string) => fetch(`${svc.url}/api/v1/tenants/acme/devices/${d}/backup`, { method: "POST", headers: { authorization: `Bearer ${admin}` } }).then((r) => r.status);
  const state = async (d: string) => (await (await fetch(`${svc.url}/api/v1/tenants/acme/devices/${d}`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as any;

  /** Signs in (when the page asks) and opens the device page, waiting for each step to show. */
  async function openDevice(token: string, d: string): Promise<void> {
    await page.goto(`${svc.url}/`);
    await until("the sign-in form or the fleet", 30_000, async () => ((await page.getByLabel("API token").count()) || (await page.locator("h1", { hasText: "Fleet" }).count()) ? true : undefined));
    if (await page.getByLabel("API token").count()) {
      await page.getByLabel("Tenant").fill("acme");
      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await until("the fleet", 30_000, async () => ((await page.locator("h1", { hasText: "Fleet" }).count()) ? true : undefined));
    }
    await page.goto(`${svc.url}/#/devices/${d}`);
    await page.reload();
    await until(`the page of ${d}`, 30_000, async () => ((await page.locator("h1", { hasText: d }).count()) ? true : undefined));
  }

  it("a device that refuses the login offers Unblock; a viewer is told it needs an admin; the admin's unblock retries the login", async function () {
    sim.setPassword("dev-1", "changed-on-the-router");
    assert.equal(await backup("dev-1"), 502);
    await openDevice(viewer, "dev-1");
    const card = page.locator(".alert-card");
    await until("the blocked card", 30_000, async () => ((await card.count()) ? true : undefined));
    assert.equal(await card.locator("h2").textContent(), "Blocked: the device refused the login");
    await page.getByRole("button", { name: "Unblock…" }).click();
    await page.getByRole("button", { name: "Yes, try the login again" }).click();
    await until("the viewer's refusal", 30_000, async () => ((await page.locator(".accept-result.is-error").textContent())?.includes("needs an admin token") ? true : undefined));
    assert.equal((await state("dev-1")).status, "blocked");

    await page.getByRole("button", { name: "Sign out" }).click();
    await until("the sign-in form", 30_000, async () => ((await page.getByLabel("API token").count()) ? true : undefined));
    await openDevice(admin, "dev-1");
    await until("the blocked card", 30_000, async () => ((await card.count()) ? true : undefined));
    sim.setPassword("dev-1", TEST_PASSWORD); // fixed on the router
    await page.getByRole("button", { name: "Unblock…" }).click();
    await page.screenshot({ path: path.join(SCREENSHOTS, "unblock-confirm.png") });
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/devices/dev-1/unblock")), page.getByRole("button", { name: "Yes, try the login again" }).click()]);
    assert.equal(answer.status(), 200);
    // The card says so until the backup it started lands (which may already have happened: the router answers fast).
    await until("unblocked", 30_000, async () => ((await page.locator(".accept-result.is-ok").count()) || (await page.locator(".head-badge .badge").textContent()) === "ok" ? true : undefined));
    await until("dev-1 ok again, shown live", 60_000, async () => ((await page.locator(".head-badge .badge").textContent()) === "ok" ? true : undefined));
  });

  it("Accept new key sends the fingerprint it shows; a key changed since is refused with the reason", async function () {
    const k2 = sim.setHostKey("dev-0", usableKeyPair().private);
    assert.equal(await backup("dev-0"), 502);
    await openDevice(admin, "dev-0");
    await until("the presented key", 30_000, async () => ((await page.locator("#fp-presented").textContent()) === k2 ? true : undefined));

    // The device changes its key again after the page showed k2 (and a backup saw it).
    const k3 = sim.setHostKey("dev-0", usableKeyPair().private);
    await svc.ctx.states.update("acme", "dev-0", (s) => ({ ...s, presented_host_key: k3 }));
    await page.getByRole("button", { name: "Accept new key…" }).click();
    await page.getByRole("button", { name: "Yes, pin the presented key" }).click();
    await until("the refusal", 30_000, async () => ((await page.locator(".accept-result.is-error").textContent())?.includes(k3) ? true : undefined));
    const sent = posted.filter((p) => p.url.endsWith("/devices/dev-0/host-key/accept"));
    assert.deepEqual(JSON.parse(sent.at(-1)!.body!), { fingerprint: k2 }, "the fingerprint the page showed");
    assert.equal((await state("dev-0")).status, "blocked", "nothing pinned");

    // Reloaded, the page shows k3; accepting pins k3 and the device recovers.
    await page.reload();
    await until("the new presented key", 30_000, async () => ((await page.locator("#fp-presented").textContent()) === k3 ? true : undefined));
    await page.getByRole("button", { name: "Accept new key…" }).click();
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/devices/dev-0/host-key/accept")), page.getByRole("button", { name: "Yes, pin the presented key" }).click()]);
    assert.equal(answer.status(), 200);
    assert.deepEqual(JSON.parse(posted.filter((p) => p.url.endsWith("/host-key/accept")).at(-1)!.body!), { fingerprint: k3 });
    await until("dev-0 ok with k3", 60_000, async () => {
      const s = await state("dev-0");
      return s.status === "ok" && s.host_key === k3 ? true : undefined;
    });
  });

  it("ran without a script error", () => {
    assert.deepEqual(problems, []);
  });
});
