/**
 * A file fetched only when asked (the server may audit-log each access), then shown from a blob: URL: PNG and
 * JPEG as an image, PDF as a download link (browsers refuse their PDF viewer inside a sandboxed frame),
 * anything else as an opaque download. `errorText` words a refused fetch for the page it is on.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { useI18n } from "../../i18n";
import type { Download } from "../../lib/api-client";
import { documentFileName, documentView, safeBlobType, type DocumentView } from "./file-view";
import "./file-viewer.css";

interface Shown {
  url: string;
  view: DocumentView;
  fileName: string;
}

export interface ViewedFile {
  fetchFile: () => Promise<Download>;
  /** What the file is, in words: the shown image's text. */
  label: string;
  /** The download's name before its extension (which the type gives). */
  fileStem: string;
  /** The type the server recorded, used when the download does not say. */
  contentType: string;
  caption?: ReactNode;
  openLabel: string;
  downloadLabel: string;
  errorText: (error: unknown) => string;
}

export function FileViewer({ fetchFile, label, fileStem, contentType, caption, openLabel, downloadLabel, errorText }: ViewedFile) {
  const { t } = useI18n();
  const [shown, setShown] = useState<Shown | null>(null);
  const open = useMutation({
    mutationFn: fetchFile,
    onSuccess: (file) => {
      const type = file.contentType || contentType;
      const url = URL.createObjectURL(new Blob([file.blob], { type: safeBlobType(type) }));
      setShown({ url, view: documentView(type), fileName: documentFileName(fileStem, type) });
    },
  });

  // The blob: URL holds the file in memory until revoked.
  useEffect(() => () => void (shown && URL.revokeObjectURL(shown.url)), [shown]);

  return (
    <figure className="document">
      {caption ? <figcaption>{caption}</figcaption> : null}
      {shown ? (
        <>
          {shown.view === "image" ? <img className="document__image" src={shown.url} alt={label} /> : null}
          <a href={shown.url} download={shown.fileName} className="button button--small">
            {downloadLabel}
          </a>
        </>
      ) : (
        <button type="button" className="button button--small" onClick={() => open.mutate()} disabled={open.isPending}>
          {open.isPending ? t("common.loading") : openLabel}
        </button>
      )}
      {open.error ? (
        <p className="form-error" role="alert">
          {errorText(open.error)}
        </p>
      ) : null}
    </figure>
  );
}
