export { writeFileAtomic, readJsonFile } from "./atomic-file.js";
export { DeviceStateStore, INITIAL_STATE, type DeviceState, type DeviceStatus, type DeviceError } from "./device-state.js";
export { SecretIndexStore, parseSecretIndexState, type SecretIndexState } from "./secret-index-store.js";
export { AUDIT_GENESIS, canonicalEntry, entryHash, type AuditAction, type AuditEntry, type AuditInput } from "./audit-chain.js";
export { AuditLog, DEFAULT_SEGMENT_BYTES, type AuditLogOptions, type AuditVerdict } from "./audit-log.js";
export { readKeyFile, readOrCreateKeyFile } from "./key-file.js";
