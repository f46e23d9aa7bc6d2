import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import type { StructuredDiff } from "./diff.js";
import { runGit } from "./git.js";
import { grepLines } from "./grep.js";
import { linesToLeaveOut, maskSealedValues, sectionsOfDiff, withoutLines, type IgnoreHit } from "./compare-lines.js";
import { sectionsOfLines, splitLines } from "./summarize.js";
import type { TenantRepo } from "./tenant-repo.js";

/** One side of a compare: a device's file at one of its commits, and its archived text. */
export interface CompareSide {
  readonly device: string;
  readonly commit: string;
  readonly path: string;
  readonly text: string;
}

/** A line left out of both sides: an extended regular expression, optionally only within one menu. */
export interface IgnoreRule {
  readonly pattern: string;
  readonly section: string | null;
}

export interface ComparedTexts {
  /** Each side's text with the ignored lines left out (and sealed values masked). */
  readonly a: string;
  readonly b: string;
  /** How many lines were left out of each side. */
  readonly ignored: { readonly a: number; readonly b: number };
  /** How many sealed values were masked on each side. */
  readonly masked: { readonly a: number; readonly b: number };
}

export interface CompareOptions {
  readonly rules: readonly IgnoreRule[];
  /**
   * Replace every sealed value by SEALED_MASK (compare-lines.ts) on both sides. Each device's
   * secrets are sealed for it alone, so the same secret has another
   * ciphertext on every device: compared raw, every sealed line of two
   * twins differs. Masked, a line differs only where its other values do.
   */
  readonly maskSealed: boolean;
  readonly sectionOf: (line: string) => string | null;
  /** Time limit of finding the ignored lines (git grep). */
  readonly timeoutMs: number;
}



export interface CompareJson extends Omit<StructuredDiff, "from" | "to"> {
  readonly a: { readonly device: string; readonly commit: string; readonly path: string };
  readonly b: { readonly device: string; readonly commit: string; readonly path: string };
  readonly ignored: { readonly a: number; readonly b: number; readonly rules: number };
  readonly sealed_masked: { readonly a: number; readonly b: number };
}

/**
 * Leaves the lines matching an ignore rule out of both sides (the identity,
 * the addresses: what makes two twins differ by design) and masks sealed
 * values when asked. git finds the lines (`git grep -E` over both blobs, one
 * run per section named by the rules), so no rule runs on the event loop.
 * Menu lines are never left out: the other lines' sections depend on them.
 */
export async function prepareCompare(repo: TenantRepo, a: CompareSide, b: CompareSide, opts: CompareOptions): Promise<ComparedTexts> {
  const { rules, sectionOf, timeoutMs } = opts;
  const sides = [a, b];
  const lines = sides.map((s) => splitLines(s.text));
  const hits: IgnoreHit[][] = [[], []];
  if (rules.length > 0) {
    const specs = sides.map((s) => `${s.commit}:${s.path}`);
    const bySection = new Map<string | null, string[]>();
    for (const r of rules) bySection.set(r.section, [...(bySection.get(r.section) ?? []), r.pattern]);
    for (const [section, patterns] of bySection) {
      const outcome = await grepLines(repo.gitDir, {
        revs: [...new Set(specs)],
        patterns,
        kind: "regex",
        timeoutMs,
        maxBytes: 512 * 1024 * 1024,
        onHit: (hit) => {
          specs.forEach((spec, k) => hit.name === spec && hits[k]!.push({ line: hit.line, ruleSection: section }));
          return false;
        },
      });
      if (!outcome.complete) throw new RosarchiveError("timeout", `finding the lines to ignore took longer than ${Math.round(timeoutMs / 1000)} s; simplify the compare ignore patterns`);
    }
  }
  const prepared = sides.map((side, k) => {
    const dropped = hits[k]!.length ? linesToLeaveOut(lines[k]!, sectionsOfLines(lines[k]!, sectionOf), hits[k]!, sectionOf) : new Set<number>();
    const text = withoutLines(side.text, lines[k]!, dropped);
    const masked = opts.maskSealed ? maskSealedValues(text) : { text, count: 0 };
    return { text: masked.text, ignored: dropped.size, masked: masked.count };
  });
  const [pa, pb] = [prepared[0]!, prepared[1]!];
  return { a: pa.text, b: pb.text, ignored: { a: pa.ignored, b: pb.ignored }, masked: { a: pa.masked, b: pb.masked } };
}

/**
 * The unified diff from side a to side b as git prints it. Nothing left out
 * or masked: `git diff <a-commit>:<a-path> <b-commit>:<b-path>`, byte for
 * byte. Otherwise the two prepared texts go to a private temporary folder (sealed
 * text only, as archived) for `git diff --no-index`, with the repository
 * paths as file names, so the headers read the same. `context` lines around
 * each change (git's 3 by default).
 */
export async function compareUnified(repo: TenantRepo, a: CompareSide, b: CompareSide, texts: ComparedTexts, context = 3): Promise<Buffer> {
  const flags = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", ...(context === 3 ? [] : [`--unified=${context}`])];
  if (texts.ignored.a === 0 && texts.ignored.b === 0 && texts.masked.a === 0 && texts.masked.b === 0) {
    return (await runGit({ gitDir: repo.gitDir, args: flags, revs: [`${a.commit}:${a.path}`, `${b.commit}:${b.path}`], maxBytes: 256 * 1024 * 1024 })).stdout;
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rosarchive-compare-"));
  try {
    const fileA = path.join("a", a.path);
    const fileB = path.join("b", b.path);
    for (const [file, text] of [[fileA, texts.a], [fileB, texts.b]] as const) {
      await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true, mode: 0o700 });
      await fs.writeFile(path.join(dir, file), text, { mode: 0o600 });
    }
    const r = await runGit({ gitDir: repo.gitDir, args: [...flags, "--no-index", "--no-prefix"], paths: [fileA, fileB], okCodes: [1], cwd: dir, maxBytes: 256 * 1024 * 1024 });
    return r.stdout;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The same change by section, as the device diff's JSON form gives it. Two
 * devices' files may differ everywhere, so the line diff is git's (the
 * `-U0` form of the unified diff above, in its own process), never one run on
 * the event loop; each changed line is counted under the section it stands
 * in, taken from the whole (prepared) file.
 */
export async function compareSections(repo: TenantRepo, a: CompareSide, b: CompareSide, texts: ComparedTexts, rules: number, sectionOf: (line: string) => string | null): Promise<CompareJson> {
  const diff = await compareUnified(repo, a, b, texts, 0);
  const s = sectionsOfDiff(diff.toString("utf8"), sectionsOfLines(splitLines(texts.a), sectionOf), sectionsOfLines(splitLines(texts.b), sectionOf));
  return {
    a: { device: a.device, commit: a.commit, path: a.path },
    b: { device: b.device, commit: b.commit, path: b.path },
    ignored: { ...texts.ignored, rules },
    sealed_masked: texts.masked,
    stats: s.stats,
    sections: s.sections,
  };
}
