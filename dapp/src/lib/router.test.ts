import { afterEach, describe, expect, it, vi } from "vitest";
import { isPlainClick, isStaffRoute, routeOf } from "./router";

describe("routeOf", () => {
  it("shows the trading page at the root, for a market path and for index.html", () => {
    for (const path of ["/", "", "/index.html", "/trade/WETH-USDC", "/trade/"]) expect(routeOf(path)).toEqual({ name: "trading" });
  });

  it("shows the account page at /account, with or without a trailing slash", () => {
    expect(routeOf("/account")).toEqual({ name: "account" });
    expect(routeOf("/account/")).toEqual({ name: "account" });
  });

  it("shows the back office with the section the path names, and no section for an odd one", () => {
    expect(routeOf("/backoffice")).toEqual({ name: "backoffice", section: null });
    expect(routeOf("/backoffice/kyc")).toEqual({ name: "backoffice", section: "kyc" });
    expect(routeOf("/backoffice/audit/")).toEqual({ name: "backoffice", section: "audit" });
    expect(routeOf("/backoffice/<script>")).toEqual({ name: "backoffice", section: null });
  });

  it("shows the statistics at /stats and hands support, help and forum pages the rest of their path", () => {
    expect(routeOf("/stats/")).toEqual({ name: "stats" });
    expect(routeOf("/support")).toEqual({ name: "support", rest: null });
    expect(routeOf("/support/12")).toEqual({ name: "support", rest: "12" });
    expect(routeOf("/help/getting-started/")).toEqual({ name: "help", rest: "getting-started" });
    expect(routeOf("/forum/t/7")).toEqual({ name: "forum", rest: "t/7" });
    expect(routeOf("/forums")).toEqual({ name: "not-found" });
  });

  it("knows the staff password link's page and calls anything else not found", () => {
    expect(routeOf("/staff/reset-password")).toEqual({ name: "staff-password" });
    expect(routeOf("/accounts")).toEqual({ name: "not-found" });
    expect(routeOf("/backofficer")).toEqual({ name: "not-found" });
  });

  it("tells the staff pages (which start no market data) from the wallet user's", () => {
    expect(["/backoffice/kyc", "/staff/reset-password", "/", "/account", "/nowhere"].map((path) => isStaffRoute(routeOf(path)))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("isPlainClick", () => {
  const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };

  it("takes a plain left click and leaves new-tab clicks and other buttons to the browser", () => {
    expect(isPlainClick(click)).toBe(true);
    expect(isPlainClick({ ...click, ctrlKey: true })).toBe(false);
    expect(isPlainClick({ ...click, metaKey: true })).toBe(false);
    expect(isPlainClick({ ...click, button: 1 })).toBe(false);
    expect(isPlainClick({ ...click, defaultPrevented: true })).toBe(false);
  });
});

describe("navigate", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  /** A window whose history moves a location, as a browser's does; `back()` fires popstate. */
  function fakeWindow(path: string) {
    const entries = [path];
    const listeners: (() => void)[] = [];
    const location = { pathname: path, search: "", hash: "" };
    const go = (url: string) => {
      const parsed = new URL(url, "http://hdex.test");
      Object.assign(location, { pathname: parsed.pathname, search: parsed.search, hash: parsed.hash });
    };
    return {
      location,
      history: {
        pushState: (_: unknown, __: string, url: string) => {
          entries.push(url);
          go(url);
        },
        replaceState: (_: unknown, __: string, url: string) => {
          entries[entries.length - 1] = url;
          go(url);
        },
        back: () => {
          entries.pop();
          go(entries[entries.length - 1] ?? "/");
          listeners.forEach((listener) => listener());
        },
      },
      addEventListener: (_: string, listener: () => void) => listeners.push(listener),
      scrollTo: vi.fn(),
      entries,
    };
  }

  it("pushes the new path, follows the back button, and replaces without a new entry", async () => {
    const window = fakeWindow("/trade/WETH-USDC");
    vi.stubGlobal("window", window);
    // A fresh router (and React with it) that starts from this window and listens to its popstate.
    vi.resetModules();
    const router = await import("./router");
    const { createElement } = await import("react");
    const { renderToStaticMarkup } = await import("react-dom/server");
    const Shown = () => {
      const { pathname, search } = router.useLocation();
      return `${router.useRoute().name} ${pathname}${search}`;
    };
    const shown = () => renderToStaticMarkup(createElement(Shown));
    expect(shown()).toBe("trading /trade/WETH-USDC");

    router.navigate("/account", { toTop: true });
    expect(window.entries).toEqual(["/trade/WETH-USDC", "/account"]);
    expect(window.scrollTo).toHaveBeenCalledWith(0, 0);
    expect(shown()).toBe("account /account");

    router.navigate("/account?verifyEmail=abc12345");
    expect(shown()).toBe("account /account?verifyEmail=abc12345");
    router.navigate("/account", { replace: true });
    expect(window.entries).toEqual(["/trade/WETH-USDC", "/account", "/account"]);
    expect(shown()).toBe("account /account");

    window.history.back();
    window.history.back();
    expect(shown()).toBe("trading /trade/WETH-USDC");
  });
});
