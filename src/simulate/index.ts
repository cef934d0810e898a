/** The scenario simulator's public surface (used by `throughline simulate`, the demo and evals). */
export { parseSimLine, simEventToJson, writeJsonl } from './jsonl.js';
export { getScenario, listScenarios } from './scenarios.js';
export type {
  AreaLevel,
  SimArea,
  SimEvent,
  SimIncident,
  SimTopic,
  SimTruth,
  SimulateOptions,
} from './sim.types.js';
export { SIM_TOPICS } from './sim.types.js';
export { CHANNEL_SHARES, simulate } from './simulate.js';
