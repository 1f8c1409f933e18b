export {
  availableOf,
  balancesKey,
  feeRatesFor,
  useAccountFees,
  useExchangeBalances,
  type AccountFees,
  type BalanceRow,
} from "./account-api";
export { BalancesTable } from "./balances-table";
export { ETH, marketTokens, useWalletBalances, walletBalancesKey } from "./wallet-balances";
