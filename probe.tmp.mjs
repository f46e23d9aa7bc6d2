import { fleetServer } from "./dist/bench/fleet-page.js";
import { mkdtempSync } from "node:fs";
import { chromium } from "playwright-core";
const s = await fleetServer(10000, mkdtempSync("/tmp/perf/fp-"), null);
await fetch(`${s.url}/api/v1/tenants/acme/devices?limit=100`, { headers: { authorization: "Bearer bench-fleet-token" } }).then(r => r.text());
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
await context.addInitScript((token) => globalThis.sessionStorage.setItem("rosarchive.session", JSON.stringify({ tenant: "acme", token })), "bench-fleet-token");
const page = await context.newPage();
for (let k = 0; k < 3; k++) {
  await page.goto(`${s.url}/#/devices`, { waitUntil: "commit" });
  await page.waitForFunction(() => document.querySelectorAll("table.fleet tbody tr").length > 0, null, { polling: "raf", timeout: 120000 });
  const t = await page.evaluate(() => ({ now: performance.now(), entries: performance.getEntriesByType("resource").map(e => `${e.name.replace(/^.*\/\/[^/]+/, "")} start ${e.startTime.toFixed(0)} end ${e.responseEnd.toFixed(0)}`), nav: performance.getEntriesByType("navigation").map(e => `dom ${e.domContentLoadedEventEnd.toFixed(0)} resp ${e.responseEnd.toFixed(0)}`) }));
  console.log(t.now.toFixed(0), t.nav, t.entries.join("\n  "));
}
await browser.close(); await s.close(); process.exit(0);
