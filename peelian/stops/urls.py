"""Stop-data pages: public ``/stop-data/``; staff ``/stop-data/staff/...``."""

from django.urls import path

from peelian.stops import views

app_name = "stops"
urlpatterns = [
    path("", views.public, name="public"),
    path("reports/<uuid:public_id>/", views.public_run, name="public_run"),
    path("reports/<uuid:public_id>.json", views.run_json, name="run_json"),
    path("reports/<uuid:public_id>.csv", views.run_csv, name="run_csv"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/runs/<uuid:public_id>/", views.staff_run, name="staff_run"),
    path("staff/runs/<uuid:public_id>/publish/", views.staff_publish, name="staff_publish"),
]
