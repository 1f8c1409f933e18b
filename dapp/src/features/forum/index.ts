import { lazy } from "react";

/** The forum (`/forum[/...]`), in its own chunk. */
export const ForumPage = lazy(() => import("./forum-page"));
