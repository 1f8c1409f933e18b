"""Outgoing e-mail: one `Mailer` interface, SMTP when HDEX_SMTP_HOST is set, files under the data dir
otherwise (development), chosen by `mailer_for(settings)`."""

from backend.mail.mailer import FileMailer, Mail, Mailer, SmtpMailer, domain_of, failure_text, mailer_for, one_line

__all__ = ["FileMailer", "Mail", "Mailer", "SmtpMailer", "domain_of", "failure_text", "mailer_for", "one_line"]
