import { catalogues, locales } from "./catalogues";
import { useI18n } from "./i18n-context";

/** A select of every catalogue, each language named in itself. */
export function LanguageSwitcher() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label className="language-switcher">
      <span className="visually-hidden">{t("app.language")}</span>
      <select value={locale} onChange={(event) => setLocale(event.target.value)} aria-label={t("app.language")}>
        {locales.map((code) => (
          <option key={code} value={code} lang={code}>
            {catalogues[code]?.["app.languageName"] ?? code}
          </option>
        ))}
      </select>
    </label>
  );
}
