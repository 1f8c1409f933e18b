/** The forum's messages (src/i18n/locales/forum/), added when its chunk loads. */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/forum/*.json", { eager: true, import: "default" }));
