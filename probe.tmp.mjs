import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gitEnv } from "./dist/src/archive/index.js";
const ex = promisify(execFile);
const g = "/tmp/perf/depth/bench.git";
const [a, b] = (await ex("git", ["--git-dir", g, "log", "-2", "--format=%H", "main", "--", "dev-7.rsc"])).stdout.trim().split("\n");
const t = async (fn) => { const t0 = performance.now(); await fn(); return performance.now() - t0; };
const gd = [], api = [], api2 = [], rev = [];
for (let i = 0; i < 15; i++) {
  gd.push(await t(() => ex("git", ["--git-dir", g, "diff", b, a, "--", "dev-7.rsc"], { env: gitEnv() })));
  rev.push(await t(() => ex("git", ["--git-dir", g, "rev-parse", "main"], { env: gitEnv() })));
  api.push(await t(async () => (await fetch("http://127.0.0.1:38313/api/v1/tenants/bench/devices/dev-7/diff", { headers: { authorization: "Bearer bench-depth-token" } })).text()));
  api2.push(await t(async () => (await fetch("http://127.0.0.1:38313/api/v1/tenants/bench/devices/dev-7", { headers: { authorization: "Bearer bench-depth-token" } })).text()));
}
const med = (v) => v.sort((x, y) => x - y)[7].toFixed(1);
console.log("git diff", med(gd), "git rev-parse", med(rev), "api diff", med(api), "api device", med(api2));
