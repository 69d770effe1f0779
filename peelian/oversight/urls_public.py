"""Public complaint pages: file, follow by tracking code."""

from django.urls import path

from peelian.oversight import views_public, views_public_officer

app_name = "complaints"
urlpatterns = [
    path("new/", views_public.complaint_new, name="new"),
    path("commend/", views_public.complaint_new, {"kind": "commendation"}, name="commend"),
    path("received/", views_public.complaint_received, name="received"),
    path("track/", views_public.track, name="track"),
    path("track/<str:code>/", views_public.track_case, name="track_case"),
    path("track/<str:code>/add/", views_public.track_add, name="track_add"),
    path("officers/", views_public_officer.officer_list, name="officers"),
    path("officers/<uuid:public_id>/", views_public_officer.officer_detail, name="officer"),
]
