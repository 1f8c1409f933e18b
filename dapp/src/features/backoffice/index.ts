import { lazy } from "react";

/** The staff back office and the staff password page, in a chunk of their own (traders never download it). */
export const BackOffice = lazy(() => import("./backoffice-app"));
