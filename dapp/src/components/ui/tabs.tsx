/** WAI-ARIA tabs: a tablist with roving focus (arrows, Home, End) and one panel for the selected tab. */
import { useId, useRef, type KeyboardEvent, type ReactNode } from "react";
import "./tabs.css";

export interface TabItem<Id extends string> {
  id: Id;
  label: string;
}

interface TabsProps<Id extends string> {
  /** The tablist's accessible name ("Chart interval", "Account"). */
  label: string;
  tabs: readonly TabItem<Id>[];
  selected: Id;
  onSelect(id: Id): void;
  /** The selected tab's panel. */
  children?: ReactNode;
  className?: string;
  /** Extra controls on the tab row's right (an export button, a toggle). */
  actions?: ReactNode;
}

export function Tabs<Id extends string>({ label, tabs, selected, onSelect, children, className, actions }: TabsProps<Id>) {
  const prefix = useId();
  const refs = useRef(new Map<Id, HTMLButtonElement>());

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = tabs.findIndex((tab) => tab.id === selected);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = tabs[(target + tabs.length) % tabs.length];
    if (!next) return;
    onSelect(next.id);
    refs.current.get(next.id)?.focus();
  }

  return (
    <div className={`tabs ${className ?? ""}`}>
      <div className="tabs__row">
        <div role="tablist" aria-label={label} className="tabs__list" onKeyDown={onKeyDown}>
          {tabs.map((tab) => (
            <button
              key={tab.id}
              ref={(element) => {
                if (element) refs.current.set(tab.id, element);
                else refs.current.delete(tab.id);
              }}
              type="button"
              role="tab"
              id={`${prefix}-tab-${tab.id}`}
              aria-selected={tab.id === selected}
              aria-controls={`${prefix}-panel`}
              tabIndex={tab.id === selected ? 0 : -1}
              className="tabs__tab"
              onClick={() => onSelect(tab.id)}
            >
              {tab.label}
            </button>
          ))}
        </div>
        {actions ? <div className="tabs__actions">{actions}</div> : null}
      </div>
      {children !== undefined ? (
        <div role="tabpanel" id={`${prefix}-panel`} aria-labelledby={`${prefix}-tab-${selected}`} className="tabs__panel">
          {children}
        </div>
      ) : null}
    </div>
  );
}
