export { Scheduler, type SchedulerOptions } from "./scheduler.js";
export { planNextRun } from "./plan.js";
