/**
 * The announcements in their window now, above every wallet user's page: a banner each for those placed as
 * banners (role "status", "alert" when critical), and a dialog for the first one placed as a dialog. Each can
 * be dismissed, and stays dismissed in this browser (dismissals.ts). Each is in the page's language where staff
 * translated it, else in English, marked with its `lang` (screen readers pronounce it as English). Titles are
 * text; bodies are the server's sanitized HTML (backend/markup.py), the only HTML inserted as HTML.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Dialog } from "../../components/ui";
import { useI18n } from "../../i18n";
import { announcementsApi, type Announcement } from "./announcements-api";
import { dismiss, readDismissed } from "./dismissals";
import "./announcements.css";

const REFRESH_MS = 60_000;

export function Announcements() {
  const { t, locale } = useI18n();
  const [dismissed, setDismissed] = useState<Set<number>>(() => readDismissed());
  const current = useQuery({
    queryKey: ["announcements", locale],
    queryFn: () => announcementsApi.current(locale),
    refetchInterval: REFRESH_MS,
    staleTime: 10_000,
  });
  const shown = (current.data?.announcements ?? []).filter((item) => !dismissed.has(item.id));
  const banners = shown.filter((item) => item.placement === "banner");
  const dialog = shown.find((item) => item.placement === "dialog") ?? null;
  const close = (id: number) => setDismissed(dismiss(id));

  if (!banners.length && !dialog) return null;
  return (
    <>
      {banners.length ? (
        <div className="announcements" aria-label={t("announcements.label")} role="region">
          {banners.map((item) => (
            <AnnouncementBanner key={item.id} item={item} onDismiss={() => close(item.id)} />
          ))}
        </div>
      ) : null}
      {dialog ? (
        <Dialog
          open
          title={dialog.title}
          titleLang={dialog.language}
          onClose={() => close(dialog.id)}
          footer={
            <button type="button" className="button button--primary" onClick={() => close(dialog.id)}>
              {t("announcements.acknowledge")}
            </button>
          }
        >
          <p className={`announcement__severity announcement__severity--${dialog.severity}`}>
            {t(`announcements.severity.${dialog.severity}`)}
          </p>
          <div className="announcement__body" lang={dialog.language} dangerouslySetInnerHTML={{ __html: dialog.bodyHtml }} />
        </Dialog>
      ) : null}
    </>
  );
}

export function AnnouncementBanner({ item, onDismiss }: { item: Announcement; onDismiss(): void }) {
  const { t } = useI18n();
  return (
    <div
      className={`banner announcement announcement--${item.severity}`}
      role={item.severity === "critical" ? "alert" : "status"}
      aria-label={item.title}
    >
      <span className="announcement__severity">{t(`announcements.severity.${item.severity}`)}</span>
      <strong className="announcement__title" lang={item.language}>
        {item.title}
      </strong>
      <div className="announcement__body" lang={item.language} dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />
      <button type="button" className="announcement__dismiss" aria-label={t("announcements.dismiss")} onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
