import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { BIN } from "../helpers/cli.js";
import { natsAvailable } from "../helpers/nats.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const CHROMIUM = "/usr/bin/chromium";

/** The fleet page's collectors panel in a real browser, against `rosarchive demo --collectors 2`. */
describe("web UI: the collectors panel (demo --collectors 2, chromium)", function () {
  this.timeout(180_000);
  let demo: ChildProcessWithoutNullStreams | null = null;
  let browser: Browser | null = null;

  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill("SIGINT");
      await new Promise((r) => demo!.once("exit", r));
    }
  });

  it("lists both live collectors of site default with their jobs in flight and version", async function () {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (.ci/run installs chromium)`);
    assert.ok(natsAvailable(), "nats-server is installed (.ci/run installs it)");
    const dir = path.join(tempDir(), "demo");
    demo = spawn(process.execPath, [BIN, "demo", "--collectors", "2", "--devices", "3", "--port", "0", "--dir", dir, "--interval", "3s"], { cwd: REPO_ROOT });
    let out = "";
    demo.stdout.on("data", (c) => (out += c));
    demo.stderr.on("data", (c) => (out += c));
    const base = (await until("the demo's URL", 90_000, () => /Web UI\s+(http:\/\/\S+?)\//.exec(out)?.[1]))!;
    const token = /^\s*viewer token\s+(\S+)$/m.exec(out)![1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 1000 }, locale: "en-US", timezoneId: "UTC" })).newPage();
    await page.goto(`${base}/`);
    await page.getByLabel("Tenant").fill("demo");
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    const panel = page.locator("section.collectors-panel");
    await panel.waitFor({ state: "visible", timeout: 60_000 });
    await until("two live collectors in the panel", 60_000, async () => ((await panel.locator("tbody tr", { hasText: "live" }).count()) === 2 ? true : undefined));
    const text = (await panel.textContent()) ?? "";
    assert.match(text, /demo-collector-1/);
    assert.match(text, /demo-collector-2/);
    assert.match(text, /default/);
    assert.match(text, /\d+ \/ 10/, "jobs in flight out of its sessions");
    assert.doesNotMatch(text, /no live collector/);
    mkdirSync(path.join(REPO_ROOT, "test-output/screenshots"), { recursive: true });
    await page.screenshot({ path: path.join(REPO_ROOT, "test-output/screenshots/collectors-panel.png"), fullPage: true });
  });
});
