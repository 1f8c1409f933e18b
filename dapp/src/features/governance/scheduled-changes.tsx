/**
 * "Scheduled changes to the exchange", above every page: what the exchange's owners scheduled through the Custody
 * timelock. A change that can hurt users (fees, operators, the exit delay, the admin) waits out the timelock, which
 * outlasts the exit delay, so a user who disagrees can take their funds out first through the escape hatch; but
 * only a user who hears of it. Fee and exit-delay changes are said in words; any other shows the call the chain will
 * run. Nothing is shown while nothing is scheduled, or while the server cannot read the chain.
 *
 * An exchange whose admin is not its Custody (handed over, by stolen keys for instance) announces nothing and waits
 * for nothing: that is said instead, with the same way out.
 */
import { useQuery } from "@tanstack/react-query";
import { useI18n, type I18n } from "../../i18n";
import { paths } from "../../lib/router";
import { durationText, EXIT_ANCHOR } from "../exit";
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
  const admin = current.data?.admin;
  if (admin && !current.data?.timelocked) return <Untimelocked admin={admin} />;
  const changes = current.data?.changes ?? [];
  if (!changes.length) return null;
  return (
    <section className="banner banner--warning scheduled-changes" aria-label={t("governance.label")}>
      <strong className="scheduled-changes__title">{t("governance.label")}</strong>
      <ul className="scheduled-changes__list">
        {changes.map((change) => (
          <li key={change.id}>
            {changeText(change, i18n)}{" "}
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

/** What a change does, in words where the call is known. */
export function changeText(change: ScheduledChange, { t, formatFeeRate }: Pick<I18n, "t" | "formatFeeRate">): string {
  const argument = (name: string) => change.arguments.find((item) => item.name === name)?.value;
  if (change.contract === "Exchange" && change.function === "setFeeSchedule") {
    const maker = argument("makerFeeRate");
    const taker = argument("takerFeeRate");
    if (maker !== undefined && taker !== undefined)
      return t("governance.change.fees", { maker: formatFeeRate(Number(maker)), taker: formatFeeRate(Number(taker)) });
  }
  if (change.contract === "Exchange" && change.function === "setExitDelay") {
    const delay = argument("exitDelay");
    if (delay !== undefined) return t("governance.change.exitDelay", { delay: durationText(BigInt(delay), t) });
  }
  return t("governance.change.call", { call: change.description });
}
