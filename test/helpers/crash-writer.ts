/**
 * Child process for the kill -9 test: archives changing snapshots for many
 * devices, 8 at a time, and prints one JSON line per snapshot only after the
 * pipeline reported it committed (and its event was in the outbox).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildContext } from "../../src/cli/build-context.js";
import { createNotifier } from "../../src/cli/outbox.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { archiveSnapshot } from "../../src/pipeline/index.js";

const [configFile, fixture, startText] = process.argv.slice(2);
const config = loadConfig(readFileSync(configFile!, "utf8"), { baseDir: path.dirname(configFile!) });
const log = silentLogger();
const notifier = createNotifier(() => config, process.env, log);
const ctx = buildContext(config, {}, { log, events: notifier.outbox });
const base = readFileSync(fixture!, "utf8");
const devices = config.tenants.get("acme")!.devices;
let n = Number(startText ?? 0);

async function worker(): Promise<void> {
  for (;;) {
    const k = n++;
    const device = devices[k % devices.length]!;
    const text = `${base}\n/system note\nset note="run ${k}"\n`;
    const r = await archiveSnapshot(ctx, { device, text, trigger: "import", collectedAtMs: Date.now() });
    process.stdout.write(`${JSON.stringify({ device: device.id, commit: r.commit, changed: r.changed })}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
