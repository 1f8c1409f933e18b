/** CSV text (RFC 4180): cells with a comma, quote or line break are quoted, quotes doubled. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  // A leading "=", "+", "-" or "@" would be a formula in spreadsheets (so would one after a leading tab or
  // carriage return, which they drop): a quote mark makes it text. Only a whole negative number is left as it
  // is ("-1+HYPERLINK(...)" starts like one and is a formula).
  const safe = (value: string) => (/^[=+\-@\t\r]/.test(value) && !/^-\d+(\.\d+)?$/.test(value) ? `'${value}` : value);
  return [header, ...rows].map((row) => row.map((value) => cell(safe(value))).join(",")).join("\r\n") + "\r\n";
}

/** A time (epoch ms) as a CSV cell: ISO 8601 in UTC, which spreadsheets read whatever the viewer's language. */
export function csvTime(ms: number | null): string {
  return ms === null ? "" : new Date(ms).toISOString();
}

/** Let the browser save `text` as a file. */
export function downloadText(fileName: string, text: string, type = "text/csv;charset=utf-8"): void {
  downloadBlob(fileName, new Blob([text], { type }));
}

/** Let the browser save `blob` as a file. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
