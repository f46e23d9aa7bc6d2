import { z } from "zod";
import { linePatternProblem } from "../common/index.js";
import { id } from "./schema-primitives.js";

/**
 * Policy checks and compare ignore lists, as config. Their line patterns are
 * extended regular expressions as `git grep -E` reads them (see
 * common/line-pattern.ts), checked here so a bad one is a config error
 * naming its key path, not a failure at the first commit.
 */

export const linePattern = z.string({ error: (i) => (i.input === undefined ? "required" : "must be a string (an extended regular expression)") }).superRefine((v, ctx) => {
  const problem = linePatternProblem(v, "regex");
  if (problem) ctx.addIssue({ code: "custom", message: `the pattern ${problem}` });
});

/** A menu path as sections are named (`/ip service`, `/system ntp client`). */
export const menuPath = z
  .string({ error: (i) => (i.input === undefined ? "required" : "must be a menu path like /ip service") })
  .regex(/^\/([A-Za-z0-9][A-Za-z0-9._-]*( [A-Za-z0-9][A-Za-z0-9._-]*)*)?$/, "must be a menu path like /ip service (words separated by one space)");

/** Device ids with `*` (any run of characters) and `?` (one character). */
const deviceGlob = z.string().regex(/^[a-z0-9._*?-]{1,63}$/, "must be a device id or a pattern with * and ?, like edge-*");

export const policyCheckSchema = z
  .strictObject({
    name: id,
    severity: z.enum(["info", "warning", "critical"], { error: "must be info, warning or critical" }),
    description: z.string().max(2000).optional(),
    scope: z
      .strictObject({
        groups: z.array(id).min(1).optional(),
        sites: z.array(id).min(1).optional(),
        devices: z.array(deviceGlob).min(1).optional(),
      })
      .optional(),
    section: menuPath.optional(),
    must_contain: z.array(linePattern).min(1).optional(),
    must_not_contain: z.array(linePattern).min(1).optional(),
  })
  .refine((c) => c.must_contain !== undefined || c.must_not_contain !== undefined, { message: "needs must_contain or must_not_contain (or both)" });

export const policyListSchema = z.array(policyCheckSchema);

/** A line left out of both sides of a compare: a pattern, optionally only in one section. */
export const ignoreRuleSchema = z.union([linePattern, z.strictObject({ pattern: linePattern, section: menuPath.optional() })], {
  error: "must be a pattern, or { pattern, section }",
});

export const compareSchema = z.strictObject({ ignore: z.array(ignoreRuleSchema).default([]) });

export type RawPolicyCheck = z.infer<typeof policyCheckSchema>;
export type RawIgnoreRule = z.infer<typeof ignoreRuleSchema>;
