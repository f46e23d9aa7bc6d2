export { PolicyRunner, type PolicyRunnerOptions, type PolicyRunSummary } from "./policy-runner.js";
export { PolicyStore, type DeviceResults } from "./policy-store.js";
export { evaluateCheck, MAX_LINE_TEXT, type CheckResult, type CheckStatus, type DeviceFile, type FailingLine, type LineHit } from "./evaluate.js";
export { inScope, checksFor, globToRegExp, type PolicyTarget } from "./scope.js";
export { policySummary, deviceSummary, tenantPolicy, violationCounts, currentResult, type PolicySummary } from "./policy-view.js";
