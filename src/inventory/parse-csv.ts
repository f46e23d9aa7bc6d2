import { parse } from "csv-parse/sync";
import { RosarchiveError } from "../common/index.js";
import type { FieldMap } from "../config/index.js";
import type { RawRow } from "./inventory-record.js";
import { listFromRows, type SourceList } from "./source-list.js";

const KEYS = ["id", "host", "port", "group", "site", "enabled", "interval", "credentials"] as const;

/**
 * A CSV inventory, pure: a header row names the columns (case and spaces
 * ignored); `fields` renames them (`fields: { id: hostname, host: mgmt_ip }`),
 * otherwise each device key is its own column. RFC 4180 quoting (a quoted
 * field may hold the delimiter, quotes doubled, line breaks); lines starting
 * with `#` and blank lines are skipped; a BOM is ignored.
 */
export function parseCsvInventory(text: string, opts: { readonly delimiter: string; readonly fields: FieldMap }): SourceList {
  let parsed: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    parsed = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      delimiter: opts.delimiter,
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    }) as unknown as Array<{ record: Record<string, string>; info: { lines: number } }>;
  } catch (err) {
    throw new RosarchiveError("inventory_invalid", `not a CSV file with a header row: ${(err as Error).message.slice(0, 300)}`);
  }
  const column = (key: (typeof KEYS)[number]) => (opts.fields[key] ?? key).trim().toLowerCase();
  if (parsed.length > 0) {
    const header = new Set(Object.keys(parsed[0]!.record));
    for (const key of ["id", "host"] as const) {
      if (!header.has(column(key))) throw new RosarchiveError("inventory_invalid", `the header row has no "${column(key)}" column (the device ${key}); columns: ${[...header].join(", ").slice(0, 300)}`);
    }
  }
  return listFromRows(
    parsed.map(({ record, info }) => {
      const raw: Record<string, unknown> = {};
      for (const key of KEYS) if (Object.hasOwn(record, column(key))) raw[key] = record[column(key)];
      return { where: `line ${info.lines}`, raw: raw as RawRow };
    }),
  );
}
