"""Use-of-force pages: public ``/use-of-force/``; staff ``/use-of-force/staff/...``."""

from django.urls import path

from peelian.force import views

app_name = "force"
urlpatterns = [
    path("", views.public, name="public"),
    path("staff/", views.incident_list, name="list"),
    path("staff/new/", views.report, name="report"),
    path("staff/<uuid:public_id>/", views.incident_detail, name="detail"),
    path("staff/<uuid:public_id>/review/", views.review, name="review"),
]
