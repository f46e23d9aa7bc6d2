import { checkExportOutput } from "../collect/index.js";
import { ROUTEROS } from "../routeros/index.js";
import { pathMeaning } from "./layout.js";
import { mapNodes, type MappableDevice, type NodeFile } from "./map-nodes.js";
import { extractOxidizedExport } from "./oxidized-export.js";
import { extractRancidExport } from "./rancid-export.js";
import { replay, type DeviceOutcome, type ReplayDeps, type VersionSkip } from "./replay.js";
import { BlobReader, findSourceRepos, readSourceFiles } from "./source-repos.js";
import type { Extracted, SkipReason, SourceFile, SourceTool } from "./types.js";

export interface MigrateOptions<D extends MappableDevice> {
  readonly tool: SourceTool;
  /** `--repo`: a repository or a folder of per-group repositories. */
  readonly repoPath: string;
  /** The tenant's configured devices: the only targets. */
  readonly devices: readonly D[];
  readonly maxExportBytes: number;
}

export type MigrateDeps<D extends MappableDevice> = Pick<ReplayDeps<D>, "newestArchivedMs" | "submit" | "finish" | "concurrency" | "onProgress">;

/** A source file whose history is not replayed at all. */
export interface SkippedNode {
  readonly repo: string;
  readonly path: string;
  readonly node: string | null;
  readonly group: string | null;
  readonly device: string | null;
  readonly reason: SkipReason;
  readonly detail: string;
  readonly versions: number;
}

export interface MigrationReport {
  readonly tool: SourceTool;
  readonly repositories: ReadonlyArray<{ readonly name: string; readonly git_dir: string; readonly files: number }>;
  readonly versions: { total: number; committed: number; unchanged: number; not_newer: number; skipped: number };
  readonly devices: readonly DeviceOutcome[];
  readonly skipped_nodes: readonly SkippedNode[];
  readonly skipped_versions: readonly VersionSkip[];
}

/**
 * Pure: stored bytes → the export alone, or why not. The tool's extraction,
 * then the same output check as an SSH export or `import`.
 */
export function extractVersion(tool: SourceTool, bytes: Buffer, maxExportBytes: number): Extracted {
  if (bytes.length >= maxExportBytes) return { ok: false, reason: "invalid_output", detail: `${bytes.length} bytes, at or above the ${maxExportBytes}-byte export limit` };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "not_text", detail: "not valid UTF-8 text" };
  }
  if (text.includes("\0")) return { ok: false, reason: "not_text", detail: "contains NUL bytes: binary data" };
  const got = tool === "oxidized" ? extractOxidizedExport(text) : extractRancidExport(text);
  if (!got.ok) return got;
  try {
    checkExportOutput(got.text, 0, ROUTEROS, maxExportBytes);
  } catch (err) {
    return { ok: false, reason: "invalid_output", detail: (err as Error).message };
  }
  return got;
}

/**
 * `rosarchive migrate`: reads the source's history, maps its nodes to the
 * tenant's devices, and replays every RouterOS version through `deps.submit`
 * (the import path), oldest first. Reports what was archived and, for every
 * file or version left out, why.
 */
export async function migrateHistory<D extends MappableDevice>(opts: MigrateOptions<D>, deps: MigrateDeps<D>): Promise<MigrationReport> {
  const repos = await findSourceRepos(opts.repoPath);
  const readers = new Map<SourceFile, BlobReader>();
  const opened: BlobReader[] = [];
  const skippedNodes: SkippedNode[] = [];
  const nodeFiles: NodeFile[] = [];
  const repoInfo: Array<{ name: string; git_dir: string; files: number }> = [];
  try {
    for (const repo of repos) {
      const files = await readSourceFiles(repo);
      const reader = new BlobReader(repo.gitDir);
      opened.push(reader);
      repoInfo.push({ name: repo.name, git_dir: repo.gitDir, files: files.length });
      for (const file of files) {
        readers.set(file, reader);
        const meaning = pathMeaning(opts.tool, file.path, repo.group);
        if (meaning.kind === "node") nodeFiles.push({ file, node: meaning.node });
        else if (meaning.kind === "unexpected") skippedNodes.push({ repo: repo.name, path: file.path, node: null, group: null, device: null, reason: "unexpected_path", detail: meaning.detail, versions: file.versions.length });
      }
    }
    const { plans, unmapped } = mapNodes(nodeFiles, opts.devices);
    for (const u of unmapped) {
      let { reason, detail } = u;
      if (reason === "not_in_config") {
        // Say "another platform" rather than "add it to the config" when its newest version is not RouterOS.
        const newest = u.file.file.versions[u.file.file.versions.length - 1];
        const got = newest ? extractVersion(opts.tool, await readers.get(u.file.file)!.read(newest.blob), opts.maxExportBytes) : null;
        if (got && !got.ok && got.reason === "not_routeros") ({ reason, detail } = got);
      }
      skippedNodes.push({ repo: u.file.file.repo, path: u.file.file.path, node: u.file.node.name, group: u.file.node.group, device: u.device, reason, detail, versions: u.file.file.versions.length });
    }
    const result = await replay(plans, {
      ...deps,
      read: (file, version) => readers.get(file.file)!.read(version.blob),
      extract: (bytes) => extractVersion(opts.tool, bytes, opts.maxExportBytes),
    });
    const sum = (k: "committed" | "unchanged" | "not_newer" | "skipped") => result.devices.reduce((n, d) => n + d[k], 0);
    return {
      tool: opts.tool,
      repositories: repoInfo,
      versions: {
        total: plans.reduce((n, p) => n + p.versions.length, 0),
        committed: sum("committed"),
        unchanged: sum("unchanged"),
        not_newer: sum("not_newer"),
        skipped: sum("skipped"),
      },
      devices: result.devices,
      skipped_nodes: skippedNodes,
      skipped_versions: result.skipped,
    };
  } finally {
    for (const r of opened) r.close();
  }
}
