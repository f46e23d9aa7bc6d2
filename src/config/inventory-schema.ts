import { z } from "zod";
import { duration, envName, filePath, id, required } from "./schema-primitives.js";

/** A share of a tenant's devices, written `10%`. */
const percent = z
  .string(required("a percentage like 10%"))
  .regex(/^(100|[0-9]{1,2})(\.[0-9]+)?%$/, "must be a percentage from 0% to 100%, like 10%");

/** Keys every source takes. Sources hold no secrets: tokens come from env or file. */
const common = {
  /** The source's name in the API, metrics, CLI and state files; defaults to its type. */
  name: id.optional(),
  /** How often the source is read. A `file` source is also re-read as soon as the file changes. */
  interval: duration.default("15m"),
  /** A sync that would remove more than this share of the tenant's devices waits for an admin's confirmation. */
  max_removal: percent.default("10%"),
  timeout: duration.default("30s"),
};

/** Device keys an inventory row may carry, mapped from the source's own field names. */
const fieldMap = z.strictObject({
  id: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  site: z.string().min(1).optional(),
  enabled: z.string().min(1).optional(),
  interval: z.string().min(1).optional(),
  credentials: z.string().min(1).optional(),
});

const fileSource = z.strictObject({
  ...common,
  type: z.literal("file"),
  path: filePath,
  /** `csv`: a header row names the columns; `router.db`: Oxidized's `name:ip:model:group` lines. */
  format: z.enum(["csv", "router.db"], { error: "must be csv or router.db" }).default("csv"),
  /** Field separator: `,` for csv and `:` for router.db unless set. */
  delimiter: z.string().min(1).max(4).optional(),
  /** csv: which column holds each device key (default: the key's own name). */
  fields: fieldMap.optional(),
  /** router.db: which position holds each field, as in Oxidized's `map`. */
  map: z
    .strictObject({
      name: z.number().int().min(0).max(63).optional(),
      ip: z.number().int().min(0).max(63).optional(),
      model: z.number().int().min(0).max(63).optional(),
      group: z.number().int().min(0).max(63).optional(),
    })
    .optional(),
  /** router.db: rows of other models are skipped (and reported). */
  models: z.array(z.string().min(1)).min(1).default(["routeros"]),
});

const bearerOrBasic = {
  token_env: envName.optional(),
  token_file: filePath.optional(),
};

const httpSource = z.strictObject({
  ...common,
  ...bearerOrBasic,
  type: z.literal("http"),
  url: z.string(required("an http(s) URL")).url("must be an http(s) URL").refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  /** Dotted path of the list inside the answer; absent: the answer is the list. */
  items: z.string().min(1).optional(),
  /** Where each device key is found in a record (dotted paths); `id` and `host` are required. */
  fields: fieldMap.extend({ id: z.string(required("a field path")).min(1), host: z.string(required("a field path")).min(1) }),
  basic: z
    .strictObject({
      username: z.string(required("a user name")).min(1),
      password_env: envName.optional(),
      password_file: filePath.optional(),
    })
    .optional(),
});

const nameOrNames = z.union([id, z.array(id).min(1)], { error: "must be a slug or a list of slugs" });

const netboxSource = z.strictObject({
  ...common,
  ...bearerOrBasic,
  type: z.literal("netbox"),
  url: z.string(required("an http(s) URL")).url("must be an http(s) URL").refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  /** NetBox filters, passed as query parameters (slugs; a list means any of them). */
  filter: z
    .strictObject({
      platform: nameOrNames.optional(),
      status: nameOrNames.optional(),
      tenant: nameOrNames.optional(),
      tag: nameOrNames.optional(),
      site: nameOrNames.optional(),
      role: nameOrNames.optional(),
    })
    .default({}),
  /** Also read `/api/virtualization/virtual-machines/` (CHR instances). */
  virtual_machines: z.boolean().default(false),
  /** NetBox custom fields holding these device keys. */
  custom_fields: z
    .strictObject({
      port: z.string().min(1).optional(),
      group: z.string().min(1).optional(),
      interval: z.string().min(1).optional(),
      credentials: z.string().min(1).optional(),
      enabled: z.string().min(1).optional(),
    })
    .default({}),
  page_size: z.number().int().min(1).max(1000).default(100),
});

export const inventorySourceSchema = z.discriminatedUnion("type", [fileSource, httpSource, netboxSource], {
  error: (i) => (i.input === undefined ? "required" : "type must be file, http or netbox"),
});

export type RawInventorySource = z.infer<typeof inventorySourceSchema>;
