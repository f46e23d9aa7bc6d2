import { RosarchiveError } from "../common/index.js";
import { checkRow, type InventoryRecord, type RawRow } from "./inventory-record.js";

/** What one read of a source gave: its devices, and the rows it skipped with the reason (reported, not fatal). */
export interface SourceList {
  readonly records: readonly InventoryRecord[];
  readonly skipped: ReadonlyArray<{ readonly row: string; readonly reason: string }>;
}

/**
 * Rows → a source's list. A row with a bad setting or an id listed twice
 * makes the whole read fail (`inventory_invalid`, every problem named, at
 * most 20), so the last good list stays in force.
 */
export function listFromRows(rows: Iterable<{ readonly where: string; readonly raw: RawRow }>): SourceList {
  const records: InventoryRecord[] = [];
  const skipped: Array<{ row: string; reason: string }> = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const { where, raw } of rows) {
    const v = checkRow(raw);
    if (v.kind === "skip") skipped.push({ row: where, reason: v.reason });
    else if (v.kind === "invalid") problems.push(`${where}: ${v.message}`);
    else {
      const first = seen.get(v.record.id);
      if (first) problems.push(`${where}: device ${v.record.id} is listed twice (also ${first})`);
      else {
        seen.set(v.record.id, where);
        records.push(v.record);
      }
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 20 ? `\n(and ${problems.length - 20} more)` : "";
    throw new RosarchiveError("inventory_invalid", `${problems.slice(0, 20).join("\n")}${more}`, { problems: problems.length });
  }
  return { records, skipped };
}
