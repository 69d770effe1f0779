"""The API's language.

Pages are translated by their address (``/es/...``), and with ``prefix_default_language=False``
Django's ``LocaleMiddleware`` puts every address without a prefix, ``/api/`` included, in
the default language. The API has no prefix, so it takes the language the client asks for
instead, as docs/api.md promises: the language cookie, then ``Accept-Language``, then English.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIX = "/api/"


class APILanguageMiddleware:
    """Activate the requested language for ``/api/``; after ``LocaleMiddleware``, which then
    sets ``Content-Language`` and ``Vary: Accept-Language`` on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
