import type { FileSourceConfig } from "../config/index.js";
import type { RawRow } from "./inventory-record.js";
import { listFromRows, type SourceList } from "./source-list.js";

/**
 * Oxidized's `router.db`, pure: one device per line, fields split on the
 * delimiter (`:` by default) at the positions of `map` (Oxidized's own
 * `name:ip:model:group` unless set); lines whose first non-blank character
 * is `#` and blank lines are skipped, as Oxidized's csv source does. A line
 * without an ip uses the name as host (Oxidized resolves the name). Lines of
 * other models are skipped and reported.
 */
export function parseRouterDb(text: string, opts: Pick<FileSourceConfig, "delimiter" | "map" | "models">): SourceList {
  const models = new Set(opts.models.map((m) => m.toLowerCase()));
  const rows: Array<{ where: string; raw: RawRow }> = [];
  const skippedModels: Array<{ row: string; reason: string }> = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, i) => {
    if (/^\s*#/.test(line) || line.trim() === "") return;
    const where = `line ${i + 1}`;
    const f = line.split(opts.delimiter);
    const at = (n: number) => (f[n] ?? "").trim();
    const model = at(opts.map.model);
    if (model && !models.has(model.toLowerCase())) {
      skippedModels.push({ row: where, reason: `model ${JSON.stringify(model.slice(0, 40))} is not ${[...models].join(" or ")}` });
      return;
    }
    const name = at(opts.map.name);
    rows.push({ where, raw: { id: name, host: at(opts.map.ip) || name, group: at(opts.map.group) } });
  });
  const list = listFromRows(rows);
  return { records: list.records, skipped: [...skippedModels, ...list.skipped] };
}
