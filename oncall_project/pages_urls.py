"""The server-rendered pages, mounted at /."""

urlpatterns: list = []
