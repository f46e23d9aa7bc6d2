import { execFileSync } from "node:child_process";
import path from "node:path";
import { TenantRepo, gitEnv } from "../src/archive/index.js";
import { silentLogger } from "../src/observe/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { createPipelineContext } from "../src/pipeline/index.js";
import { ROUTEROS } from "../src/routeros/index.js";
import { RUN_TIMING } from "../src/scheduler/index.js";
import { runSearch, type SearchParams } from "../src/search/index.js";
import { benchConfig, exportFor, inParallel, percentile, type Row, tmp } from "./lib.js";

/** What operators look for: a line every device has, a rare one, a regex, and nothing at all (git reads every file). */
const QUERIES: ReadonlyArray<{ q: string; regex: boolean }> = [
  { q: "set telnet", regex: false },
  { q: "strong-crypto=no", regex: false },
  { q: "set name=router-537", regex: false },
  { q: 'comment="rule 1"', regex: false },
  { q: "^add address=192\\.168\\.[0-9]+\\.1/24", regex: true },
  { q: "^/interface wireguard$", regex: true },
  { q: "this-text-is-nowhere", regex: false },
];

/**
 * Search at latest over a tenant of `devices` devices (about 20 KB each,
 * written through the real archive path and repacked as the service does),
 * through the API's own search function (path index, git grep, sections,
 * cursor), against plain `git grep` over the same tree in the same run.
 */
export async function benchSearch(devices: number, rounds: number): Promise<Row[]> {
  const dir = tmp("search");
  const config = benchConfig(dir, devices);
  const writer = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: false });
  const all = config.tenants.get("acme")!.devices;
  const t0 = performance.now();
  // Two versions per device: a history behind the tip, as a running archive has.
  for (const change of [0, 1]) await inParallel(all.length, 20, (i) => writer.archive.submit({ device: all[i]!, text: exportFor(i, change), trigger: "scheduled", collectedAtMs: Date.now() }).then(() => undefined));
  const written = await writer.repos.get("acme");
  await written.stats.flushed();
  await written.maintain();
  await writer.repos.closeAll();
  console.log(`  search: ${devices} devices x 2 versions written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const repo = await TenantRepo.open(path.join(dir, "repos"), "acme", { fsync: false, sectionOf: ROUTEROS.sectionOf, clock: Date.now });
  await repo.paths.whenComplete(); // built once at serve start
  const searchDevices = all.map((d) => ({ id: d.id, group: d.group, path: d.path }));
  const params = (q: { q: string; regex: boolean }): SearchParams => ({ q: q.q, regex: q.regex, at: { kind: "latest" }, group: null, history: false, limit: 50, cursor: undefined });
  const opts = { sectionOf: ROUTEROS.sectionOf, timeoutMs: 10_000 };
  const gitGrep = (q: { q: string; regex: boolean }) =>
    execFileSync("git", ["--git-dir", repo.gitDir, "grep", "-n", "-z", "-I", q.regex ? "-E" : "-F", "-e", q.q, "main", "--", "*.rsc"], { env: gitEnv(), maxBuffer: 1 << 30 }).length;

  // Warm-up: the first reads bring the pack into the page cache for both.
  for (const q of QUERIES) {
    await runSearch(repo, searchDevices, params(q), opts);
    try {
      gitGrep(q);
    } catch {
      /* exit 1: no match */
    }
  }
  const ours: number[] = [];
  const base: number[] = [];
  const perQuery = new Map<string, { ours: number[]; base: number[] }>(QUERIES.map((q) => [q.q, { ours: [], base: [] }]));
  const hits = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const q of QUERIES) {
      const t = performance.now();
      const answer = await runSearch(repo, searchDevices, params(q), opts);
      ours.push(performance.now() - t);
      perQuery.get(q.q)!.ours.push(performance.now() - t);
      if (!answer.history) hits.set(q.q, answer.hits.length);
      const b = performance.now();
      try {
        gitGrep(q);
      } catch {
        /* exit 1: no match */
      }
      base.push(performance.now() - b);
      perQuery.get(q.q)!.base.push(performance.now() - b);
    }
  }
  // The same searches through the real HTTP route would add the audit line (an fsync) and JSON: measured apart, not in the target.
  const page2 = await runSearch(repo, searchDevices, { ...params(QUERIES[0]!), cursor: (await runSearch(repo, searchDevices, params(QUERIES[0]!), opts) as { next: string }).next }, opts);
  repo.close();
  console.log(`  search: hits per first page ${[...hits].map(([q, n]) => `${JSON.stringify(q)} ${n}`).join(", ")}; a second page of "set telnet" ${"hits" in page2 ? page2.hits.length : 0} hits`);
  for (const [q, m] of perQuery) console.log(`  search: ${JSON.stringify(q)} median ${percentile(m.ours, 50).toFixed(1)} ms, git grep ${percentile(m.base, 50).toFixed(1)} ms`);
  const p95 = percentile(ours, 95);
  const b95 = percentile(base, 95);
  return [
    {
      target: `7. search p95 at latest, ${devices} devices (${QUERIES.length} queries x ${rounds})`,
      value: `${p95.toFixed(1)} ms`,
      baseline: `git grep ${b95.toFixed(1)} ms`,
      ratio: (p95 / b95).toFixed(2),
      goal: "< 100 ms",
      pass: p95 < 100,
    },
  ];
}
