"""What every public page needs: the site's name, the primary navigation, the staff slot."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.functional import Promise
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _

from peelian.core.strategies import STRATEGIES

STAFF_NAV_TEMPLATE = "accounts/_staff_nav.html"


@dataclass(frozen=True)
class NavItem:
    title: str | Promise
    href: str
    # "page" when this is the page being shown, "true" when it is inside this section,
    # "" otherwise: the value of the link's aria-current attribute.
    current: str
    number: int | None = None


def site_name() -> str:
    """The agency's name (``PEELIAN_AGENCY_NAME``), or "Peelian" when none is set."""
    return str(settings.PEELIAN_AGENCY_NAME).strip() or "Peelian"


@cache
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _current(path: str, href: str, *, section: bool) -> str:
    if path == href:
        return "page"
    if section and path.startswith(href):
        return "true"
    return ""


def primary_nav(path: str) -> list[NavItem]:
    items = []
    for strategy in STRATEGIES:
        href = reverse("web:strategy", args=[strategy.slug])
        items.append(
            NavItem(
                strategy.title, href, _current(path, href, section=False), number=strategy.number
            )
        )
    for url_name, title in (("web:open_data", _("Open data")), ("web:statistics", _("Statistics"))):
        href = reverse(url_name)
        items.append(NavItem(title, href, _current(path, href, section=True)))
    return items


def language_neutral_path(request: HttpRequest) -> str:
    """The current address without its language prefix (``/es/open-data/?q=1`` ->
    ``/open-data/?q=1``): the ``next`` of the language switch.

    Django's ``set_language`` view runs outside the language prefix, so in the default
    language; it can translate ``/open-data/`` into any language but cannot resolve
    ``/es/open-data/`` to translate it back into English.
    """
    path_info = request.path_info
    language = get_language_from_path(path_info)
    if language and language != settings.LANGUAGE_CODE:
        prefix = f"/{language}"
        if path_info == prefix or path_info.startswith(prefix + "/"):
            path_info = path_info[len(prefix) :] or "/"
    script_name = request.path[: len(request.path) - len(request.path_info)]
    query = request.META.get("QUERY_STRING", "")
    return escape_uri_path(script_name + path_info) + ("?" + iri_to_uri(query) if query else "")


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "agency_name": settings.PEELIAN_AGENCY_NAME,
        "site_name": site_name(),
        "strategies": STRATEGIES,
        "primary_nav": primary_nav(request.path),
        "language_switch_next": language_neutral_path(request),
        # The staff navigation belongs to the accounts app; the frame shows it to signed-in
        # users only, and only if that app provides it.
        "staff_nav_template": (
            STAFF_NAV_TEMPLATE if signed_in and _template_exists(STAFF_NAV_TEMPLATE) else None
        ),
    }
