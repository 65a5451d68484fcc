// The simulator's public surface: the gateway's tests, the benchmark and `qcc demo` import from here only.
export { startSimulator } from './simulator.js';
export { errorBody, errorTypeForStatus } from './error-bodies.js';
export type {
  AuthStyle,
  Fault,
  FaultKind,
  FaultOptions,
  FaultScript,
  RecordedRequest,
  ReplyText,
  Simulator,
  SimulatorOptions,
} from './types.js';
