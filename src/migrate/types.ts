/** Where the history comes from: Oxidized's git output or RANCID's repository. */
export type SourceTool = "oxidized" | "rancid";

/**
 * Why a node or one stored version is not replayed. Every skip is reported,
 * with a detail that never quotes the stored text (it may hold secrets).
 */
export type SkipReason =
  /** Another platform: Oxidized and RANCID store any model. */
  | "not_routeros"
  /** The stored export is (or holds) a RouterOS error message instead of the configuration. */
  | "error_output"
  /** RouterOS output without any configuration line (an empty or cut-short export). */
  | "no_export"
  /** An empty file (RANCID creates one for a new router before its first collection). */
  | "empty"
  /** Binary data or invalid UTF-8. */
  | "not_text"
  /** Failed the same output check as an SSH export or `import` (line length, size...). */
  | "invalid_output"
  /** No device of the tenant has this node's name as its id or host. */
  | "not_in_config"
  /** Several nodes of the source map to one device and their histories overlap in time. */
  | "ambiguous"
  /** Another node with the device's own group was chosen for this device. */
  | "other_group"
  /** A file of the source that is not a node's configuration where the tool keeps them. */
  | "unexpected_path"
  /** Not after the device's newest archived version: already archived, or it would go back in time. */
  | "not_newer";

/** A stored file after extraction: the export alone, or why there is none. */
export type Extracted =
  | { readonly ok: true; readonly text: string; readonly version: string | null }
  | { readonly ok: false; readonly reason: SkipReason; readonly detail: string };

/** One version of one file in a source repository. */
export interface SourceVersion {
  /** Source commit id. */
  readonly commit: string;
  /** Commit time (author time), unix seconds: becomes `Collected-At`. */
  readonly time: number;
  /** Blob id of the file at that commit. */
  readonly blob: string;
  /** Position in the repository's history, oldest first (ties in time keep this order). */
  readonly seq: number;
}

/** The history of one file of one source repository. */
export interface SourceFile {
  /** The source repository's name (folder name without `.git`). */
  readonly repo: string;
  /** Path inside that repository. */
  readonly path: string;
  /** Oldest first. */
  readonly versions: readonly SourceVersion[];
}

/** A node as the source tool names it. */
export interface SourceNode {
  readonly name: string;
  readonly group: string | null;
}
