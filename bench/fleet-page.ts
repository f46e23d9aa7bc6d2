import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { chromium, type Page } from "playwright-core";
import { apiDeps, createApp } from "../src/api/index.js";
import { loadConfig } from "../src/config/index.js";
import { silentLogger } from "../src/observe/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { createPipelineContext } from "../src/pipeline/index.js";
import { ROUTEROS } from "../src/routeros/index.js";
import { RUN_TIMING } from "../src/scheduler/index.js";
import { AuditLog, INITIAL_STATE } from "../src/store/index.js";
import { serveUi } from "../src/web/serve-ui.js";
import { percentile, RECIPIENT, ROOT, type Row, tmp } from "./lib.js";

/** The fleet page as it was before it was paged (the baseline), read from the project's own history. */
const BASELINE_UI = "6ce14aa";
const UI_FILES = ["index.html", "app.js", "state.js", "live.js", "actions.js", "sign-in.js", "fleet-view.js", "device-view.js", "sources-view.js", "api.js", "session.js", "dom.js", "format.js", "style.css", "favicon.svg"];
const TOKEN = "bench-fleet-token";
const id = (i: number) => `dev-${String(i).padStart(5, "0")}`;
const host = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
/** The search typed, one key at a time. */
const TYPED = ["4", "42", "421", "4", "7", "73"];

function baselineUi(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of UI_FILES) writeFileSync(path.join(dir, f), execFileSync("git", ["-C", ROOT, "show", `${BASELINE_UI}:src/web/static/${f}`]));
    return dir;
  } catch {
    return null; // no history (a tarball): the baseline row says so
  }
}

/**
 * A tenant of `n` devices with states on file (most ok, some failing,
 * blocked, never) behind the real API, serving the UI from `uiDir` when given.
 */
export async function fleetServer(n: number, dir: string, uiDir: string | null): Promise<{ url: string; close(): Promise<void> }> {
  const sha = createHash("sha256").update(TOKEN).digest("hex");
  const lines = [`data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `encryption: { recipients: [${RECIPIENT}] }`, "defaults: { password: x }", "tenants:", "  acme:", "    tokens:", `      - { name: noc, role: viewer, sha256: "${sha}" }`, "    devices:"];
  for (let i = 0; i < n; i++) lines.push(`      - { id: ${id(i)}, host: ${host(i)}, group: g${Math.floor(i / 100)}, site: s${i % 7} }`);
  const config = loadConfig(lines.join("\n"), { baseDir: dir });
  const stateDir = path.join(dir, "state/devices/acme");
  mkdirSync(stateDir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const status = i % 50 === 0 ? "failing" : i % 97 === 0 ? "blocked" : i % 41 === 0 ? "never" : "ok";
    const s = { ...INITIAL_STATE, status, last_success: "2026-11-22T10:00:00Z", last_change: "2026-11-20T08:00:00Z", last_change_commit: "0123456789abcdef0123456789abcdef01234567", next_run: "2026-11-22T11:00:00Z", routeros_version: "7.16.2", ...(status === "failing" && { last_error: { code: "unreachable", message: "connect ECONNREFUSED" } }) };
    writeFileSync(path.join(stateDir, `${id(i)}.json`), JSON.stringify(s));
  }
  const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: false });
  // As `serve` does at start: the device states are read once, then kept fresh in memory.
  await ctx.states.getMany("acme", config.tenants.get("acme")!.devices.map((d) => d.id));
  const audit = new AuditLog(config.stateDir);
  const root = express();
  if (uiDir) root.use(serveUi(uiDir));
  root.use(createApp(apiDeps(ctx, { audit, log: silentLogger() })));
  const server: Server = await new Promise((resolve) => {
    const s = root.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await ctx.repos.closeAll();
      ctx.states.close();
      await audit.flush();
    },
  };
}

/** Milliseconds from navigation to the first frame that shows device rows. */
async function firstRender(page: Page, url: string): Promise<number> {
  await page.goto("about:blank");
  await page.goto(`${url}/#/devices`, { waitUntil: "commit" });
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll("table.fleet tbody tr").length > 0, null, { polling: "raf", timeout: 120_000 });
  return page.evaluate(() => new Promise<number>((r) => (globalThis as any).requestAnimationFrame(() => r(performance.now()))));
}

/**
 * Milliseconds from one keystroke in the search box to the frame that shows
 * its result: the rows all match and start with the first device that does.
 */
async function keystroke(page: Page, query: string, expectedFirst: string): Promise<number> {
  return page.evaluate(
    ([q, first]) =>
      new Promise<number>((resolve, reject) => {
        const g = globalThis as any;
        const input = g.document.querySelector("#filter-q");
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new g.Event("input", { bubbles: true }));
        const check = () => {
          const rows = [...g.document.querySelectorAll("table.fleet tbody tr")];
          const ok = rows.length > 0 && rows[0].dataset.device === first && rows.every((r: any) => r.textContent.includes(q));
          if (ok) return g.requestAnimationFrame(() => resolve(performance.now() - t0));
          if (performance.now() - t0 > 60_000) return reject(new Error(`no result for ${q}`));
          g.requestAnimationFrame(check);
        };
        check();
      }),
    [query, expectedFirst] as const,
  );
}

async function measure(n: number, uiDir: string | null, dir: string): Promise<{ renders: number[]; keys: number[]; bytes: number }> {
  const server = await fleetServer(n, dir, uiDir);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US", timezoneId: "UTC" });
    await context.addInitScript((token) => (globalThis as any).sessionStorage.setItem("rosarchive.session", JSON.stringify({ tenant: "acme", token })), TOKEN);
    const page = await context.newPage();
    let bytes = 0;
    page.on("response", (r) => {
      if (/\/devices\?/.test(r.url())) void r.body().then((b) => (bytes = Math.max(bytes, b.length)), () => {});
    });
    const renders: number[] = [];
    for (let k = 0; k < 3; k++) renders.push(await firstRender(page, server.url));
    const matching = (q: string) => Array.from({ length: n }, (_, i) => i).find((i) => id(i).includes(q) || host(i).includes(q))!;
    const keys: number[] = [];
    for (const q of TYPED) keys.push(await keystroke(page, q, id(matching(q))));
    return { renders, keys, bytes };
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Target 7: the fleet page in chromium (playwright-core, Debian's
 * chromium) at fleet size: the first render (navigation to the first frame
 * with rows, median of 3) and each search keystroke (p95 of 6), against the
 * page as it was before paging, served by the same API in the same run.
 */
export async function benchFleetPage(sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  const old = baselineUi(path.join(tmp("fleet-ui"), "static"));
  for (const n of sizes) {
    const ours = await measure(n, null, tmp(`fleet-${n}`));
    const base = old ? await measure(n, old, tmp(`fleet-old-${n}`)) : null;
    const med = (v: number[]) => percentile(v, 50);
    const p95 = (v: number[]) => percentile(v, 95);
    console.log(`  fleet ${n}: renders ${ours.renders.map((x) => x.toFixed(0)).join(", ")} ms, keys ${ours.keys.map((x) => x.toFixed(0)).join(", ")} ms, largest list answer ${(ours.bytes / 1024).toFixed(0)} KB` + (base ? `; before paging: renders ${base.renders.map((x) => x.toFixed(0)).join(", ")} ms, keys ${base.keys.map((x) => x.toFixed(0)).join(", ")} ms, answer ${(base.bytes / 1024).toFixed(0)} KB` : ""));
    rows.push({
      target: `7. fleet page first render, ${n} devices (median of 3)`,
      value: `${med(ours.renders).toFixed(0)} ms`,
      baseline: base ? `unpaged page ${med(base.renders).toFixed(0)} ms` : "-",
      ratio: base ? (med(ours.renders) / med(base.renders)).toFixed(2) : "-",
      goal: "< 1000 ms",
      pass: med(ours.renders) < 1000,
    });
    rows.push({
      target: `7. fleet page search keystroke p95, ${n} devices`,
      value: `${p95(ours.keys).toFixed(0)} ms`,
      baseline: base ? `unpaged page ${p95(base.keys).toFixed(0)} ms` : "-",
      ratio: base ? (p95(ours.keys) / p95(base.keys)).toFixed(2) : "-",
      goal: "< 100 ms",
      pass: p95(ours.keys) < 100,
    });
  }
  return rows;
}
