"""Emails to complainants, in the language they chose. Sent after the transaction commits
(``transaction.on_commit``) by the services; callers log failures, never raise them."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from peelian.web.context_processors import site_name


def tracking_url(code: str) -> str:
    """The private tracking address of a code: absolute when ``PEELIAN_PUBLIC_URL`` (the
    site's public address, such as https://oversight.example.gov) is set."""
    path = reverse("complaints:track_case", args=[code])
    base = str(getattr(settings, "PEELIAN_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def send_complaint_received(*, complaint_id: int, to: str, code: str, language: str) -> None:
    """The confirmation: the tracking code and how to follow the case. Nothing of what the
    person wrote is repeated (mail is not a private channel)."""
    with translation.override(language):
        context = {
            "site_name": site_name(),
            "code": code,
            "url": tracking_url(code),
            "track_url": tracking_url(code).rsplit("/", 2)[0] + "/",
        }
        subject = render_to_string("oversight/email/complaint_received_subject.txt", context)
        body = render_to_string("oversight/email/complaint_received.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])
