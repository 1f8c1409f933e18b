/**
 * How a fetched file (a KYC document, a ticket's attachment) is shown. Only the three types the server
 * accepts are displayed as themselves; anything else (or a type the server did not send) becomes an opaque
 * download, so a blob: URL of this origin can never be rendered as a page or an SVG with scripts.
 */
export type DocumentView = "image" | "pdf" | "file";

const VIEWS: Record<string, DocumentView> = {
  "image/png": "image",
  "image/jpeg": "image",
  "application/pdf": "pdf",
};

export function documentView(contentType: string): DocumentView {
  return VIEWS[contentType.toLowerCase()] ?? "file";
}

/** The type the blob: URL is made with: the document's own when it is one of the three, else octet-stream. */
export function safeBlobType(contentType: string): string {
  return documentView(contentType) === "file" ? "application/octet-stream" : contentType.toLowerCase();
}

const EXTENSIONS: Record<DocumentView, string> = { image: "", pdf: ".pdf", file: ".bin" };

/** A download name: the stem (only letters, digits, "_" and "-" kept) and the type's extension. */
export function documentFileName(stem: string, contentType: string): string {
  const view = documentView(contentType);
  const extension = view === "image" ? (contentType.toLowerCase() === "image/png" ? ".png" : ".jpg") : EXTENSIONS[view];
  return `${stem.replace(/[^A-Za-z0-9_-]/g, "")}${extension}`;
}
