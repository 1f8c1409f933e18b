import { lazy } from "react";

/** The public statistics page (`/stats`), in its own chunk. */
export const StatsPage = lazy(() => import("./stats-page"));
