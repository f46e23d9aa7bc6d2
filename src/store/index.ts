export { writeFileAtomic, readJsonFile } from "./atomic-file.js";
export { DeviceStateStore, INITIAL_STATE, type DeviceState, type DeviceStatus, type DeviceError } from "./device-state.js";
export { SecretIndexStore, parseSecretIndexState, type SecretIndexState } from "./secret-index-store.js";
export { AUDIT_ACTIONS, AUDIT_GENESIS, canonicalEntry, entryHash, type AuditAction, type AuditEntry, type AuditInput } from "./audit-chain.js";
export { AuditLog, DEFAULT_SEGMENT_BYTES, type AuditLogOptions, type AuditVerdict } from "./audit-log.js";
export { readKeyFile, readOrCreateKeyFile } from "./key-file.js";
export { STATE_FORMAT, FORMAT_FILE, checkStateFormat, prepareStateDir, readStateFormat, type StateFormatOutcome } from "./state-format.js";
export { writeStateBackup, restoreStateBackup, BACKUP_ROOT, MANIFEST_NAME, type StateManifest, type BackupSummary } from "./state-backup.js";
