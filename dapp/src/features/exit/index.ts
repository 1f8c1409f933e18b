export { useExitRequested } from "./exit-contract";
export { EXIT_ANCHOR, ExitPanel } from "./exit-panel";
export { durationText } from "./countdown";
