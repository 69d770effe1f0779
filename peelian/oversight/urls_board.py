"""The civilian review board's pages, and an officer's complaint record (staff)."""

from django.urls import path

from peelian.oversight import views_board, views_officer

app_name = "board"
urlpatterns = [
    path("", views_board.case_list, name="list"),
    path("<uuid:public_id>/", views_board.case_detail, name="case"),
    path("<uuid:public_id>/recommend/", views_board.recommend, name="recommend"),
    path("<uuid:public_id>/respond/", views_board.respond, name="respond"),
    path("officer/<uuid:public_id>/", views_officer.officer_record, name="officer_record"),
]
