/**
 * A minimal router on the history API: a few pages, each a path the API answers with index.html
 * (backend/api/dapp.py). `/` and `/trade/<market>` trade, `/account` is the wallet user's account,
 * `/stats` the public statistics, `/support[/...]`, `/help[/...]` and `/forum[/...]` the support desk, the
 * help center and the forum (each page reads its own `rest` of the path), `/backoffice[/<section>]` the
 * staff pages, `/staff/reset-password` the staff password link.
 */
import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { createStore, useStore } from "./store";

export type Route =
  | { name: "trading" }
  | { name: "account" }
  | { name: "stats" }
  | { name: "support"; rest: string | null }
  | { name: "help"; rest: string | null }
  | { name: "forum"; rest: string | null }
  | { name: "backoffice"; section: string | null }
  | { name: "staff-password" }
  | { name: "not-found" };

/** The staff pages: a chunk of their own that needs neither the markets nor the price stream. */
export type StaffRoute = Extract<Route, { name: "backoffice" | "staff-password" }>;

export function isStaffRoute(route: Route): route is StaffRoute {
  return route.name === "backoffice" || route.name === "staff-password";
}

export interface Location {
  pathname: string;
  search: string;
  hash: string;
}

export const paths = {
  trading: "/",
  account: "/account",
  stats: "/stats",
  support: "/support",
  help: "/help",
  forum: "/forum",
  backoffice: "/backoffice",
  staffPassword: "/staff/reset-password",
} as const;

/** The page a path shows. Trailing slashes do not matter; `/trade/...` is the trading page's market. */
export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/index.html" || path === "/trade" || path.startsWith("/trade/")) return { name: "trading" };
  if (path === paths.account) return { name: "account" };
  if (path === paths.stats) return { name: "stats" };
  for (const name of ["support", "help", "forum"] as const) {
    const base = paths[name];
    if (path === base) return { name, rest: null };
    if (path.startsWith(`${base}/`)) return { name, rest: path.slice(base.length + 1) };
  }
  if (path === paths.staffPassword) return { name: "staff-password" };
  if (path === paths.backoffice) return { name: "backoffice", section: null };
  if (path.startsWith(`${paths.backoffice}/`)) {
    const section = path.slice(paths.backoffice.length + 1);
    return { name: "backoffice", section: /^[a-z-]+$/.test(section) ? section : null };
  }
  return { name: "not-found" };
}

function currentLocation(): Location {
  if (typeof window === "undefined") return { pathname: "/", search: "", hash: "" };
  const { pathname, search, hash } = window.location;
  return { pathname, search, hash };
}

const locationStore = createStore<Location>(currentLocation());

function sync(): void {
  const next = currentLocation();
  const now = locationStore.get();
  if (next.pathname !== now.pathname || next.search !== now.search || next.hash !== now.hash) locationStore.set(next);
}

if (typeof window !== "undefined") window.addEventListener("popstate", sync);

/**
 * Go to `to` (a same-origin path with its query) without reloading; `replace` rewrites the current entry,
 * `toTop` scrolls to the top as a new page would.
 */
export function navigate(to: string, options: { replace?: boolean; toTop?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  sync();
  if (options.toTop) window.scrollTo?.(0, 0);
}

/** The location, kept current across navigate() and the back and forward buttons. */
export function useLocation(): Location {
  return useStore(locationStore);
}

export function useRoute(): Route {
  return routeOf(useLocation().pathname);
}

/** Whether a click should stay a normal browser click (new tab, download, modified). */
export function isPlainClick(event: Pick<MouseEvent, "button" | "metaKey" | "ctrlKey" | "shiftKey" | "altKey" | "defaultPrevented">): boolean {
  return !event.defaultPrevented && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
}

/** An <a> to a page of the app: a plain click navigates in place, any other click does what browsers do. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  return (
    <a
      href={to}
      {...rest}
      onClick={(event) => {
        onClick?.(event);
        if (!isPlainClick(event) || rest.target) return;
        event.preventDefault();
        navigate(to, { toTop: true });
      }}
    >
      {children}
    </a>
  );
}
