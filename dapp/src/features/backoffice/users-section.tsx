/** "Users": look a user up by wallet or e-mail, then open one (users-detail.tsx). */
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { countryName } from "../../lib/countries";
import { QueryTable } from "./query-table";
import { staffApi } from "./staff-api";
import type { StaffMember, UserHit } from "./staff-types";
import { UserDetailView } from "./user-detail";

const MAX_QUERY_CHARS = 320;

export function UsersSection({ member }: { member: StaffMember }) {
  const { t, locale, formatDate } = useI18n();
  const [text, setText] = useState("");
  const [query, setQuery] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [attempted, setAttempted] = useState(false);
  const hits = useQuery({
    queryKey: ["staff", "users", "search", query],
    queryFn: () => staffApi.searchUsers(query ?? ""),
    enabled: query !== null,
  });

  function search(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    const q = text.trim();
    if (!q || q.length > MAX_QUERY_CHARS) return;
    setQuery(q);
    setSelected(null);
  }

  const columns: Column<UserHit>[] = [
    { id: "wallet", header: t("backoffice.col.wallet"), cell: (u) => <code>{u.address}</code> },
    { id: "email", header: t("backoffice.col.email"), cell: (u) => u.email ?? t("common.none") },
    { id: "level", header: t("kyc.col.level"), cell: (u) => t("kyc.levelName", { level: u.level }) },
    { id: "country", header: t("profile.country"), cell: (u) => (u.country ? countryName(u.country, locale) : t("common.none")) },
    { id: "since", header: t("backoffice.col.since"), cell: (u) => (u.createdAt === null ? t("common.none") : formatDate(u.createdAt)) },
    {
      id: "action",
      header: t("kyc.col.action"),
      cell: (u) => (
        <button
          type="button"
          className="button button--small"
          aria-label={t("backoffice.rowAction", { action: t("backoffice.users.open"), row: u.address })}
          onClick={() => setSelected(u.address)}
          aria-pressed={selected === u.address}
        >
          {t("backoffice.users.open")}
        </button>
      ),
    },
  ];

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.users.title")}</h2>
      <form className="backoffice-section__filters" onSubmit={search} noValidate aria-label={t("backoffice.users.searchForm")}>
        <Field
          label={t("backoffice.users.query")}
          type="search"
          value={text}
          maxLength={MAX_QUERY_CHARS}
          onChange={(event) => setText(event.target.value)}
          error={attempted && !text.trim() ? t("backoffice.users.queryRequired") : null}
        />
        <button type="submit" className="button button--primary">
          {t("backoffice.users.search")}
        </button>
      </form>
      {query !== null ? (
        <QueryTable
          label={t("backoffice.users.results")}
          columns={columns}
          rows={hits.data?.users}
          rowKey={(u) => u.address}
          query={hits}
          empty={t("backoffice.users.none")}
          height={200}
        />
      ) : null}
      {selected ? <UserDetailView key={selected} address={selected} member={member} /> : null}
    </section>
  );
}
