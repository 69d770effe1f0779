"""Staff case work: queues, case files, workflow actions."""

from django.urls import path

from peelian.oversight import views_entry
from peelian.oversight import views_staff as views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("enter/", views_entry.enter, name="enter"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/act/<slug:step>/", views.act, name="act"),
    path(
        "<uuid:public_id>/attachments/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
