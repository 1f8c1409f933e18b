/** The top bar's "Account" link, shown once the wallet is signed in. */
import { useI18n } from "../../i18n";
import { Link, paths, useRoute } from "../../lib/router";
import { useAuth } from "../auth";

export function AccountLink() {
  const { t } = useI18n();
  const { status } = useAuth();
  const route = useRoute();
  if (status !== "signed-in") return null;
  return (
    <Link to={paths.account} className="button button--small button--ghost" aria-current={route.name === "account" ? "page" : undefined}>
      {t("nav.account")}
    </Link>
  );
}
