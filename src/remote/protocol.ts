import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { z } from "zod";
import { ID_PATTERN } from "../common/index.js";
import { SITE_PATTERN } from "../config/schema.js";

/**
 * The messages between the core and its collectors, version 1. Every message
 * is checked with these schemas on arrival; anything else is refused. No
 * message ever carries a plaintext secret or a credential: jobs carry the
 * previous secret index (keyed hashes → ciphertexts, public as the archive
 * is), snapshots the sealed text and its index.
 */
export const PROTOCOL_VERSION = 1;

const id = z.string().regex(ID_PATTERN).refine((v) => !v.includes(".."));
const site = z.string().regex(SITE_PATTERN);
const jobId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const fingerprint = z.string().max(200).regex(/^[\x21-\x7e]+$/);
const sealedToken = z.string().max(1024 * 1024).regex(/^age:[A-Za-z0-9_-]+$/);
/** Secret index: keyed hash (hex HMAC-SHA256) → sealed token. */
export const secretIndexSchema = z.record(hex64, sealedToken);

export const jobSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  job: jobId,
  tenant: id,
  device: id,
  site,
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  trigger: z.enum(["scheduled", "manual"]),
  /** The TOFU pin; null on first contact (the core pins what the snapshot reports). */
  pinned_fingerprint: fingerprint.nullable(),
  known_version: z.string().max(64).nullable(),
  /** Set while the device is blocked by auth_failed: credentials with this keyed hash are not tried again. */
  blocked_credentials: z.string().max(128).nullable(),
  previous_index: secretIndexSchema,
  /** The core's `sensitive:` additions to the catalog (public names); a collector seals with these and its own. */
  sensitive: z
    .strictObject({
      params: z.array(z.strictObject({ name: z.string().max(64), menus: z.array(z.string().max(200)).max(100).optional(), reason: z.string().max(500) })).max(1000),
      scriptParams: z.array(z.strictObject({ name: z.string().max(64), menus: z.array(z.string().max(200)).max(100).optional(), reason: z.string().max(500) })).max(1000),
      secretWords: z.array(z.string().max(32)).max(1000),
      sealWholeScripts: z.boolean(),
    })
    .nullable(),
  /** Core clock, ms since the epoch. */
  issued_at: z.number().int().nonnegative(),
  /** A job not started by then is dropped. */
  deadline: z.number().int().nonnegative(),
  /** HMAC over the job's identity under a key only the core holds: proves the core sent it. */
  mac: hex64,
});
export type JobMessage = z.infer<typeof jobSchema>;

/** What a snapshot echoes from its job, so the core can check it sent that job. */
const jobEcho = {
  v: z.literal(PROTOCOL_VERSION),
  job: jobId,
  tenant: id,
  device: id,
  site,
  trigger: z.enum(["scheduled", "manual"]),
  issued_at: z.number().int().nonnegative(),
  mac: hex64,
  collector: z.string().regex(SITE_PATTERN),
  collector_version: z.string().max(64),
  /** Collector clock, ms since the epoch. */
  collected_at: z.number().int().nonnegative(),
};

export const snapshotSchema = z.discriminatedUnion("outcome", [
  z.strictObject({
    ...jobEcho,
    outcome: z.literal("ok"),
    /** Normalized and sealed export, as it will be archived. */
    text: z.string().min(1),
    index: secretIndexSchema,
    /** How many values were sealed (reused ciphertexts included). */
    sealed_values: z.number().int().nonnegative(),
    /** Keyed fingerprint of the normalized plaintext (HMAC under the index key): tells a re-seal from a change; nothing without the key. */
    plaintext_fingerprint: hex64,
    version: z.string().max(64),
    fingerprint,
    /** Bytes the device printed. */
    bytes: z.number().int().nonnegative(),
  }),
  z.strictObject({
    ...jobEcho,
    outcome: z.literal("failed"),
    error: z.strictObject({
      code: z.string().max(64),
      message: z.string().max(2000),
      expected_fingerprint: fingerprint.nullable().optional(),
      presented_fingerprint: fingerprint.nullable().optional(),
      credentials_fp: z.string().max(128).nullable().optional(),
      blocked: z.boolean().optional(),
    }),
  }),
]);
export type SnapshotMessage = z.infer<typeof snapshotSchema>;

export const heartbeatSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().regex(SITE_PATTERN),
  sites: z.array(site).max(1000),
  version: z.string().max(64),
  in_flight: z.number().int().nonnegative(),
  concurrency: z.number().int().nonnegative(),
  jobs_done: z.number().int().nonnegative(),
  started_at: z.number().int().nonnegative(),
  /** True on the last heartbeat of a collector that drains and stops. */
  leaving: z.boolean(),
});
export type HeartbeatMessage = z.infer<typeof heartbeatSchema>;

const gz = promisify(gzip);
const gunz = promisify(gunzip);

/** JSON, gzipped off the main thread (exports compress several times over; sealed values do not). */
export async function encodeMessage(message: unknown): Promise<Uint8Array> {
  return gz(Buffer.from(JSON.stringify(message), "utf8"));
}

/** The schema's value, or a one-line reason why the bytes are not one (never echoes the payload). */
export async function decodeMessage<T>(schema: z.ZodType<T>, bytes: Uint8Array, maxBytes: number): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
  let json: unknown;
  try {
    const raw = await gunz(bytes, { maxOutputLength: maxBytes });
    json = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    return { ok: false, reason: /maxOutputLength|buffer/i.test((err as Error).message) ? "too large" : "not gzipped JSON" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `bad message: ${first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid"}` };
  }
  return { ok: true, value: parsed.data };
}
