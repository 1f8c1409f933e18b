/**
 * "Scheduled changes to the exchange", above every page: what the exchange's owners scheduled through the Custody
 * timelock. A change that can hurt users (fees, operators, the exit delay, the admin) waits out the timelock, which
 * outlasts the exit delay, so a user who disagrees can take their funds out first through the escape hatch; but
 * only a user who hears of it. The Exchange's timelocked changes are said in words; any other call shows as the call
 * the chain will run. Nothing is shown while nothing is scheduled, or while the server cannot read the chain.
 *
 * An exchange whose admin is not its Custody (handed over, by stolen keys for instance) announces nothing and waits
 * for nothing: that is said instead, with the same way out.
 */
import { useQuery } from "@tanstack/react-query";
import { useI18n, type I18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { paths } from "../../lib/router";
import { durationText, EXIT_ANCHOR } from "../exit";
import { marketsQuery } from "../markets";
import { scheduledChangesApi, type ScheduledChange } from "./scheduled-changes-api";
import "./scheduled-changes.css";

const REFRESH_MS = 60_000;

export function ScheduledChanges() {
  const i18n = useI18n();
  const { t } = i18n;
  const current = useQuery({
    queryKey: ["scheduled-changes"],
    queryFn: scheduledChangesApi.current,
    refetchInterval: REFRESH_MS,
    staleTime: 10_000,
  });
  const changes = current.data?.changes ?? [];
  // the markets name a price-source change's tokens: read only when one is scheduled
  const markets = useQuery({ ...marketsQuery, enabled: changes.some((change) => change.function === "setPriceFeed") });
  const admin = current.data?.admin;
  if (admin && !current.data?.timelocked) return <Untimelocked admin={admin} />;
  if (!changes.length) return null;
  return (
    <section className="banner banner--warning scheduled-changes" aria-label={t("governance.label")}>
      <strong className="scheduled-changes__title">{t("governance.label")}</strong>
      <ul className="scheduled-changes__list">
        {changes.map((change) => (
          <li key={change.id}>
            {changeText(change, i18n, markets.data)}{" "}
            <span className="scheduled-changes__when">
              {change.status === "due"
                ? t("governance.due")
                : t("governance.from", { when: i18n.formatDateTime(change.readyAt) })}
            </span>
          </li>
        ))}
      </ul>
      <p className="scheduled-changes__why">
        {t("governance.why")} <ExitLink />
      </p>
    </section>
  );
}

function Untimelocked({ admin }: { admin: string }) {
  const { t } = useI18n();
  return (
    <section className="banner banner--warning scheduled-changes" aria-label={t("governance.untimelocked.label")}>
      <strong className="scheduled-changes__title">{t("governance.untimelocked.label")}</strong>
      <p className="scheduled-changes__why">
        {t("governance.untimelocked.text", { admin })} <ExitLink />
      </p>
    </section>
  );
}

function ExitLink() {
  return <a href={`${paths.trading}#${EXIT_ANCHOR}`}>{useI18n().t("governance.exitLink")}</a>;
}

const NO_ADDRESS = /^0x0{40}$/;
const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What a change does, in words where the call is one of the Exchange's timelocked setters; `markets` name a price
 *  source's market. */
export function changeText(
  change: ScheduledChange,
  { t, formatFeeRate }: Pick<I18n, "t" | "formatFeeRate">,
  markets: readonly Market[] = [],
): string {
  const args = Object.fromEntries(change.arguments.map((item) => [item.name, item.value]));
  const words = (): string | null => {
    switch (change.function) {
      case "setFeeSchedule":
        if (args.makerFeeRate === undefined || args.takerFeeRate === undefined) return null;
        return t("governance.change.fees", {
          maker: formatFeeRate(Number(args.makerFeeRate)),
          taker: formatFeeRate(Number(args.takerFeeRate)),
        });
      case "setExitDelay":
        return args.exitDelay === undefined ? null : t("governance.change.exitDelay", { delay: durationText(BigInt(args.exitDelay), t) });
      case "addOperator":
        return args.operator === undefined ? null : t("governance.change.operator", { operator: args.operator });
      case "setAdmin":
        return args.admin === undefined ? null : t("governance.change.admin", { admin: args.admin });
      case "setFeeRecipient":
        return args.feeRecipient === undefined ? null : t("governance.change.feeRecipient", { recipient: args.feeRecipient });
      case "setPriceFeed": {
        const { baseToken: base, quoteToken: quote, feed, maxAge } = args;
        if (base === undefined || quote === undefined || feed === undefined || maxAge === undefined) return null;
        const known = markets.find((m) => sameAddress(m.baseToken.address, base) && sameAddress(m.quoteToken.address, quote));
        const market = known?.name ?? `${base}/${quote}`;
        if (NO_ADDRESS.test(feed)) return t("governance.change.priceSourceRemoved", { market });
        return t("governance.change.priceSource", { market, feed, maxAge: durationText(BigInt(maxAge), t) });
      }
      default:
        return null;
    }
  };
  return (change.contract === "Exchange" && words()) || t("governance.change.call", { call: change.description });
}
