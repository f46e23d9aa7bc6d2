import { createHash, randomBytes } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { ROUTEROS } from "../routeros/index.js";
import { extendPlatform, generateIdentityPair, parseIdentityFile, unsealText } from "../seal/index.js";
import { findTenant, readConfigFile } from "./load.js";
import { expectPositionals, parse, println, type Command } from "./command.js";

const KEYGEN_USAGE = `usage: rosarchive keygen [--out FILE]

Makes a new age identity (keep it offline: it decrypts the archive) and its
recipient (put it in encryption.recipients). The format is the age CLI's.
Without --out both are printed. With --out the identity is written to FILE
(created with mode 0600, never overwritten) and only the recipient is printed;
a FILE inside a git working tree gets a warning (never commit it).`;

export const keygenCommand: Command = {
  name: "keygen",
  summary: "print a new age identity and its recipient",
  usage: KEYGEN_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { out: { type: "string", short: "o" } }, KEYGEN_USAGE);
    expectPositionals(positionals, [], KEYGEN_USAGE);
    const { identity, recipient } = await generateIdentityPair();
    const text = `# created: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}\n# public key: ${recipient}\n${identity}\n`;
    if (!values.out) {
      io.stdout.write(text);
      return 0;
    }
    const file = path.resolve(values.out);
    try {
      await fs.writeFile(file, text, { flag: "wx", mode: 0o600 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RosarchiveError("bad_parameter", code === "EEXIST" ? `${file} exists: keygen never overwrites an identity (the archive sealed for it would become unreadable); choose another --out` : `cannot write ${file}: ${code}`);
    }
    const tree = workTreeOf(path.dirname(file));
    if (tree) println(io.stderr, `warning: ${file} is inside the git working tree ${tree}: never commit it (add it to .gitignore, or keep it outside any repository)`);
    println(io.stdout, `# identity written to ${file} (mode 0600)\n# public key: ${recipient}`);
    return 0;
  },
};

const TOKEN_USAGE = `usage: rosarchive token

Prints a new random API token and the sha256 to put in the config
(tenants.<t>.tokens[].sha256). Only the hash is ever stored.`;

export const tokenCommand: Command = {
  name: "token",
  summary: "print a new API token and its sha256",
  usage: TOKEN_USAGE,
  async run(io) {
    expectPositionals(parse(io.argv, {}, TOKEN_USAGE).positionals, [], TOKEN_USAGE);
    const token = `ra_${randomBytes(24).toString("base64url")}`;
    println(io.stdout, `token:  ${token}\nsha256: ${createHash("sha256").update(token).digest("hex")}`);
    return 0;
  },
};

const DECRYPT_USAGE = `usage: rosarchive decrypt [-i IDENTITY_FILE] [-c FILE [--tenant T]] [FILE or -]

Turns an archived .rsc back into the exact normalized export: every value
the sealer sealed is decrypted with the identity (default:
$ROSARCHIVE_IDENTITY_FILE). Only positions the sealer seals are opened (the
RouterOS catalog and script rules); any other age: text is left as the
device printed it.

  -i FILE        the age identity file (from rosarchive keygen)
  -c FILE        the service's config: its sensitive: extensions decide the
                 positions too (use it when the config extends the catalog)
  --tenant T     with -c: use tenant T's identity_file when -i is not given

Reads standard input when FILE is - or absent; writes standard output.`;

export const decryptCommand: Command = {
  name: "decrypt",
  summary: "restore the plaintext export from an archived file",
  usage: DECRYPT_USAGE,
  async run(io) {
    const { values, positionals } = parse(
      io.argv,
      { identity: { type: "string", short: "i" }, config: { type: "string", short: "c" }, tenant: { type: "string" } },
      DECRYPT_USAGE,
    );
    expectPositionals(positionals, ["FILE"], DECRYPT_USAGE, 1);
    if (values.tenant !== undefined && !values.config) throw new RosarchiveError("bad_parameter", `--tenant needs -c FILE\n\n${DECRYPT_USAGE}`);
    const config = values.config ? readConfigFile(values.config) : null;
    const tenant = config && values.tenant !== undefined ? config.tenants.get(findTenant(config, values.tenant))! : null;
    const idFile = values.identity ?? tenant?.encryption.identityFile ?? io.env.ROSARCHIVE_IDENTITY_FILE;
    if (!idFile) throw new RosarchiveError("bad_parameter", `missing -i IDENTITY_FILE (the file from \`rosarchive keygen\`)\n\n${DECRYPT_USAGE}`);
    let idText: string;
    try {
      idText = await fs.readFile(idFile, "utf8");
    } catch (err) {
      throw new RosarchiveError("bad_parameter", `cannot read identity file ${idFile}: ${(err as NodeJS.ErrnoException).code}`);
    }
    const identities = parseIdentityFile(idText);
    if (identities.length === 0) throw new RosarchiveError("bad_parameter", `${idFile} holds no AGE-SECRET-KEY-1... line`);
    const input = positionals[0] && positionals[0] !== "-" ? await readInput(positionals[0]) : await readStream(io.stdin);
    io.stdout.write(await unsealText(input, identities, extendPlatform(ROUTEROS, config?.sensitive)));
    return 0;
  },
};

async function readInput(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    throw new RosarchiveError("bad_parameter", `cannot read ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString("utf8");
}

/** The top of the git working tree holding `dir` (a `.git` folder or file above it), or null. */
function workTreeOf(dir: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, ".git"))) return d;
    if (path.dirname(d) === d) return null;
  }
}
