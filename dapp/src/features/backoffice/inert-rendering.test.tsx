import "./messages";
import { describe, expect, it } from "vitest";
import { documentFileName, documentView, safeBlobType } from "../../components/ui";
import { svgDataUrl } from "./qr";
import { TotpSetupView } from "./sign-in";
import { providedMarkup } from "../../testing/markup";

const HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect/></svg>';

describe("the TOTP provisioning QR code", () => {
  it("is an image of a data: URL, so the server's SVG never becomes markup in the page", () => {
    const markup = providedMarkup(<TotpSetupView setup={{ uri: "otpauth://totp/HDEX:ada", qrSvg: HOSTILE_SVG, secret: "JBSWY3DPEHPK3PXPJBSWY3DP" }} />);
    expect(markup).toContain(`src="${svgDataUrl(HOSTILE_SVG).replace(/&/g, "&amp;")}"`);
    expect(markup).toContain('alt="QR code for your authenticator app"');
    expect(markup).not.toContain("<svg");
    expect(markup).not.toContain("<script");
    expect(markup).toContain("JBSW Y3DP EHPK 3PXP JBSW Y3DP");
  });

  it("encodes every character that could end the attribute or the URL", () => {
    expect(svgDataUrl(HOSTILE_SVG)).toMatch(/^data:image\/svg\+xml;charset=utf-8,[^<>"' ]+$/);
  });
});

describe("a KYC document's display", () => {
  it("shows PNG and JPEG as images, PDF as a PDF, and anything else as an opaque download", () => {
    expect(["image/png", "IMAGE/JPEG", "application/pdf", "text/html", "image/svg+xml", ""].map(documentView)).toEqual([
      "image",
      "image",
      "pdf",
      "file",
      "file",
      "file",
    ]);
  });

  it("never makes a blob: URL of this origin that a browser would render as a page or a script", () => {
    expect(safeBlobType("text/html")).toBe("application/octet-stream");
    expect(safeBlobType("image/svg+xml")).toBe("application/octet-stream");
    expect(safeBlobType("application/pdf")).toBe("application/pdf");
  });

  it("names downloads from the kind, the submission and the type, never from the user's file name", () => {
    expect(documentFileName("identity-42", "image/png")).toBe("identity-42.png");
    expect(documentFileName("proof_of_address-../../x", "application/pdf")).toBe("proof_of_address-x.pdf");
    expect(documentFileName("identity-7", "text/html")).toBe("identity-7.bin");
  });
});

