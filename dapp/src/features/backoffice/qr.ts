/**
 * The TOTP provisioning QR code arrives as an SVG document. It is shown as an <img> of a data: URL: an
 * image never runs the scripts or loads the links an SVG may hold, and the page's DOM never takes the
 * server's markup (no innerHTML anywhere).
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A base32 secret in groups of four, easier to type into an authenticator app. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");
}
