export { EXIT_ANCHOR, ExitPanel } from "./exit-panel";
