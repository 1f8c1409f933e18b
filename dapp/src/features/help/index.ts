import { lazy } from "react";

/** The help center's articles (`/help[/<slug>]`), in its own chunk. */
export const HelpCenter = lazy(() => import("./help-center"));
