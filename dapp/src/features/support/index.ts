import { lazy } from "react";

/** The signed-in user's tickets (`/support[/<id>]`), in its own chunk. */
export const SupportPage = lazy(() => import("./support-page"));

/** The help center's articles (`/help[/<slug>]`), in the same chunk. */
export const HelpCenter = lazy(() => import("./help-center"));
