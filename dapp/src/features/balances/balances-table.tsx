/** The "Balances" tab: per token, the wallet's own balance and the exchange's view of it. */
import { DataTable, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market, TokenInfo } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { useWallet } from "../wallet";
import { useExchangeBalances, type BalanceRow } from "./account-api";
import { marketTokens, useWalletBalances } from "./wallet-balances";

interface Row {
  token: TokenInfo;
  wallet: bigint | null;
  exchange: BalanceRow | null;
}

const SHOWN_DIGITS = 8;

type AmountColumn = "available" | "reserved" | "pendingDeposits" | "pendingWithdrawals" | "frozen";

export function BalancesTable({ markets }: { markets: readonly Market[] }) {
  const { t, formatUnits } = useI18n();
  const { address } = useWallet();
  const tokens = marketTokens(markets);
  const exchange = useExchangeBalances(address);
  const wallet = useWalletBalances(tokens);

  const rows: Row[] = tokens.map((token) => ({
    token,
    wallet: wallet.data?.get(token.address.toLowerCase()) ?? null,
    exchange: exchange.data?.get(token.address.toLowerCase()) ?? null,
  }));
  // What can be moved (the wallet's to deposit, "available" to withdraw or trade) rounds down: never shown as
  // more than a deposit or withdrawal of it would accept. The other columns round half away from zero.
  const amount = (value: bigint | string | null | undefined, token: TokenInfo, spendable = false) =>
    value === null || value === undefined
      ? t("common.none")
      : formatUnits(value, token.decimals, { maxFractionDigits: SHOWN_DIGITS, roundingMode: spendable ? "trunc" : "halfExpand" });
  const exchangeColumn = (id: AmountColumn, header: string): Column<Row> => ({
    id,
    header,
    align: "end",
    cell: (row) => amount(row.exchange ? row.exchange[id] : exchange.data ? "0" : null, row.token, id === "available"),
  });
  const columns: Column<Row>[] = [
    { id: "token", header: t("account.balances.token"), cell: (row) => row.token.symbol },
    { id: "wallet", header: t("account.balances.wallet"), align: "end", cell: (row) => amount(row.wallet, row.token, true) },
    exchangeColumn("available", t("account.balances.available")),
    exchangeColumn("reserved", t("account.balances.reserved")),
    exchangeColumn("pendingDeposits", t("account.balances.pendingDeposits")),
    exchangeColumn("pendingWithdrawals", t("account.balances.pendingWithdrawals")),
  ];
  if (rows.some((row) => row.exchange && BigInt(row.exchange.frozen) > 0n)) {
    columns.push(exchangeColumn("frozen", t("account.balances.frozen")));
  }

  if (!address) return <p className="muted account-tabs__hint">{t("account.connectToSee")}</p>;
  return (
    <DataTable
      label={t("account.tab.balances")}
      columns={columns}
      rows={rows}
      rowKey={(row) => row.token.address}
      loading={exchange.isPending}
      error={exchange.error ? errorText(exchange.error, t) : null}
      onRetry={() => void exchange.refetch()}
      empty={t("account.balances.empty")}
    />
  );
}
