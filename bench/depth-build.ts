import { buildDepthRepo } from "./depth-repo.js";

/** `node dist/bench/depth-build.js DIR DEVICES COMMITS`: builds (or reuses) the depth repository alone. */
const [dir, devices, commits] = process.argv.slice(2);
const r = await buildDepthRepo(dir!, Number(devices ?? 1000), Number(commits ?? 1000), (s) => console.log(s));
console.log(JSON.stringify(r));
