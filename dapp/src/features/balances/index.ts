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
export { ETH, marketTokens, tokenAt, useWalletBalances, walletBalancesKey } from "./wallet-balances";
