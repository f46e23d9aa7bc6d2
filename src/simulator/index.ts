export { startSimulator } from "./start-simulator.js";
export { renderExport, stripSensitive, type RenderedExport } from "./render-export.js";
export { wrapLine, WRAP_WIDTH } from "./wrap-line.js";
export { exportHeaderLine, usesIsoDate } from "./export-date.js";
export {
  SIM_FAULTS,
  type Fault,
  type SimAuthMethod,
  type SimDevice,
  type SimDeviceOptions,
  type SimDeviceStats,
  type SimDeviceInfo,
  type SimDeviceSpec,
  type SimFault,
  type Simulator,
  type SimulatorOptions,
} from "./types.js";
export { usableKeyPair } from "./usable-key-pair.js";
