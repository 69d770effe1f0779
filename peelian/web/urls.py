"""Public pages, under the language prefix (English at ``/``, Spanish at ``/es/``)."""

from django.urls import path

from peelian.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("strategies/<slug:slug>/", views.strategy, name="strategy"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/datapackage.json", views.datapackage, name="datapackage"),
    path("open-data/<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("open-data/<slug:slug>.geojson", views.dataset_geojson, name="dataset_geojson"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<slug:slug>/", views.statistic_detail, name="statistic"),
]
