import type { SourceNode, SourceTool } from "./types.js";

export type PathMeaning =
  | { readonly kind: "node"; readonly node: SourceNode }
  /** The tool's own bookkeeping (router.db, .gitignore...): not reported. */
  | { readonly kind: "ignore" }
  | { readonly kind: "unexpected"; readonly detail: string };

/**
 * Pure: what a file of a source repository is, by the tool's layout.
 * `repoGroup` is the repository's name when `--repo` named a folder of
 * repositories (one per group), else null.
 *
 * Oxidized's git output:
 * - one repository, one file per node: `<node>`;
 * - one repository with groups (`single_repo: true`): `<group>/<node>`;
 * - one repository per group (`<group>.git` beside the configured one): `<node>`.
 *
 * RANCID:
 * - its git repositories (one per group, `$BASEDIR/CVS/<group>`, cloned to
 *   `$BASEDIR/<group>`): `configs/<node>` beside `router.db`;
 * - a CVS repository converted to git (one module per group): `<group>/configs/<node>`.
 */
export function pathMeaning(tool: SourceTool, path: string, repoGroup: string | null): PathMeaning {
  const parts = path.split("/");
  const name = parts[parts.length - 1]!;
  if (parts.some((p) => p.startsWith("."))) return { kind: "ignore" };
  if (tool === "oxidized") {
    if (parts.length === 1) return { kind: "node", node: { name, group: repoGroup } };
    if (parts.length === 2) return { kind: "node", node: { name, group: parts[0]! } };
    return { kind: "unexpected", detail: "deeper than <group>/<node>: not where Oxidized keeps a node" };
  }
  if (parts.length === 2 && parts[0] === "configs") return { kind: "node", node: { name, group: repoGroup } };
  if (parts.length === 3 && parts[1] === "configs") return { kind: "node", node: { name, group: parts[0]! } };
  // router.db, routers.up/down/all, CVSROOT/..., the group folders' own files.
  return { kind: "ignore" };
}
