export { addCatalogues, catalogues, locales, translate, type Catalogue, type MessageKey, type MessageParams } from "./catalogues";
export { I18nProvider, useI18n, type I18n } from "./i18n-context";
export { LanguageSwitcher } from "./language-switcher";
