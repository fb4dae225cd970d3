"""Send e-mail over SMTP, or write it to the log when no mail server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str, message_id: str | None = None) -> None:
    """Send a plain-text message (development: logged instead). ``message_id`` is the
    outbox's delivery key, so a receiver can drop a duplicate."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        current_app.logger.warning("E-MAIL to=%s subject=%s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        host = config["MAIL_SENDER"].rsplit("@", 1)[-1].strip("> ") or "localhost"
        message["Message-ID"] = f"<{message_id}@{host}>"
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_STARTTLS", True):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
