"""Staff pages, under ``/staff/`` (``/es/staff/`` in Spanish)."""

from django.urls import path

from peelian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.mfa_view, name="mfa"),
    path("mfa/enrol/", views.enrol_view, name="enrol"),
    path("security/", views.security, name="security"),
    path("security/password/", views.password_change, name="password_change"),
    path(
        "security/recovery-codes/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("security/token/", views.token_create, name="token_create"),
    path("security/token/revoke/", views.token_revoke, name="token_revoke"),
]
