import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { readJsonFile, writeFileAtomic } from "./atomic-file.js";

/**
 * One device's sealing state: the secret index (keyed hash → ciphertext,
 * stable ciphertext) and what it knows of the archived file: the
 * keyed fingerprint of its plaintext, the digest of its sealed text and of
 * the recipients it was sealed to (to tell a re-seal from a change without
 * plaintext). No plaintext, no unkeyed hash of a secret.
 */
export interface SecretIndexState {
  readonly index: Readonly<Record<string, string>>;
  readonly fingerprint: string | null;
  readonly sealed: string | null;
  readonly recipients: string | null;
}

/** The versioned file format; the first format was the bare index (a flat object of keyed hash → ciphertext). */
const FORMAT = 2;
const EMPTY: SecretIndexState = Object.freeze({ index: Object.freeze({}), fingerprint: null, sealed: null, recipients: null });

const isHexOrNull = (v: unknown): v is string | null => v === null || (typeof v === "string" && /^[0-9a-f]{64}$/.test(v));
const isIndex = (v: unknown): v is Record<string, string> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");

/** The file's text in the current format. */
export function serializeSecretIndexState(state: SecretIndexState): string {
  return JSON.stringify({ format: FORMAT, fingerprint: state.fingerprint, sealed: state.sealed, recipients: state.recipients, index: state.index });
}

/** True when the file holds the first format (the bare index), which a state migration rewrites. */
export function isFirstFormatIndex(data: unknown): boolean {
  return data !== null && typeof data === "object" && !Array.isArray(data) && (data as Record<string, unknown>).format === undefined && isIndex(data);
}

/** Reads either format; anything else is treated as no state (values are then sealed anew, once). */
export function parseSecretIndexState(data: unknown): SecretIndexState {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return EMPTY;
  const o = data as Record<string, unknown>;
  if (o.format === FORMAT) {
    if (!isIndex(o.index)) return EMPTY;
    return {
      index: o.index,
      fingerprint: isHexOrNull(o.fingerprint) ? o.fingerprint : null,
      sealed: isHexOrNull(o.sealed) ? o.sealed : null,
      recipients: isHexOrNull(o.recipients) ? o.recipients : null,
    };
  }
  return isIndex(o) ? { index: o, fingerprint: null, sealed: null, recipients: null } : EMPTY;
}

/**
 * The secret index store: one file per device under `state_dir/secrets`. Its
 * HMAC key lives beside it, created once with mode 0600.
 */
export class SecretIndexStore {
  private key: Buffer | null = null;
  /**
   * Recently used states, so an unchanged snapshot costs a stat, not a file
   * read. The stamp (mtime and size) catches a state written by another
   * process (`rosarchive reseal` next to a running service): a stale state
   * would make the next backup re-seal again and call it a change.
   */
  private readonly cache = new Map<string, { readonly state: SecretIndexState; readonly stamp: string }>();
  constructor(
    private readonly stateDir: string,
    private readonly cacheSize = 4096,
    /** `encryption.index_key_file`; remote collectors hold a copy of it. */
    private readonly keyFile = path.join(stateDir, "secret-index.key"),
  ) {}

  private remember(k: string, state: SecretIndexState, stamp: string): void {
    this.cache.delete(k);
    this.cache.set(k, { state, stamp });
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  async indexKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const file = this.keyFile;
    try {
      const k = await fs.readFile(file);
      if (k.length !== 32) throw new Error(`${file} must hold 32 bytes; remove it to start a new index (secrets are then re-sealed once)`);
      this.key = k;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      try {
        await fs.writeFile(file, randomBytes(32), { flag: "wx", mode: 0o600 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      this.key = await fs.readFile(file);
    }
    return this.key;
  }

  private file(tenant: string, device: string): string {
    return path.join(this.stateDir, "secrets", tenant, `${device}.json`);
  }

  private async stampOf(file: string): Promise<string> {
    try {
      const st = await fs.stat(file, { bigint: true });
      return `${st.mtimeNs}:${st.size}:${st.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return "absent";
      throw err;
    }
  }

  async state(tenant: string, device: string): Promise<SecretIndexState> {
    const k = `${tenant}/${device}`;
    const file = this.file(tenant, device);
    const stamp = await this.stampOf(file);
    const hit = this.cache.get(k);
    if (hit && hit.stamp === stamp) return hit.state;
    const state = parseSecretIndexState(await readJsonFile<unknown>(file));
    this.remember(k, state, stamp);
    return state;
  }

  /**
   * Writes the state in the current format. A changed index is fsynced (it
   * keeps ciphertexts stable); a state whose index did not change only moves
   * its fingerprint, a hint whose loss costs at most one unlabelled re-seal,
   * so it is renamed into place without fsync.
   */
  async putState(tenant: string, device: string, state: SecretIndexState, opts: { indexChanged: boolean }): Promise<void> {
    const body = serializeSecretIndexState(state);
    const file = this.file(tenant, device);
    await writeFileAtomic(file, body, 0o600, { sync: opts.indexChanged });
    this.remember(`${tenant}/${device}`, state, await this.stampOf(file));
  }

  /** The index alone (older callers). */
  async get(tenant: string, device: string): Promise<Readonly<Record<string, string>>> {
    return (await this.state(tenant, device)).index;
  }
}
