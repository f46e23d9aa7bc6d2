import { promises as fs } from "node:fs";
import { RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import type { SnapshotResult } from "./snapshot-queue.js";
import { checkExportOutput } from "../collect/index.js";
import type { PipelineContext } from "./context.js";
import { importSnapshot } from "./import-snapshot.js";

/**
 * `import`: an export taken elsewhere, through the same normalize, seal,
 * commit path. An export older than the device's newest version is refused
 * unless forced (import-snapshot.ts).
 */
export async function importExport(ctx: PipelineContext, device: DeviceConfig, file: string, collectedAtMs?: number, opts: { force?: boolean } = {}): Promise<SnapshotResult> {
  let bytes: Buffer;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new RosarchiveError("invalid_input", `${file} is not a regular file`);
    if (st.size > ctx.config().limits.maxExportBytes) throw new RosarchiveError("invalid_output", `${file} is ${st.size} bytes, above the ${ctx.config().limits.maxExportBytes}-byte limit`);
    bytes = await fs.readFile(file);
  } catch (err) {
    if (err instanceof RosarchiveError) throw err;
    throw new RosarchiveError("invalid_input", `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // The same output check as an SSH export; a file has no exit status, so it counts as 0.
  const text = checkExportOutput(bytes, 0, ctx.platform, ctx.config().limits.maxExportBytes);
  const { version: _v, ...result } = await importSnapshot(ctx, device, text, collectedAtMs ?? ctx.clock(), opts);
  return result;
}
