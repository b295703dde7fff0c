"""The project's routes: the API, its health probes and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health, metrics

urlpatterns = [
    re_path(r"^api/health/?$", health.HealthView.as_view(), name="health"),
    re_path(r"^api/ready/?$", health.ReadyView.as_view(), name="ready"),
    # For the scraper's token only; without METRICS_TOKEN it answers like an unknown address.
    re_path(r"^api/metrics/?$", metrics.metrics_view, name="metrics"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/", include("tasks.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "todo_project.problems.bad_request"
handler403 = "todo_project.problems.permission_denied"
handler404 = "todo_project.problems.page_not_found"
handler500 = "todo_project.problems.server_error"
