/**
 * A reader in its own process (its timing is not the service's event loop):
 * `node dist/bench/read-probe.js URL TOKEN TENANT DEVICES SECONDS` asks for
 * history pages, diffs and timeline pages one after another, and `/healthz`
 * every 50 ms beside them, for SECONDS; prints one JSON line of latencies (ms).
 */
const [url, token, tenant, devicesArg, secondsArg] = process.argv.slice(2);
const devices = Number(devicesArg);
const until = performance.now() + Number(secondsArg) * 1000;
const headers = { authorization: `Bearer ${token}` };
const out = { history: [] as number[], diff: [] as number[], timeline: [] as number[], healthz: [] as number[], errors: 0 };

async function timed(path: string, into: number[], accept = "application/json"): Promise<void> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}${path}`, { headers: { ...headers, accept } });
    await res.arrayBuffer();
    if (res.status !== 200) out.errors++;
  } catch {
    out.errors++;
  }
  into.push(performance.now() - t0);
}

const base = `/api/v1/tenants/${tenant}`;
const reads = (async () => {
  for (let k = 0; performance.now() < until; k++) {
    const d = `dev-${(k * 37) % devices}`;
    await timed(`${base}/devices/${d}/history?limit=50`, out.history);
    await timed(`${base}/devices/${d}/diff`, out.diff, "text/x-diff");
    await timed(`${base}/history?limit=50`, out.timeline);
  }
})();
const health = (async () => {
  while (performance.now() < until) {
    await timed("/healthz", out.healthz);
    await new Promise((r) => setTimeout(r, 50));
  }
})();
await Promise.all([reads, health]);
process.stdout.write(`${JSON.stringify(out)}\n`);
