import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { AuditLogSection } from "./audit-log-section";

const markup = providedMarkup(<AuditLogSection />, [[["staff", "audit", {}], { pages: [{ entries: [], next: null }], pageParams: [null] }]]);
const hintOf = (label: string) => {
  const id = new RegExp(`<label for="([^"]+)" class="field__label">${label}</label>`).exec(markup)?.[1];
  return new RegExp(`<p id="${id}-hint" class="field__hint">([^<]+)</p>`).exec(markup)?.[1];
};

describe("the audit log's filters", () => {
  it("say what each accepts", () => {
    expect(hintOf("Actor")).toBe("A staff e-mail (name@hdex.example), or as listed: staff:…, cli:…");
    expect(hintOf("Action")).toBe("An action (case.open), or its first parts: case finds every case action.");
    expect(hintOf("Target")).toBe("Exactly as listed (case:12, wallet:0x…), or a staff e-mail.");
  });
});
