import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { BIN } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

/**
 * The web UI in a real browser (Debian's chromium driven by playwright-core)
 * against the real `rosarchive demo`: simulated routers, the real service,
 * commits arriving every few seconds. No timed assertions: every wait is
 * bounded polling with a generous limit.
 */

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(REPO_ROOT, "test-output/screenshots");
const GIT_ENV = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
const FAKE_PIN = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

interface HistoryEntry {
  commit: string;
  time: string;
  trigger: string;
  routeros_version: string;
  summary: string;
  sections: Array<{ section: string; added: number; removed: number }>;
}

/** A page element as the callbacks of evaluateAll see it (this project compiles without the DOM lib). */
type AnyEl = { dataset: Record<string, string> };

/**
 * Inside page.evaluate callbacks (which run in the page, not here) the
 * browser's globals are reached as `(globalThis as any)`: this project
 * compiles without the DOM lib.
 */

/** rgb(a) text → [r, g, b]. */
function rgb(css: string | null): [number, number, number] {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css ?? "");
  assert.ok(m, `a color: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

describe("web UI in chromium against the demo", function () {
  this.timeout(180_000);

  let demo: ChildProcessWithoutNullStreams | null = null;
  let demoExited: Promise<unknown> = Promise.resolve();
  let demoOut = "";
  let demoErr = "";
  let browser: Browser | null = null;
  let base = "";
  let viewerToken = "";
  let adminToken = "";
  let admin: BrowserContext;
  let page: Page;
  /** Every URL the admin's browser asked for: a token must never be in one. */
  const requested: string[] = [];
  /** Script errors and CSP violations in the admin's page. */
  const problems: string[] = [];

  // Registered before tempDir's own after(): the demo stops before its directory goes.
  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill("SIGINT");
      const late = new Promise<"late">((r) => setTimeout(() => r("late"), 10_000).unref());
      if ((await Promise.race([demoExited, late])) === "late") demo.kill("SIGKILL");
    }
  });
  const dir = path.join(tempDir(), "demo-data");

  const api = async (token: string, url: string, init: RequestInit = {}) => fetch(`${base}${url}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const history = async (device: string, limit = 50): Promise<HistoryEntry[]> => {
    const res = await api(viewerToken, `/api/v1/tenants/demo/devices/${device}/history?limit=${limit}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { entries: HistoryEntry[] }).entries;
  };

  async function signIn(p: Page, token: string, tenant = "demo"): Promise<void> {
    await p.goto(`${base}/`);
    await p.getByLabel("Tenant").fill(tenant);
    await p.getByLabel("API token").fill(token);
    await p.getByRole("button", { name: "Sign in" }).click();
  }

  async function newContext(): Promise<BrowserContext> {
    const ctx = await browser!.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, locale: "en-US", timezoneId: "UTC" });
    ctx.setDefaultTimeout(60_000);
    return ctx;
  }

  before(async function () {
    // The setup: install Debian's chromium when it is missing and we may (root with apt), as .ci/run does.
    if (!existsSync(CHROMIUM) && process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
      this.timeout(900_000);
      execFileSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    }
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the web UI tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
    }
    demo = spawn(process.execPath, [BIN, "demo", "--devices", "4", "--port", "0", "--dir", dir, "--change-every", "1", "--interval", "1s"], { cwd: path.dirname(dir), env: { ...process.env, ...GIT_ENV } });
    demoExited = new Promise((r) => demo!.on("exit", r));
    demo.stdout.on("data", (c) => (demoOut += c));
    demo.stderr.on("data", (c) => (demoErr += c));
    await until("the demo's printed block", 60_000, () => {
      if (demo!.exitCode !== null) throw new Error(`demo exited ${demo!.exitCode}: ${demoErr}`);
      return demoOut.includes("Ctrl-C stops the demo") ? true : undefined;
    });
    base = new URL(/^\s*API\s+(\S+)$/m.exec(demoOut)![1]!).origin;
    viewerToken = /^\s*viewer token\s+(\S+)$/m.exec(demoOut)![1]!;
    adminToken = /^\s*admin token\s+(\S+)$/m.exec(demoOut)![1]!;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    admin = await newContext();
    admin.on("request", (r) => requested.push(r.url()));
    page = await admin.newPage();
    page.on("pageerror", (e) => problems.push(e.message));
    // A CSP violation would show up as a console error: the page must run under default-src 'self'.
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });

    // Every device archived at least once, router-01 with a few changes.
    await until("a snapshot of every device", 90_000, async () => {
      const res = await api(viewerToken, "/api/v1/tenants/demo/devices");
      const body = (await res.json()) as { devices: Array<{ status: string }> };
      return body.devices.length === 4 && body.devices.every((d) => d.status === "ok") ? true : undefined;
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    console.log(`      screenshots: ${SCREENSHOTS}`);
  });

  it("serves the page, its script and style with strict headers, and leaves every other path to the API", async function () {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html; charset=utf-8$/);
    assert.match(res.headers.get("content-security-policy")!, /^default-src 'self'(;|$)/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    const html = await res.text();
    assert.match(html, /<meta name="viewport"/);
    assert.doesNotMatch(html, /https?:\/\//, "no CDN, no external font: everything from this origin");
    for (const [file, type] of [["app.js", /^text\/javascript/], ["style.css", /^text\/css/]] as const) {
      const r = await fetch(`${base}/ui/${file}`);
      assert.equal(r.status, 200, file);
      assert.match(r.headers.get("content-type")!, type);
      assert.equal(r.headers.get("x-content-type-options"), "nosniff");
      const body = await r.text();
      assert.doesNotMatch(body, /https?:\/\/(?!www\.w3\.org)/, `${file} loads nothing from elsewhere`);
      if (file === "app.js") {
        assert.doesNotMatch(body, /\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=/, "data never parsed as HTML");
        assert.doesNotMatch(body, /localStorage|document\.cookie/, "the token is kept in sessionStorage only");
      }
    }
    // Not shadowed: unknown assets and routes are the API's JSON 404; the API still needs its token.
    for (const p of ["/ui/nope.js", "/nope", "/api/v1/nope"]) {
      const r = await fetch(`${base}${p}`);
      assert.equal(r.status, 404, p);
      assert.deepEqual(await r.json(), { error: { code: "not_found", message: "not found" } });
    }
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/tenants/demo/devices`)).status, 401);
  });

  it("refuses a wrong token with a clear message and stores nothing", async function () {
    const ctx = await newContext();
    try {
      const p = await ctx.newPage();
      await signIn(p, "ra_not-a-real-token");
      await until("the sign-in error", 30_000, async () => ((await p.locator("#signin-error").textContent())?.includes("not accepted") ? true : undefined));
      assert.equal(await p.locator("table.fleet").count(), 0);
      // A real token with a tenant it does not belong to: the uniform 404, said plainly.
      // By keyboard this time: Enter in the token field submits.
      await p.getByLabel("Tenant").fill("other");
      await p.getByLabel("API token").fill(viewerToken);
      await p.getByLabel("API token").press("Enter");
      await until("the tenant error", 30_000, async () => ((await p.locator("#signin-error").textContent())?.includes('no access to a tenant named "other"') ? true : undefined));
      const stored = await p.evaluate(() => ({ session: (globalThis as any).sessionStorage.length, local: (globalThis as any).localStorage.length, cookie: (globalThis as any).document.cookie }));
      assert.deepEqual(stored, { session: 0, local: 0, cookie: "" });
    } finally {
      await ctx.close();
    }
  });

  it("signs in and shows every device with its state, filtered by group and by state", async function () {
    await signIn(page, adminToken);
    const rows = page.locator("table.fleet tbody tr");
    await until("four device rows", 30_000, async () => ((await rows.count()) === 4 ? true : undefined));
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => (tr as AnyEl).dataset.device)), ["router-01", "router-02", "router-03", "router-04"]);
    for (const id of ["router-01", "router-02", "router-03", "router-04"]) {
      const row = page.locator(`tr[data-device="${id}"]`);
      assert.equal(await row.locator(".badge").textContent(), "ok");
      assert.match((await row.locator('td[data-label="RouterOS"]').textContent())!, /^\d+\.\d+/, "RouterOS version");
      assert.equal(await row.getByRole("button", { name: `Back up ${id} now` }).count(), 1);
    }
    // The token: in this tab's sessionStorage only, never in a URL, a cookie or localStorage.
    const stored = await page.evaluate(() => ({ session: (globalThis as any).sessionStorage.getItem("rosarchive.session") as string | null, local: (globalThis as any).localStorage.length as number, cookie: (globalThis as any).document.cookie as string }));
    assert.ok(stored.session?.includes(adminToken));
    assert.equal(stored.local, 0);
    assert.equal(stored.cookie, "");
    assert.deepEqual(await admin.cookies(), []);
    assert.ok(!page.url().includes(adminToken));
    assert.equal(await page.locator("#live").getAttribute("data-state"), "on", "the event stream is connected");

    await page.getByLabel("Group").selectOption("ams");
    await until("only the ams devices", 30_000, async () => {
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => (tr as AnyEl).dataset.device));
      return ids.join() === "router-02,router-04" ? true : undefined;
    });
    await page.getByLabel("Group").selectOption("");
    await page.getByLabel("State", { exact: true }).selectOption("failing");
    await until("no failing device", 30_000, async () => ((await rows.count()) === 0 && (await page.locator(".empty").textContent())?.includes("No device matches") ? true : undefined));
    await page.getByLabel("State", { exact: true }).selectOption("ok");
    await until("the ok devices", 30_000, async () => ((await rows.count()) === 4 ? true : undefined));
    await page.getByLabel("State", { exact: true }).selectOption("");
    await page.screenshot({ path: path.join(SCREENSHOTS, "fleet.png"), fullPage: true, animations: "disabled" });
  });

  it("backs up a device from the fleet page and shows the resulting commit", async function () {
    const row = page.locator('tr[data-device="router-01"]');
    const result = row.locator(".backup-result");
    // The demo's own schedule may be collecting this device right now (409 busy): press again then.
    const text = await until("a backup result", 60_000, async () => {
      await row.getByRole("button", { name: "Back up router-01 now" }).click();
      const t = await until("the result", 30_000, async () => {
        const cls = (await result.getAttribute("class")) ?? "";
        return /is-(ok|error)/.test(cls) ? (await result.textContent())! : undefined;
      });
      return /already running/.test(t) ? undefined : t;
    });
    assert.match(text, /^(Changed: new commit|Unchanged: still commit) [0-9a-f]{10}$/);
    const commit = text.slice(-10);
    const entries = await history("router-01");
    assert.ok(entries.some((e) => e.commit.startsWith(commit)), "the commit shown is in the device's history");
  });

  it("tells a viewer clearly that backing up needs a higher role", async function () {
    const ctx = await newContext();
    try {
      const p = await ctx.newPage();
      await signIn(p, viewerToken);
      const row = p.locator('tr[data-device="router-02"]');
      // Keyboard only: a real button, reached by focus and pressed with Enter.
      await row.getByRole("button", { name: "Back up router-02 now" }).focus();
      await p.keyboard.press("Enter");
      const msg = await until("the refusal", 30_000, async () => {
        const el = row.locator(".backup-result.is-error");
        return (await el.count()) ? (await el.textContent())! : undefined;
      });
      assert.match(msg, /Not allowed: backing up needs an operator or admin token\. You are signed in with a viewer token\./);
    } finally {
      await ctx.close();
    }
  });

  // The demo backs a device up every second, so the table refreshes every few seconds under the user's keyboard.
  it("keeps keyboard focus on a row's button while live updates refresh the table", async function () {
    const ctx = await newContext();
    try {
      const p = await ctx.newPage();
      await signIn(p, viewerToken);
      const btn = p.locator('tr[data-device="router-03"]').getByRole("button", { name: "Back up router-03 now" });
      await btn.focus();
      let refreshes = 0;
      p.on("response", (r) => {
        if (/\/api\/v1\/tenants\/demo\/devices\?/.test(r.url())) refreshes++;
      });
      // Each refresh starts only after the one before it was drawn: after three, two have been drawn.
      await until("three fleet refreshes", 60_000, () => (refreshes >= 3 ? true : undefined));
      assert.equal(await p.evaluate(() => {
        const active = (globalThis as any).document.activeElement;
        return (active?.getAttribute("aria-label") ?? active?.tagName) as string;
      }), "Back up router-03 now");
    } finally {
      await ctx.close();
    }
  });

  it("shows a device's timeline and a colored diff with its sections", async function () {
    await until("router-01 with a few versions", 90_000, async () => ((await history("router-01")).length >= 4 ? true : undefined));
    await page.getByRole("link", { name: "router-01" }).click();
    assert.match(page.url(), /#\/devices\/router-01$/);
    const entries = page.locator("ol.timeline > li.entry");
    await until("timeline entries", 30_000, async () => ((await entries.count()) >= 4 ? true : undefined));
    // Each entry: trigger, RouterOS version, the sections it changed with counts.
    const first = entries.first();
    assert.match((await first.locator(".badge.trigger").textContent())!, /^(scheduled|manual)$/);
    assert.equal(await first.locator(".ver").textContent(), "RouterOS 6.43.8");
    assert.ok((await page.locator("ol.timeline .sections li .section-name", { hasText: "/ip firewall filter" }).count()) > 0);
    assert.match((await page.locator("ol.timeline .sections li .counts").first().textContent())!, /^\+\d+ −\d+$/);

    // The newest change is shown: added lines green, hunk headers blue, sections named.
    const diff = page.locator("#diff");
    await until("a rendered diff", 30_000, async () => ((await diff.locator(".dl.add").count()) > 0 ? true : undefined));
    assert.ok((await diff.locator(".dl.add .tx", { hasText: /add action=accept chain=input comment="demo change \d+"/ }).count()) > 0);
    const colors = await page.evaluate(() => {
      const w = globalThis as any;
      const bg = (sel: string): string | null => {
        const el = w.document.querySelector(sel);
        return el ? w.getComputedStyle(el).backgroundColor : null;
      };
      const fg = (sel: string): string | null => {
        const el = w.document.querySelector(sel);
        return el ? w.getComputedStyle(el).color : null;
      };
      return { add: bg("#diff .dl.add"), addText: fg("#diff .dl.add"), hunk: bg("#diff .dl.hunk-head"), hunkText: fg("#diff .dl.hunk-head"), ctx: bg("#diff .dl.ctx") };
    });
    const [ar, ag, ab] = rgb(colors.add);
    assert.ok(ag > ar && ag > ab, `added lines are green: ${colors.add}`);
    const [atr, atg] = rgb(colors.addText);
    assert.ok(atg > atr, `added text is green: ${colors.addText}`);
    const [hr, , hb] = rgb(colors.hunk);
    assert.ok(hb > hr, `hunk headers are blue: ${colors.hunk}`);
    const [htr, , htb] = rgb(colors.hunkText);
    assert.ok(htb > htr + 50, `hunk header text is blue: ${colors.hunkText}`);
    assert.ok(await diff.locator(".dl.hunk-head .section-chip", { hasText: "/ip firewall filter" }).count(), "the hunk names its section");
    assert.ok(await page.locator(".section-summary .section-name", { hasText: "/ip firewall filter" }).count(), "the diff lists its sections");
    await page.screenshot({ path: path.join(SCREENSHOTS, "device.png"), fullPage: true, animations: "disabled" });
    await page.locator(".diff-card").screenshot({ path: path.join(SCREENSHOTS, "diff.png"), animations: "disabled" });
  });

  it("compares any two versions: newest back to an older one shows the removed lines in red", async function () {
    const commits = await page.locator("ol.timeline > li.entry").evaluateAll((lis) => lis.map((li) => (li as AnyEl).dataset.commit!));
    const newest = commits[0]!;
    const older = commits[commits.length - 1]!;
    await page.getByLabel("From", { exact: true }).selectOption(newest);
    await page.getByLabel("To", { exact: true }).selectOption(older);
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    const diff = page.locator("#diff");
    await until("the reverse diff", 30_000, async () => ((await diff.locator(".dl.del").count()) > 0 ? true : undefined));
    assert.ok((await diff.locator(".dl.del").count()) > (await diff.locator(".dl.add").count()), "the demo mostly adds lines, so going back mostly removes");
    const range = (await page.locator(".diff-range").textContent())!;
    assert.ok(range.includes(newest.slice(0, 10)) && range.includes(older.slice(0, 10)), range);
    const del: string = await page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.querySelector("#diff .dl.del")).backgroundColor);
    const [r, g, b] = rgb(del);
    assert.ok(r > g && r > b, `removed lines are red: ${del}`);
    assert.equal(await page.locator(`ol.timeline > li.entry.selected`).getAttribute("data-commit"), older, "the timeline marks the version shown");
  });

  it("pages older versions in with the before cursor", async function () {
    await until("router-01 with more than 10 versions", 120_000, async () => ((await history("router-01")).length > 12 ? true : undefined));
    const entries = page.locator("ol.timeline > li.entry");
    await page.getByLabel("Per page").selectOption("10");
    await until("a page of 10", 30_000, async () => ((await entries.count()) === 10 ? true : undefined));
    const firstPage = await entries.evaluateAll((lis) => lis.map((li) => (li as AnyEl).dataset.commit!));
    const older = page.getByRole("button", { name: "Older versions" });
    assert.ok(await older.isVisible());
    const asked = page.waitForRequest((r) => r.url().includes(`/history?limit=10&before=${firstPage[9]}`));
    await older.click();
    await asked;
    await until("the next page", 30_000, async () => ((await entries.count()) > 10 ? true : undefined));
    const all = await entries.evaluateAll((lis) => lis.map((li) => (li as AnyEl).dataset.commit!));
    // The first page stays as it was, the older page follows it (live commits may have gone on top meanwhile).
    const at = all.indexOf(firstPage[0]!);
    assert.ok(at >= 0);
    assert.deepEqual(all.slice(at, at + 10), firstPage);
    assert.ok(all.length > at + 10, "older versions below the first page");
    assert.equal(new Set(all).size, all.length, "no version twice");
    const api = (await history("router-01", 200)).map((e) => e.commit);
    // Same order as the API's history (new commits may have been prepended live meanwhile).
    const from = api.indexOf(all[0]!);
    assert.deepEqual(api.slice(from, from + all.length), all);
  });

  it("downloads a version as .rsc: the archived, sealed file with no plaintext secret", async function () {
    const entry = page.locator("ol.timeline > li.entry").first();
    const commit = (await entry.getAttribute("data-commit"))!;
    const [download] = await Promise.all([page.waitForEvent("download"), entry.getByRole("button", { name: /Download version .* as \.rsc/ }).click()]);
    assert.match(download.suggestedFilename(), /^router-01-\d{8}T\d{6}Z\.rsc$/);
    const file = readFileSync((await download.path())!, "utf8");
    assert.match(file, /^# RouterOS 6\.43\.8\n/, "starts like a RouterOS export");
    assert.match(file, /^\/ip firewall filter$/m);
    assert.match(file, /^\/system identity$/m);
    // Sealed: the fixture's SNMP community and the demo's rotated passwords only as age: values.
    assert.match(file, /trap-community=age:[A-Za-z0-9_-]+/);
    assert.doesNotMatch(file, /trap-community=public/);
    assert.doesNotMatch(file, /demo-secret-/);
    for (const m of file.matchAll(/(?:^|\s)(password|secret|trap-community|wpa2?-pre-shared-key|passphrase)=(\S+)/g)) {
      assert.ok(m[2] === '""' || m[2]!.startsWith("age:"), `sealed or empty: ${m[0].trim().slice(0, 60)}`);
    }
    // Byte for byte what the API serves for that version.
    const res = await api(viewerToken, `/api/v1/tenants/demo/devices/router-01/config?at=${commit}`);
    assert.equal(file, await res.text());
  });

  it("shows new commits live, without a reload: the device's timeline and the fleet row", async function () {
    await page.evaluate(() => ((globalThis as any).sameDocument = true));
    const entries = page.locator("ol.timeline > li.entry");
    const top = await entries.first().getAttribute("data-commit");
    const fresh = await until("a new commit on top of the timeline", 90_000, async () => {
      const c = await entries.first().getAttribute("data-commit");
      return c && c !== top ? c : undefined;
    });
    assert.match(fresh, /^[0-9a-f]{40}$/);
    assert.ok((await entries.first().getAttribute("class"))!.includes("fresh"), "marked as new");
    assert.ok((await history("router-01")).some((e) => e.commit === fresh));

    await page.getByRole("link", { name: "Fleet", exact: true }).click();
    const cell = page.locator('tr[data-device="router-03"] td[data-label="Last change"]').locator("code");
    const before = await until("router-03's last change", 30_000, async () => (await cell.count()) ? (await cell.textContent())! : undefined);
    await until("router-03's row updated live", 90_000, async () => {
      const now = await cell.textContent();
      return now && now !== before ? true : undefined;
    });
    assert.equal(await page.evaluate(() => (globalThis as any).sameDocument as boolean | undefined), true, "no reload happened");
    // The stream is read with the token in a header; no URL ever carried a token.
    assert.ok(requested.some((u) => u.endsWith("/api/v1/tenants/demo/events")));
    for (const u of requested) assert.ok(!u.includes(adminToken) && !u.includes(viewerToken), u);
  });

  it("shows a blocked device's expected and presented host keys, and an admin accepts the new key", async function () {
    // A wrong pin in router-04's state file: its next run meets the real key and blocks.
    const stateFile = path.join(dir, "state/devices/demo/router-04.json");
    const real = await until("router-04 blocked", 60_000, async () => {
      const s = JSON.parse(readFileSync(stateFile, "utf8")) as { status: string; host_key: string | null; presented_host_key: string | null };
      if (s.status === "blocked") return s.presented_host_key!;
      if (s.host_key !== FAKE_PIN) {
        writeFileSync(`${stateFile}.ui-test`, JSON.stringify({ ...s, host_key: FAKE_PIN }));
        renameSync(`${stateFile}.ui-test`, stateFile);
      }
      return undefined;
    });
    assert.match(real, /^SHA256:/);
    const row = page.locator('tr[data-device="router-04"]');
    await until("the blocked row, live", 60_000, async () => ((await row.locator(".badge").textContent()) === "blocked" ? true : undefined));
    assert.equal(await row.locator(".reason").textContent(), "host key changed");

    await row.getByRole("link", { name: "router-04" }).click();
    const card = page.locator(".alert-card");
    // The card first shows what the fleet list knows; the fingerprints come with the device's own answer.
    await until("the blocked card with the presented key", 30_000, async () => ((await card.count()) && (await page.locator("#fp-presented").textContent()) !== "—" ? true : undefined));
    assert.equal(await page.locator("#fp-expected").textContent(), FAKE_PIN);
    assert.equal(await page.locator("#fp-presented").textContent(), real);
    await page.getByRole("button", { name: "Accept new key…" }).click();
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/devices/router-04/host-key/accept")), page.getByRole("button", { name: "Yes, pin the presented key" }).click()]);
    assert.equal(answer.status(), 200);
    assert.deepEqual(JSON.parse(answer.request().postData()!), { fingerprint: real }, "the page sends the fingerprint it showed");
    // Exactly the key shown was pinned; the backup the accept started confirms it and the page follows the events.
    await until("router-04 ok again", 60_000, async () => ((await page.locator(".head-badge .badge").textContent()) === "ok" ? true : undefined));
    const res = await api(viewerToken, "/api/v1/tenants/demo/devices/router-04");
    assert.equal(((await res.json()) as { host_key: string }).host_key, real);
  });

  it("signs out and forgets the token", async function () {
    await page.getByRole("button", { name: "Sign out" }).click();
    await until("the sign-in form", 30_000, async () => ((await page.getByLabel("API token").count()) ? true : undefined));
    assert.equal(await page.evaluate(() => (globalThis as any).sessionStorage.length as number), 0);
    await page.reload();
    assert.equal(await page.getByLabel("API token").count(), 1, "a reload does not sign back in");
  });

  it("ran the admin's page without a script error or a CSP violation", function () {
    assert.deepEqual(problems, []);
  });
});
