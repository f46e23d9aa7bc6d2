#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
import { main } from "../dist/src/cli/main.js";
const args = process.argv.slice(2);
main(args).then((code) => {
  process.exitCode = code;
  // A service has shut down cleanly by now; nothing left to flush but stray handles.
  if (["serve", "demo", "start"].includes(args[0]) && !args.includes("--help") && !args.includes("-h")) process.exit(code);
});
