import { describe, expect, it } from "vitest";

// The stylesheet as written (vitest hands CSS imports over empty); the tests run in Node.
const fsModule = "node:fs";
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: URL, encoding: "utf8"): string };
const css = readFileSync(new URL("./dialog.css", import.meta.url), "utf8");

/** The declarations of the rule for exactly `selector`. */
function rule(selector: string): string {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?:^|\\n)${escaped}\\s*\\{([^}]*)\\}`).exec(css)?.[1] ?? "";
}

describe("the dialog's header", () => {
  it("wraps a title with a long unbroken word (a wallet address) instead of overflowing", () => {
    expect(rule(".dialog__header h2")).toMatch(/min-width:\s*0/);
    expect(rule(".dialog__header h2")).toMatch(/overflow-wrap:\s*anywhere/);
  });

  it("keeps the close button its size, so it stays in view beside a long title", () => {
    expect(rule(".dialog__close")).toMatch(/flex-shrink:\s*0/);
  });
});
