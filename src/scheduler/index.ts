export { IN_FLIGHT_PER_SESSION, Scheduler, type SchedulerOptions } from "./scheduler.js";
export { planNextRun } from "./plan.js";
export { nextSlot, retryAt, stableOffsetMs, RUN_TIMING } from "./next-run.js";
