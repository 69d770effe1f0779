"""The Django admin wears the site's brand."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template, render_to_string
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_admin_titles():
    assert str(admin.site.site_header) == "Peelian administration"
    assert str(admin.site.site_title) == "Peelian administration"
    assert str(admin.site.index_title) == "Administration"


def test_admin_template_override(rf):
    template = get_template("admin/base_site.html")
    assert Path(template.origin.name).is_relative_to(Path(__file__).parents[1] / "templates")
    request = rf.get("/admin/")
    request.user = AnonymousUser()
    with translation.override("en"):
        html = render_to_string(
            "admin/base_site.html",
            {**admin.site.each_context(request), "title": "Users"},
            request=request,
        )
    assert "<title>Users | Peelian administration</title>" in html
    assert '<div id="site-name"><a href="/admin/">Peelian administration</a></div>' in html
    assert 'href="/static/peelian/css/admin.css"' in html
