import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { BIN } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

/**
 * The three "find across the fleet" additions of the web UI in a real
 * browser (Debian's chromium) against the real demo, whose config carries
 * two policy checks and compare ignore rules: the search box, the policy
 * column and filter on the fleet page, "Compare with…" on the device page.
 * Every expectation comes from the API, read independently; every wait is
 * bounded polling.
 */

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(REPO_ROOT, "test-output/screenshots");
const GIT_ENV = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

type AnyEl = { dataset: Record<string, string>; textContent: string | null };

interface PolicySummary {
  checks: number;
  passing: number;
  failing: number;
  pending: number;
  errors: number;
  worst: string | null;
  failed: Array<{ name: string }>;
}

describe("web UI: search, policy column and compare, in chromium against the demo", function () {
  this.timeout(240_000);

  let demo: ChildProcessWithoutNullStreams | null = null;
  let demoExited: Promise<unknown> = Promise.resolve();
  let demoOut = "";
  let demoErr = "";
  let browser: Browser | null = null;
  let base = "";
  let token = "";
  let page: Page;
  const problems: string[] = [];

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

  const api = async (url: string, accept = "application/json") => fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}`, accept } });
  const devices = async (): Promise<Array<{ id: string; policy: PolicySummary | null }>> => ((await (await api("/api/v1/tenants/demo/devices")).json()) as { devices: Array<{ id: string; policy: PolicySummary | null }> }).devices;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the web UI tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
    demo = spawn(process.execPath, [BIN, "demo", "--devices", "4", "--port", "0", "--dir", dir, "--change-every", "2", "--interval", "2s"], { cwd: path.dirname(dir), env: { ...process.env, ...GIT_ENV } });
    demoExited = new Promise((r) => demo!.on("exit", r));
    demo.stdout.on("data", (c) => (demoOut += c));
    demo.stderr.on("data", (c) => (demoErr += c));
    await until("the demo's printed block", 60_000, () => {
      if (demo!.exitCode !== null) throw new Error(`demo exited ${demo!.exitCode}: ${demoErr}`);
      return demoOut.includes("Ctrl-C stops the demo") ? true : undefined;
    });
    base = new URL(/^\s*API\s+(\S+)$/m.exec(demoOut)![1]!).origin;
    token = /^\s*viewer token\s+(\S+)$/m.exec(demoOut)![1]!;
    // Every device archived and its checks evaluated.
    await until("every device evaluated", 120_000, async () => {
      const list = await devices();
      return list.length === 4 && list.every((d) => d.policy && d.policy.pending === 0) ? true : undefined;
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US", timezoneId: "UTC" });
    ctx.setDefaultTimeout(60_000);
    page = await ctx.newPage();
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${base}/`);
    await page.getByLabel("Tenant").fill("demo");
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await until("four device rows", 60_000, async () => ((await page.locator("table.fleet tbody tr").count()) === 4 ? true : undefined));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  it("shows each device's policy in a column, as the API summarizes it", async function () {
    const expected = new Map((await devices()).map((d) => [d.id, d.policy!]));
    assert.ok([...expected.values()].some((p) => p.failing > 0), "the demo's fleet fails some checks (v6 exports with telnet on)");
    for (const [id, p] of expected) {
      const cell = page.locator(`tr[data-device="${id}"] td[data-label="Policy"]`);
      const text = await until(`${id}'s policy cell`, 60_000, async () => {
        const t = (await cell.textContent()) ?? "";
        return t.includes(p.failing > 0 ? `${p.failing} failing` : `${p.passing}/${p.checks} pass`) ? t : undefined;
      });
      for (const f of p.failed) assert.ok(text.includes(f.name), `${id}: ${text} names ${f.name}`);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, "fleet-policy.png"), fullPage: true, animations: "disabled" });
  });

  it("filters the fleet by policy result", async function () {
    const rows = page.locator("table.fleet tbody tr");
    const shown = async () => (await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as AnyEl).dataset.device!))).sort().join();
    for (const [option, keep] of [
      ["failing", (p: PolicySummary) => p.failing > 0],
      ["critical", (p: PolicySummary) => p.worst === "critical"],
      ["passing", (p: PolicySummary) => p.failing === 0 && p.errors === 0 && p.pending === 0],
    ] as const) {
      await page.getByLabel("Policy", { exact: true }).selectOption(option);
      await until(`the ${option} devices`, 30_000, async () => {
        const want = (await devices()).filter((d) => keep(d.policy!)).map((d) => d.id).sort().join();
        return (await shown()) === want ? true : undefined;
      });
    }
    // One check by name: the devices failing it.
    const failing = (await devices()).find((d) => d.policy!.failed.length > 0)!.policy!.failed[0]!.name;
    await page.getByLabel("Policy", { exact: true }).selectOption(`check:${failing}`);
    await until(`the devices failing ${failing}`, 30_000, async () => {
      const want = (await devices()).filter((d) => d.policy!.failed.some((f) => f.name === failing)).map((d) => d.id).sort().join();
      return (await shown()) === want ? true : undefined;
    });
    await page.getByLabel("Policy", { exact: true }).selectOption("");
    await until("all four again", 30_000, async () => ((await rows.count()) === 4 ? true : undefined));
  });

  it("searches every configuration from the fleet page: hits grouped by device, linked to the device at that line", async function () {
    await page.getByLabel("Find in configurations").fill("set telnet");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    const groups = page.locator("#search-results .hit-device");
    await until("search results", 60_000, async () => ((await groups.count()) > 0 ? true : undefined));
    // The same query through the API: the same devices, each once (hits grouped).
    const viaApi = (await (await api("/api/v1/tenants/demo/search?q=set%20telnet&limit=200")).json()) as { hits: Array<{ device: string; line: number; text: string; commit: string }> };
    const uiDevices = await groups.evaluateAll((els) => els.map((e) => (e as unknown as AnyEl).dataset.device!));
    assert.deepEqual(uiDevices, [...new Set(viaApi.hits.map((h) => h.device))]);
    assert.match((await page.locator(".search-status").textContent())!, /^\d+ matching lines? in \d+ devices?\.$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "fleet-search.png"), fullPage: true, animations: "disabled" });

    // Follow the first hit: the device page, that version selected in the timeline, the file around that line.
    const first = page.locator("#search-results .hit").first();
    const hitText = (await first.locator(".hit-text").textContent())!;
    const hitLine = Number(await first.getAttribute("data-line"));
    await first.locator("a.hit-link").click();
    const m = /#\/devices\/([^?]+)\?at=([0-9a-f]{40})&line=(\d+)$/.exec(page.url());
    assert.ok(m, page.url());
    assert.equal(Number(m[3]), hitLine);
    const hitRow = page.locator("#line-view .fl.at-line");
    await until("the highlighted line", 60_000, async () => ((await hitRow.count()) === 1 ? true : undefined));
    assert.equal(await hitRow.locator(".tx").textContent(), hitText);
    assert.equal(await hitRow.locator(".ln").textContent(), String(hitLine));
    // The archived file at that version has that text on that line.
    const file = (await (await api(`/api/v1/tenants/demo/devices/${m[1]}/config?at=${m[2]}`, "text/plain")).text()).split("\n");
    assert.equal(file[hitLine - 1], hitText);
    await until("that version selected in the timeline", 60_000, async () => ((await page.locator(`ol.timeline > li.entry.selected[data-commit="${m[2]}"]`).count()) === 1 ? true : undefined));
    await page.screenshot({ path: path.join(SCREENSHOTS, "search-hit.png"), animations: "disabled" });
  });

  it("Compare with… shows another device's differences in the same diff viewer, sealed values masked", async function () {
    await page.goto(`${base}/#/devices/router-01`);
    await page.getByRole("button", { name: "Compare with…" }).click();
    await until("the device choice focused", 30_000, async () => ((await page.evaluate(() => (globalThis as any).document.activeElement?.id)) === "compare-with" ? true : undefined));
    await page.getByLabel("Compare with…").selectOption("router-03");
    await page.getByRole("button", { name: "Show differences" }).click();
    const diff = page.locator("#compare-diff");
    await until("a rendered compare", 60_000, async () => ((await diff.locator(".dl.add, .dl.del").count()) > 0 ? true : undefined));
    const range = (await page.locator(".compare-card .diff-range").textContent())!;
    const sides = /router-01@([0-9a-f]{10}).*router-03@([0-9a-f]{10})/.exec(range);
    assert.ok(sides, range);
    // The same compare through the API at the commits shown.
    const text = await (await api(`/api/v1/tenants/demo/compare?a=router-01@${sides[1]}&b=router-03@${sides[2]}`, "text/x-diff")).text();
    const lines = text.split("\n");
    const added = lines.filter((l) => l.startsWith("+") && !l.startsWith("+++ ")).length;
    const removed = lines.filter((l) => l.startsWith("-") && !l.startsWith("--- ")).length;
    assert.equal(await diff.locator(".dl.add").count(), added);
    assert.equal(await diff.locator(".dl.del").count(), removed);
    assert.match((await page.locator(".compare-note").textContent())!, /^Left out by the ignore rules: \d+ lines of router-01, \d+ of router-03\. Sealed values masked: \d+ and \d+\.$/);
    assert.doesNotMatch((await diff.textContent())!, /age:[A-Za-z0-9_-]{16,}/, "no ciphertext: masked between two devices");
    // Same colors as the device diff: the same viewer.
    const bg: string = await page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.querySelector("#compare-diff .dl.add, #compare-diff .dl.del")).backgroundColor);
    assert.match(bg, /^rgb/);
    await page.locator("#compare-title").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "compare.png"), animations: "disabled" });
  });

  it("ran without a script error or a CSP violation", function () {
    assert.deepEqual(problems, []);
  });
});
