from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("subjects/<str:code>/", views.subject, name="subject"),
    path("columns/<slug:slug>/", views.column, name="column"),
    path("columns/<slug:slug>/export.csv", views.column_export, {"fmt": "csv"},
         name="column_csv"),
    path("columns/<slug:slug>/export.xlsx", views.column_export, {"fmt": "xlsx"},
         name="column_xlsx"),
    path("lists/", views.lists, name="lists"),
    path("lists/<str:code>/", views.list_page, name="list"),
    path("measures/", views.measures, name="measures"),
]
