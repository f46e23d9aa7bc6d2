export { collectExport } from "./collect-export.js";
export { checkExportOutput } from "./check-export-output.js";
export { hostKeyFingerprint } from "./host-key-fingerprint.js";
export { sshAlgorithms } from "./algorithms.js";
export { HandshakeGate } from "./handshake-gate.js";
export { DEFAULT_MAX_EXPORT_BYTES, type CollectOptions, type CollectResult, type SshTarget } from "./types.js";
