/**
 * A small JSON Schema (2020-12) checker for the keywords the OpenAPI
 * document uses: type, enum, const, properties, required,
 * additionalProperties, propertyNames, items, anyOf, pattern, minimum,
 * maximum, $ref into `#/components/schemas`. Returns the problems found,
 * each with its JSON path; unknown keywords fail loudly so the document
 * cannot use one this checker would silently skip.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  "type", "enum", "const", "properties", "required", "additionalProperties", "propertyNames", "items", "anyOf",
  "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "format", "description", "default", "$ref", "title", "x-kind",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const got = typeOf(v);
  return want === got || (want === "number" && got === "integer");
}

export function validate(schema: Schema, value: unknown, root: Schema, at = "$"): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) return [`${at}: schema keyword ${k} is not known to the test's checker`];
  if (typeof schema.$ref === "string") {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? ((root.components as Schema)?.schemas as Schema)?.[name] : undefined;
    if (!target) return [`${at}: unresolved $ref ${schema.$ref}`];
    return validate(target as Schema, value, root, at);
  }
  const problems: string[] = [];
  if (Array.isArray(schema.anyOf)) {
    const each = (schema.anyOf as Schema[]).map((s) => validate(s, value, root, at));
    if (each.every((p) => p.length > 0)) problems.push(`${at}: matches none of anyOf (${each.map((p) => p[0]).join(" | ")})`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(t, value))) return [...problems, `${at}: is ${typeOf(value)}, want ${types.join(" or ")}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if ("const" in schema && schema.const !== value) problems.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (typeof value === "string") {
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) problems.push(`${at}: ${JSON.stringify(value.slice(0, 80))} does not match ${schema.pattern}`);
    if (schema.format === "date-time" && Number.isNaN(Date.parse(value))) problems.push(`${at}: ${value} is not a date-time`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${at}: ${value} < ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${at}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => problems.push(...validate(schema.items as Schema, v, root, `${at}[${i}]`)));
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) problems.push(`${at}: missing required ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) problems.push(...validate(props[k]!, v, root, `${at}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: ${k} is not in the documented schema`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === "object") problems.push(...validate(schema.additionalProperties as Schema, v, root, `${at}.${k}`));
    }
  }
  return problems;
}

/**
 * Object schemas that say nothing about their members (`{type: "object"}`
 * alone): each must list properties, or state what extra members are.
 */
export function vagueObjects(node: unknown, at = "$"): string[] {
  if (!node || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap((n, i) => vagueObjects(n, `${at}[${i}]`));
  const o = node as Schema;
  const here = o.type === "object" && o.properties === undefined && o.additionalProperties === undefined ? [at] : [];
  return [...here, ...Object.entries(o).flatMap(([k, v]) => vagueObjects(v, `${at}.${k}`))];
}
