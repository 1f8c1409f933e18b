export { ScheduledChanges } from "./scheduled-changes";
