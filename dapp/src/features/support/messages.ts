/** The support desk's messages (src/i18n/locales/support/), added when its chunk loads. */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/support/*.json", { eager: true, import: "default" }));
