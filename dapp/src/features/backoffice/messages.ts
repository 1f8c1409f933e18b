/** The back office's messages and the account page's it shares (KYC, limits), added when this chunk loads. */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/account/*.json", { eager: true, import: "default" }));
addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/backoffice/*.json", { eager: true, import: "default" }));
