/** The help center's messages (src/i18n/locales/help/), added when its chunk loads. */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/help/*.json", { eager: true, import: "default" }));
