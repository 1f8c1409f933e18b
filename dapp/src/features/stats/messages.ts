/** The statistics page's messages (src/i18n/locales/stats/), added when its chunk loads. */
import { addCatalogues, type Catalogue } from "../../i18n";

addCatalogues(import.meta.glob<Catalogue>("../../i18n/locales/stats/*.json", { eager: true, import: "default" }));
