import { lazy } from "react";

/** The signed-in user's tickets (`/support[/<id>]`), in its own chunk. */
export const SupportPage = lazy(() => import("./support-page"));
