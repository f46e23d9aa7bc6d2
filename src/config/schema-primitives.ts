import { z } from "zod";
import { ID_PATTERN, parseDuration } from "../common/index.js";

/** Identifiers (tenant, device, group, site, credential set, inventory source), as a schema. */
export const id = z
  .string({ error: (i) => (i.input === undefined ? "required" : "must be a string") })
  .regex(ID_PATTERN, "must match ^[a-z0-9][a-z0-9._-]{0,62}$")
  .refine((v) => !v.includes(".."), "must not contain '..'")
  .meta({ "x-kind": "id" });

export const duration = z
  .string({ error: (i) => (i.input === undefined ? "required" : "must be a duration like 30s, 5m, 6h, 1d") })
  .refine((v) => parseDuration(v) !== null && parseDuration(v)! > 0, "must be a duration like 30s, 5m, 6h, 1d")
  .meta({ "x-kind": "duration" });

export const required = (what: string) => ({
  error: (i: { input: unknown }) => (i.input === undefined ? "required" : `must be ${what}`),
});

export const envName = z
  .string(required("an environment variable name"))
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
  .meta({ "x-kind": "environment variable name" });

export const filePath = z.string(required("a file path")).min(1).meta({ "x-kind": "file path" });
