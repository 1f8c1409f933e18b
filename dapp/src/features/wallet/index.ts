export { sameAddress, shortAddress } from "./address";
export { ConnectDialog } from "./connect-dialog";
export type { WalletOption } from "./discovery";
export { useNetwork, type Network } from "./network";
export { WalletButton } from "./wallet-button";
export { WalletProvider, useWallet, type WalletState, type WalletStatus } from "./wallet-context";
export { WrongChainBanner } from "./wrong-chain-banner";
export { mined, StillPending, TransactionReverted } from "./mined";
