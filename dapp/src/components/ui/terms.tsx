/** What a confirmation says will be signed: its terms and their values, in a definition list. */
import type { ReactNode } from "react";
import "./terms.css";

export function Terms({ rows }: { rows: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="terms">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd className="num">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
