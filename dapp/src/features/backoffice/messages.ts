/**
 * The back office's messages, the account page's it shares (KYC, limits) and those of the features whose
 * staff side it shows (statistics, support, help center, forum, announcements), added when this chunk loads.
 */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/account/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/backoffice/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/stats/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/support/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/help/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/forum/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/announcements/*.json", { eager: true, import: "default" }));
