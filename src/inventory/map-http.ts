import { RosarchiveError } from "../common/index.js";
import type { HttpSourceConfig } from "../config/index.js";
import { valueAt, type RawRow } from "./inventory-record.js";
import { listFromRows, type SourceList } from "./source-list.js";

const KEYS = ["id", "host", "port", "group", "site", "enabled", "interval", "credentials"] as const;

/**
 * A JSON answer → a source's list, pure. The list is the answer itself, or
 * the value at `items` (a dotted path); each record's device keys are read
 * at the dotted paths of `fields`.
 */
export function mapHttpAnswer(answer: unknown, s: Pick<HttpSourceConfig, "items" | "fields">): SourceList {
  const list = s.items ? valueAt(answer, s.items) : answer;
  if (!Array.isArray(list)) {
    throw new RosarchiveError("source_failed", s.items ? `the answer has no JSON list at "${s.items}"` : "the answer is not a JSON list (set items: to the path of the list inside it)");
  }
  return listFromRows(
    list.map((item, i) => {
      const raw: Record<string, unknown> = {};
      if (item !== null && typeof item === "object") for (const key of KEYS) if (s.fields[key]) raw[key] = valueAt(item, s.fields[key]!);
      return { where: `item ${i}`, raw: raw as RawRow };
    }),
  );
}
