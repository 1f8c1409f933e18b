/**
 * The back office (`/backoffice/<section>`), a chunk of its own: staff sign-in, then one tab per section
 * the role may see (from GET /v1/staff/me). The session ends on sign-out, at its absolute end, or on the
 * first 401 (idle timeout, signed out elsewhere): the page goes back to the sign-in and forgets what it read.
 */
import "./messages"; // before anything renders a message of this chunk
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { StatusMessage, Tabs } from "../../components/ui";
import { LanguageSwitcher, useI18n } from "../../i18n";
import { navigate, paths, type StaffRoute } from "../../lib/router";
import { useStore } from "../../lib/store";
import { AlertsSection } from "./alerts-section";
import { AnnouncementsSection } from "./announcements-section";
import { AuditLogSection } from "./audit-log-section";
import { CasesSection } from "./cases-section";
import { DenylistSection } from "./denylist-section";
import { FrozenSection } from "./frozen-section";
import { ForumSection } from "./forum-section";
import { HelpSection } from "./help-section";
import { KycReviewSection } from "./kyc-review-section";
import { MarketsSection } from "./markets-section";
import { PasswordPage } from "./password-page";
import { sectionFor, visibleSections, type SectionId } from "./permissions";
import { RiskSection } from "./risk-section";
import { SignIn } from "./sign-in";
import { sessionEnded, staffApi, staffSession } from "./staff-api";
import { staffErrorText } from "./staff-errors";
import { StaffSection } from "./staff-section";
import { StatsSection } from "./stats-section";
import { SupportSection } from "./support-section";
import type { StaffMember, StaffSession } from "./staff-types";
import { UsersSection } from "./users-section";
import "./backoffice.css";

export default function BackOfficeApp({ route }: { route: StaffRoute }) {
  const { t } = useI18n();
  return (
    <div className="app backoffice">
      <header className="topbar">
        <a className="backoffice__brand" href={paths.trading}>
          HDEX
        </a>
        <h1 className="backoffice__title">{t("backoffice.title")}</h1>
        <div className="topbar__actions">
          <LanguageSwitcher />
          <SessionControls />
        </div>
      </header>
      <main className="app__main">{route.name === "staff-password" ? <PasswordPage /> : <Workspace section={route.section} />}</main>
    </div>
  );
}

/** Reads the session once, then shows the sign-in or the sections. */
function Workspace({ section }: { section: string | null }) {
  const { t } = useI18n();
  const state = useStore(staffSession);
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<unknown>(null);

  useEffect(() => {
    if (staffSession.get().status !== "unknown") return;
    staffApi.session().then(
      (session) => (session ? staffSession.set({ status: "signed-in", session }) : sessionEnded(null)),
      setFailure,
    );
  }, []);

  // What one member of staff read is not left in memory for whoever signs in next.
  useEffect(() => {
    if (state.status === "signed-out") queryClient.removeQueries({ queryKey: ["staff"] });
  }, [state.status, queryClient]);

  if (failure) return <StatusMessage kind="error">{staffErrorText(failure, t)}</StatusMessage>;
  if (state.status === "unknown") return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  if (state.status === "signed-out")
    return <SignIn notice={state.reason} onSignedIn={(session) => staffSession.set({ status: "signed-in", session })} />;
  return <Sections session={state.session} requested={section} />;
}

/** At the session's absolute end, and at its idle end unless the server says it was extended, sign out. */
function useSessionExpiry(session: StaffSession) {
  useEffect(() => {
    const now = Date.now();
    const absolute = setTimeout(() => sessionEnded("expired"), Math.max(0, session.expiresAt - now));
    const idle = setTimeout(() => {
      staffApi.session().then(
        (fresh) => (fresh ? staffSession.set({ status: "signed-in", session: fresh }) : sessionEnded("expired")),
        () => undefined, // offline: the next request decides
      );
    }, Math.max(0, session.idleExpiresAt - now + 1_000));
    return () => {
      clearTimeout(absolute);
      clearTimeout(idle);
    };
  }, [session]);
}

function Sections({ session, requested }: { session: StaffSession; requested: string | null }) {
  const { t } = useI18n();
  useSessionExpiry(session);
  // Permissions come from /v1/staff/me, read again every 30 s (a role an admin changed shows within that, without a
  // reload); the session's copy until then.
  const me = useQuery({
    queryKey: ["staff", "me"],
    queryFn: staffApi.me,
    initialData: session.staff,
    staleTime: 30_000,
    refetchInterval: 30_000,
  });
  const member: StaffMember = me.data;
  const sections = visibleSections(member);
  const current = sectionFor(member, requested);

  if (!current) return <StatusMessage kind="empty">{t("backoffice.nothingToSee")}</StatusMessage>;
  return (
    <Tabs<SectionId>
      label={t("backoffice.sections")}
      tabs={sections.map((section) => ({ id: section.id, label: t(section.title) }))}
      selected={current.id}
      onSelect={(id) => navigate(`${paths.backoffice}/${id}`)}
    >
      <div className="backoffice__panel">
        {current.id === "kyc" ? <KycReviewSection member={member} /> : null}
        {current.id === "alerts" ? <AlertsSection member={member} /> : null}
        {current.id === "cases" ? <CasesSection member={member} /> : null}
        {current.id === "risk" ? <RiskSection member={member} /> : null}
        {current.id === "users" ? <UsersSection member={member} /> : null}
        {current.id === "support" ? <SupportSection member={member} /> : null}
        {current.id === "help" ? <HelpSection member={member} /> : null}
        {current.id === "forum" ? <ForumSection member={member} /> : null}
        {current.id === "announcements" ? <AnnouncementsSection member={member} /> : null}
        {current.id === "stats" ? <StatsSection member={member} /> : null}
        {current.id === "denylist" ? <DenylistSection member={member} /> : null}
        {current.id === "frozen" ? <FrozenSection member={member} /> : null}
        {current.id === "markets" ? <MarketsSection /> : null}
        {current.id === "audit" ? <AuditLogSection /> : null}
        {current.id === "staff" ? <StaffSection member={member} /> : null}
      </div>
    </Tabs>
  );
}

/** "Signed in as ..." and "Sign out", in the header while signed in. */
function SessionControls() {
  const { t } = useI18n();
  const state = useStore(staffSession);
  const [pending, setPending] = useState(false);
  if (state.status !== "signed-in") return null;
  const { staff } = state.session;

  async function signOut() {
    setPending(true);
    try {
      await staffApi.logout();
    } catch {
      // The cookie may already be gone; either way this page forgets the session.
    } finally {
      setPending(false);
      sessionEnded("signed-out");
    }
  }

  return (
    <div className="backoffice__who">
      <span className="muted">{t("backoffice.signedInAs", { email: staff.email, role: t(`backoffice.role.${staff.role}`) })}</span>
      <button type="button" className="button button--small button--ghost" onClick={() => void signOut()} disabled={pending}>
        {t("backoffice.signOut")}
      </button>
    </div>
  );
}
