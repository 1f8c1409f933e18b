export { FaucetPanel } from "./faucet-panel";
