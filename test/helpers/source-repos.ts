import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { ROUTEROS } from "../../src/routeros/index.js";
import { exportHeaderLine, renderExport } from "../../src/simulator/index.js";
import { REPO_ROOT } from "./tmp.js";

export const OXIDIZED_FIXTURES = path.join(REPO_ROOT, "test/fixtures/oxidized");

/** Expands the escapes Oxidized's model test helper expands in simulation files (`\x20`, `\\`, `\"`, `\n`...). */
export function undump(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e.startsWith("x")) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return ({ n: "\n", r: "\r", t: "\t", e: "\x1b", "0": "\0" } as Record<string, string>)[e] ?? e;
  });
}

/** The commands and answers of one Oxidized simulation file, in order. */
export function readSimulation(name: string): Map<string, string> {
  const doc = parseYaml(readFileSync(path.join(OXIDIZED_FIXTURES, name), "utf8")) as { commands: Record<string, string> | Array<Record<string, string>> };
  const pairs = Array.isArray(doc.commands) ? doc.commands.flatMap((c) => Object.entries(c)) : Object.entries(doc.commands);
  return new Map(pairs.map(([k, v]) => [k.trim(), undump(v)]));
}

/** `/export` as the router prints it at `at`: dated header, CR LF, lines wrapped at 80 columns (the simulator's rendering). */
export function routerExport(exportText: string, version: string, at: Date): string {
  const r = renderExport(exportText, ROUTEROS, false);
  const header = r.hasHeader ? `${exportHeaderLine(version, at)}${r.headerTail}\r\n` : "";
  return r.before.toString("utf8") + header + r.after.toString("utf8");
}

/** The recorded answers of a CHR to the preamble commands (Oxidized's CHR 7.16 simulation), with another version. */
export function preambleAnswers(version: string, history: readonly string[] = []): { resource: string; packageUpdate: string; history: string } {
  const sim = readSimulation("routeros_CHR_7.16.simulation.yaml");
  const v = (s: string) => s.replace(/\b7\.16\b/g, version);
  const hist = sim.get("/system history print without-paging")!;
  return {
    resource: v(sim.get("/system resource print")!),
    packageUpdate: v(sim.get("/system package update print")!),
    history: [hist, ...history.map((h) => `U ${h.padEnd(32)}  user  write   2024-07-31 09:33:47`)].join("\n"),
  };
}

/**
 * What Oxidized's current `routeros` model stores for one collection (its
 * `cmd :all` block, the per-command blocks and `post`, in that order): every
 * answer right-stripped line by line (CR goes too); the resource print's
 * chosen lines, the first version line of the package update print and the
 * whole history print, each line behind `# `; then the export with wrapped
 * lines joined (`\\\r?\n\s+` removed), its volatile comments and its dated
 * line dropped.
 */
export function oxidizedStore(routerExportText: string, answers: { resource: string; packageUpdate: string; history: string }): string {
  // Ruby's `String#lines` keeps each "\n" and yields no empty last line; `rstrip` takes the "\r" too.
  const all = (cfg: string) => `${cfg.split(/(?<=\n)/).filter((l) => l !== "").map((l) => l.replace(/\s+$/, "")).join("\n")}\n`;
  const comment = (cfg: string) => cfg.split(/(?<=\n)/).filter((l) => l !== "").map((l) => `# ${l}`).join("");
  const resource = all(answers.resource)
    .split(/(?<=\n)/)
    .filter((l) => /(version|factory-software|total-memory|cpu|cpu-count|total-hdd-space|architecture-name|board-name|platform):/.test(l))
    .join("");
  const pkg = all(answers.packageUpdate)
    .split(/(?<=\n)/)
    .filter((l) => /installed-version:\s|current-version:\s/.test(l))[0]!;
  const history = all(answers.history);
  let cfg = all(routerExportText);
  cfg = cfg.replace(/\\\r?\n\s+/g, "");
  cfg = cfg.replace(/# received packet from \S+ bad format\r\n/g, "").replace(/# poe-out status: voltage_on_poe-in\r?\n/g, "");
  cfg = cfg.replace(/# \S+ not ready\r\n/g, "").replace(/# .+ please restart the device in order to apply the new setting\r\n/g, "");
  const lines = cfg.split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop(); // Ruby's split drops trailing empty fields
  const kept = lines.filter((l) => !/^#\s\w{3}\/\d{2}\/\d{4}.*$/.test(l) && !/^#\s\d{4}-\d{2}-\d{2}.*$/.test(l));
  return comment(resource) + comment(pkg) + comment(history) + `${kept.join("\n")}\n`;
}

/** Oxidized storing an export that failed on the router: the preamble, then the error text RouterOS printed. */
export function oxidizedStoreError(answers: { resource: string; packageUpdate: string; history: string }, error = "expected end of command (line 1 column 9)"): string {
  return oxidizedStore(`${error}\r\n`, answers);
}

/** A Cisco IOS configuration as Oxidized's `ios` model stores one (comment prefix `! `). */
export function iosConfig(hostname: string, secret: string): string {
  return `! Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11\n!\n! Image: flash:c2960-lanbasek9-mz.150-2.SE11.bin\n!\nversion 15.0\nservice timestamps log datetime msec\nhostname ${hostname}\n!\nenable secret 5 ${secret}\n!\ninterface FastEthernet0/1\n switchport mode access\n!\nend\n`;
}

/** Stock git with the host's config ignored and a fixed identity and time. */
function git(gitDir: string, args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}): string {
  return execFileSync("git", ["--git-dir", gitDir, ...args], {
    encoding: "utf8",
    input: opts.input,
    env: { PATH: process.env.PATH, HOME: "/nonexistent", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C", ...opts.env },
  }).trim();
}

/**
 * A bare repository written the way Oxidized's git output writes (through
 * libgit2): an index file inside the bare repository, one commit per changed
 * node file with the configured user as author and committer, message
 * `update <group>/<node>` (no group: `update /<node>`), and no commit when
 * the stored text is unchanged.
 */
export class OxidizedRepo {
  constructor(readonly gitDir: string, readonly user = { name: "Oxidized", email: "o@example.com" }) {
    if (!existsSync(gitDir)) {
      mkdirSync(path.dirname(gitDir), { recursive: true });
      execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=master", gitDir], { env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } });
    }
  }

  /** Whether the repository already has commits. */
  exists(): boolean {
    try {
      git(this.gitDir, ["rev-parse", "--verify", "--quiet", "HEAD"]);
      return true;
    } catch {
      return false;
    }
  }

  /** Oxidized's `Output::Git#store` for one node; false when unchanged (no commit). */
  store(node: { name: string; group: string | null }, file: string, text: string | Buffer, at: Date): boolean {
    return commitFiles(this.gitDir, { [file]: text }, at, `update ${node.group ?? ""}/${node.name}`, this.user);
  }

  /** Oxidized storing `node` in a single repository: `<group>/<node>` with `single_repo: true`, `<node>` without groups. */
  storeNode(name: string, group: string | null, text: string | Buffer, at: Date): boolean {
    return this.store({ name, group }, group ? `${group}/${name}` : name, text, at);
  }

  commits(): number {
    return Number(git(this.gitDir, ["rev-list", "--count", "HEAD"]));
  }
}

/** Writes the files into the tree of HEAD through the repository's own index and commits them at `at`; false when nothing changed. */
export function commitFiles(gitDir: string, files: Record<string, string | Buffer>, at: Date, message: string, user: { name: string; email: string }): boolean {
  const env = { GIT_INDEX_FILE: path.join(gitDir, "index") };
  const head = (() => {
    try {
      return git(gitDir, ["rev-parse", "--verify", "--quiet", "HEAD"]);
    } catch {
      return null;
    }
  })();
  let changed = false;
  for (const [file, text] of Object.entries(files)) {
    const blob = git(gitDir, ["hash-object", "-w", "--stdin"], { input: text });
    const old = head ? (() => {
      try {
        return git(gitDir, ["rev-parse", "--verify", "--quiet", `HEAD:${file}`]);
      } catch {
        return null;
      }
    })() : null;
    if (old === blob) continue;
    git(gitDir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${file}`], { env });
    changed = true;
  }
  if (!changed) return false;
  const tree = git(gitDir, ["write-tree"], { env });
  const when = `${Math.floor(at.getTime() / 1000)} +0000`;
  const commit = git(gitDir, ["commit-tree", tree, ...(head ? ["-p", head] : []), "-m", message], {
    env: { GIT_AUTHOR_NAME: user.name, GIT_AUTHOR_EMAIL: user.email, GIT_COMMITTER_NAME: user.name, GIT_COMMITTER_EMAIL: user.email, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
  });
  git(gitDir, ["update-ref", "HEAD", commit]);
  return true;
}

/**
 * What RANCID's `routeros` module stores for one collection: its content-type
 * line, its comment blocks (packages, routerboard, licence) between `!`
 * separators, then the export with comment lines dropped, leading blanks
 * stripped, wrapped lines joined its way and `name="value"` unquoted when the
 * value has no blank. `legacy`: the `mtrancid` script of RANCID 2.3
 * (`#RANCID-CONTENT-TYPE: mikrotik`, `#` separators).
 */
export function rancidStore(routerExportText: string, version: string, opts: { legacy?: boolean } = {}): string {
  const sep = opts.legacy ? "#" : "!";
  const head = opts.legacy ? "#RANCID-CONTENT-TYPE: mikrotik\n#\n" : "!RANCID-CONTENT-TYPE: routeros\n!\n";
  // `/system package print detail without-paging`, one package: index stripped, lines joined with a blank.
  const pkg = `# name="routeros" version="${version}" build-time=2025-02-11 11:23:09 scheduled="" \n`;
  const board = "# routerboard: yes\n# model: RB5009UPr+S+\n# serial-number: HCY08ABCDEF\n# firmware-type: 70x0\n# factory-firmware: 7.8\n# current-firmware: 7.17.2\n# upgrade-firmware: 7.17.2\n";
  const licence = "# software-id: TLZX-09CM\n# level: 6\n";
  const comments = `${pkg}${sep}\n${board}${sep}\n${licence}${sep}\n${sep}\n`;
  let out = "";
  let buffer = "";
  for (const raw of routerExportText.replace(/\r/g, "").split(/(?<=\n)/)) {
    let line = raw;
    if (/^(\s*|\s*export\s*)$/.test(line) || line.startsWith("#")) continue;
    line = line.replace(/^\s+/, "");
    if (/\\\n$/.test(line)) {
      line = line.replace(/\s*\\\n$/, "");
      buffer += line;
      if (!/=$/.test(line) && !/="[^"]+$/.test(line)) buffer += " ";
    } else {
      buffer += line;
      buffer = buffer.replace(/(\S+)="(\S+)"/g, "$1=$2");
      if (/set "?<\S+\s?>"? /.test(line)) {
        buffer = "";
        continue;
      }
      out += buffer.endsWith("\n") ? buffer : `${buffer}\n`;
      buffer = "";
    }
  }
  return head + comments + out;
}

/**
 * A RANCID group repository as `rancid-cvs` and `rancid-run` build it with
 * git: bare, `configs/.gitignore` and `router.db` committed as `new`, an empty
 * file per router committed as `new router`, then one `updates` commit per
 * run holding every changed config, author and committer `RANCiD`.
 */
export class RancidRepo {
  static readonly USER = { name: "RANCiD", email: "rancid" };
  constructor(readonly gitDir: string, readonly prefix = "", routers: Record<string, string> = {}) {
    if (!existsSync(gitDir)) {
      mkdirSync(path.dirname(gitDir), { recursive: true });
      execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=master", gitDir], { env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } });
    }
    const t0 = new Date("2019-01-01T00:00:00Z");
    commitFiles(gitDir, { [`${prefix}configs/.gitignore`]: ".old\n*.new\n*.raw\n" }, t0, "new", RancidRepo.USER);
    commitFiles(gitDir, { [`${prefix}router.db`]: Object.entries(routers).map(([n, t]) => `${n};${t};up\n`).join("") }, t0, "new", RancidRepo.USER);
    for (const name of Object.keys(routers)) commitFiles(gitDir, { [`${prefix}configs/${name}`]: "" }, t0, "new router", RancidRepo.USER);
  }

  /** One `control_rancid` run: every router's new text in one commit. */
  run(configs: Record<string, string>, at: Date): boolean {
    return commitFiles(this.gitDir, Object.fromEntries(Object.entries(configs).map(([n, t]) => [`${this.prefix}configs/${n}`, t])), at, "updates", RancidRepo.USER);
  }
}
