/** The account page's messages (src/i18n/locales/account/), added when this chunk loads. */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/account/*.json", { eager: true, import: "default" }));
