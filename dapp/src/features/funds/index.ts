export { FundsPanel } from "./funds-panel";
export { withdrawalFailureKey } from "./withdrawal";
