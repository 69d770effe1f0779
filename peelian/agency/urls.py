"""Agency pages: public ``/districts/``; staff ``/staff/officers/`` (language-prefixed in
Spanish, like every page)."""

from django.urls import path

from peelian.agency import views

app_name = "agency"
urlpatterns = [
    path("districts/", views.districts, name="districts"),
    path("staff/officers/", views.officer_list, name="officers"),
    path("staff/officers/<uuid:public_id>/", views.officer_detail, name="officer"),
    path("staff/structure/", views.structure, name="structure"),
]
