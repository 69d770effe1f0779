"""Bookkeeping of the synthetic city: which seed built it, and which accounts are demo
accounts (only those may have their sign-in codes printed by ``peelian demo codes``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SeedRun(models.Model):
    """One run of ``peelian seed``. ``finished_at`` is set when every step has committed;
    a run without it stopped part-way (each step is its own transaction)."""

    size = models.CharField(_("size"), max_length=16)
    seed = models.BigIntegerField(_("seed"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True)
    digest = models.CharField(_("content digest"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("seed run")
        verbose_name_plural = _("seed runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.size} seed {self.seed}"


class DemoAccount(models.Model):
    """Marks a user as a demo account and keeps its demo password, so that ``peelian demo
    logins`` can print it. Only synthetic-city databases have rows here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_account"
    )
    role = models.CharField(_("role"), max_length=40)
    password = models.CharField(_("demo password"), max_length=128)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("demo account")
        verbose_name_plural = _("demo accounts")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"demo account {self.user_id} ({self.role})"
