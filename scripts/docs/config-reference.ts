import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { CONFIG_KEY_DOCS, configSchema, ConfigError, loadConfig, type KeyDoc } from "../../src/config/index.js";

type Json = Record<string, unknown>;

/** One key of the configuration as the schema defines it. */
export interface ConfigKey {
  /** `schedule.interval`, `tenants.<tenant>.devices[].host`. */
  readonly path: string;
  readonly schema: Json;
  readonly required: boolean;
  /** The `.describe()` text in the schema, if any. */
  readonly description: string | null;
}

/** Every key of the schema, parents before children, in schema order. */
export function configKeys(): ConfigKey[] {
  const root = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Json;
  const out: ConfigKey[] = [];
  const visit = (node: Json, prefix: string) => {
    const object = objectOf(node);
    if (object?.properties) {
      const required = new Set((object.required ?? []) as string[]);
      for (const [k, child] of Object.entries(object.properties as Record<string, Json>)) {
        const path = prefix ? `${prefix}.${k}` : k;
        out.push({ path, schema: child, required: required.has(k) && !("default" in child), description: typeof child.description === "string" ? child.description : null });
        visit(child, path);
      }
      return;
    }
    if (object?.propertyNames && object.additionalProperties && typeof object.additionalProperties === "object") {
      const placeholder = CONFIG_KEY_DOCS[prefix]?.placeholder ?? "<name>";
      const path = `${prefix}.${placeholder}`;
      const child = object.additionalProperties as Json;
      out.push({ path, schema: child, required: false, description: typeof child.description === "string" ? child.description : null });
      visit(child, path);
      return;
    }
    const items = arrayItems(node);
    if (items && objectOf(items)?.properties) visit(items, `${prefix}[]`);
    // A list of a tagged union (inventory sources): each kind's keys under `[type=<kind>]`.
    const branches = items ? ((items.oneOf ?? items.anyOf) as Json[] | undefined) : undefined;
    if (branches && !objectOf(items!)) {
      for (const b of branches) {
        const tag = (b.properties as Record<string, Json> | undefined)?.type?.const;
        if (typeof tag === "string") visit(b, `${prefix}[type=${tag}]`);
      }
    }
  };
  visit(root, "");
  return out;
}

/** The object schema inside `node` (itself, or the non-null branch of a nullable). */
function objectOf(node: Json): Json | null {
  if (node.type === "object") return node;
  const branch = (node.anyOf as Json[] | undefined)?.find((b) => b.type === "object");
  return branch ?? null;
}

function arrayItems(node: Json): Json | null {
  if (node.type === "array" && node.items && typeof node.items === "object") return node.items as Json;
  return null;
}

const BIG = 2 ** 53 - 1;

/** A readable type: `duration`, `integer, 1 to 1000`, `list of age recipient`, `one of debug, info`, `... or null`. */
export function typeText(s: Json): string {
  const anyOf = s.anyOf as Json[] | undefined;
  if (anyOf) {
    const parts = anyOf.map((b) => (b.type === "null" ? "null" : typeText(b)));
    return parts.join(" or ");
  }
  if (typeof s["x-kind"] === "string") return s["x-kind"] === "duration" ? "duration (30s, 5m, 6h, 1d)" : String(s["x-kind"]);
  if ("const" in s) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.oneOf)) return (s.oneOf as Json[]).every((b) => objectOf(b)) ? "mapping (one of the kinds below)" : (s.oneOf as Json[]).map(typeText).join(" or ");
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).join(", ")}`;
  switch (s.type) {
    case "integer": {
      const min = typeof s.minimum === "number" && Math.abs(s.minimum) < BIG ? s.minimum : null;
      const max = typeof s.maximum === "number" && s.maximum < BIG ? s.maximum : null;
      return min !== null && max !== null ? `integer, ${min} to ${max}` : min !== null ? `integer, at least ${min}` : "integer";
    }
    case "array": {
      const items = s.items as Json | undefined;
      const inner = items ? (objectOf(items)?.properties ? "mappings" : items.oneOf ? "mappings (one of the kinds below)" : typeText(items)) : "values";
      return typeof s.minItems === "number" && s.minItems > 0 ? `list of ${inner} (at least ${s.minItems})` : `list of ${inner}`;
    }
    case "object":
      return s.propertyNames ? "mapping of ids" : "mapping";
    case "string": {
      if (s.format === "uri") return "URL";
      if (s.format === "date-time") return "time (RFC 3339)";
      if (typeof s.pattern === "string") return `string matching \`${s.pattern}\``;
      return "string";
    }
    default:
      return String(s.type ?? "any");
  }
}

function defaultText(k: ConfigKey): string {
  if (k.required) return "required";
  if (!("default" in k.schema)) return "none (optional)";
  const d = k.schema.default;
  if (d !== null && typeof d === "object" && !Array.isArray(d) && Object.keys(d).length === 0) return "its keys' defaults";
  return `\`${JSON.stringify(d)}\``;
}

/** The reload rule of a key: its own, else its nearest parent's. */
function reloadOf(path: string): KeyDoc["reload"] | undefined {
  for (let p = path; p; p = parentOf(p)) {
    const r = CONFIG_KEY_DOCS[p]?.reload;
    if (r) return r;
  }
  return undefined;
}

function parentOf(path: string): string {
  const i = Math.max(path.lastIndexOf("."), path.endsWith("[]") ? path.length - 2 : -1);
  if (path.endsWith("[]")) return path.slice(0, -2);
  return i < 0 ? "" : path.slice(0, i);
}

const RELOAD_TEXT: Record<NonNullable<KeyDoc["reload"]>, string> = {
  live: "SIGHUP: a reload puts the new value in force",
  restart: "restart: read once at start; a reload keeps the old value",
};

/** A minimal valid file the examples are merged into. */
const BASE = { encryption: { recipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"] }, tenants: { acme: {} } };

function merge(base: unknown, add: unknown): unknown {
  if (base && add && typeof base === "object" && typeof add === "object" && !Array.isArray(base) && !Array.isArray(add)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(add as Record<string, unknown>)) out[k] = merge(out[k], v);
    return out;
  }
  return add;
}

/** Checks an example the way a real file is checked; returns the problem or null. */
export function exampleProblem(example: string, schemaOnly = false): string | null {
  let fragment: unknown;
  try {
    fragment = parseYaml(example);
  } catch (err) {
    return `not YAML: ${(err as Error).message.split("\n")[0]}`;
  }
  if (schemaOnly) {
    const r = configSchema.safeParse(merge(BASE, fragment));
    return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  }
  try {
    loadConfig(stringifyYaml(merge(BASE, fragment)), { baseDir: "/" });
    return null;
  } catch (err) {
    return err instanceof ConfigError ? err.problems.map((p) => `${p.path}: ${p.message}`).join("; ") : (err as Error).message;
  }
}

/** Problems that stop the generation: a key without a description, reload rule or (for leaves) an example; a stale or broken entry. */
export function configDocProblems(keys: readonly ConfigKey[] = configKeys()): string[] {
  const problems: string[] = [];
  const paths = new Set(keys.map((k) => k.path));
  for (const k of keys) {
    const doc = CONFIG_KEY_DOCS[k.path];
    if (!doc && !k.description) {
      problems.push(`${k.path}: no description; add it to CONFIG_KEY_DOCS in src/config/key-docs.ts (summary, reload, example), or .describe() it in src/config/schema.ts`);
      continue;
    }
    if (!reloadOf(k.path)) problems.push(`${k.path}: no reload rule (live or restart) on it or a parent in src/config/key-docs.ts`);
    const leaf = !keys.some((o) => o.path.startsWith(`${k.path}.`) || o.path.startsWith(`${k.path}[]`));
    if (leaf && !doc?.example) problems.push(`${k.path}: no example in src/config/key-docs.ts`);
    if (doc?.example) {
      const p = exampleProblem(doc.example, doc.exampleReadsFiles === true);
      if (p) problems.push(`${k.path}: its example does not load: ${p}`);
    }
  }
  for (const p of Object.keys(CONFIG_KEY_DOCS)) if (!paths.has(p)) problems.push(`${p}: documented in src/config/key-docs.ts but not a key of the schema`);
  return problems;
}

/** The whole of docs/configuration.md. */
export function renderConfigReference(): string {
  const keys = configKeys();
  const problems = configDocProblems(keys);
  if (problems.length > 0) throw new Error(`docs/configuration.md cannot be generated:\n  ${problems.join("\n  ")}`);
  const anchor = (p: string) => p.replace(/[^a-z0-9_]+/gi, "-").replace(/^-|-$/g, "").toLowerCase();
  const lines: string[] = [
    "# Configuration",
    "",
    "<!-- Generated by `npm run docs` from src/config/schema.ts and src/config/key-docs.ts: edit those, then run it. -->",
    "",
    "rosarchive reads one YAML file (`rosarchive serve -c config.yaml`). `config.example.yaml`",
    "in the repository is a complete example; `rosarchive check-config -c FILE` validates a",
    "file and the environment variables and files it names.",
    "",
    "- Unknown keys are errors; every error names its key path (`tenants.acme.devices[1].host: required`).",
    "- Durations are written `30s`, `5m`, `6h`, `1d`.",
    "- Relative paths are relative to the config file's folder.",
    "- `SIGHUP` reloads the file. A file that does not validate, or names an environment",
    "  variable or file the running service lacks, is refused whole (logged as",
    "  `config.reload_refused`, counted in `rosarchive_config_reloads_total{result=\"refused\"}`)",
    "  and the old one stays in force. Backups already running finish under the old settings.",
    "  Keys marked *restart* keep their old value until the service restarts.",
    "",
    "## All keys",
    "",
    "| key | type | default | on reload |",
    "|---|---|---|---|",
    ...keys.map((k) => `| [\`${k.path}\`](#${anchor(k.path)}) | ${typeText(k.schema).replace(/\|/g, "\\|")} | ${defaultText(k)} | ${reloadOf(k.path)} |`),
    "",
    "## Keys",
    "",
  ];
  for (const k of keys) {
    const doc = CONFIG_KEY_DOCS[k.path];
    lines.push(`### ${k.path}`, "", `<a id="${anchor(k.path)}"></a>`, "");
    lines.push(doc?.summary ?? k.description ?? "", "");
    lines.push(`- type: ${typeText(k.schema)}`, `- default: ${defaultText(k)}`, `- on reload: ${RELOAD_TEXT[reloadOf(k.path)!]}${doc?.reloadNote ? ` (${doc.reloadNote})` : ""}`, "");
    if (doc?.example) lines.push("```yaml", doc.example, "```", "");
  }
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}
