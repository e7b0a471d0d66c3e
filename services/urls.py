"""The services directory, under /services/, and "who is on call for…" at /who/."""

from django.urls import path

from services import views

urlpatterns = [
    path("who/", views.lookup, name="lookup"),
    path("services/", views.directory, name="directory"),
    path("services/new/", views.create, name="create"),
    path("services/<uuid:pk>/", views.detail, name="detail"),
    path("services/<uuid:pk>/edit/", views.edit, name="edit"),
    path("services/<uuid:pk>/delete/", views.delete, name="delete"),
    path("services/<uuid:pk>/restore/", views.restore, name="restore"),
]
