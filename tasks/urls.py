"""Both route families, each with and without a trailing slash and never a redirect."""

from rest_framework.routers import SimpleRouter

from .views import TaskViewSet, UserTaskViewSet

router = SimpleRouter()
# DRF takes only True/False in the constructor; the pattern itself may be any regex.
router.trailing_slash = "/?"
# /api/tasks first: a user whose id is "tasks" still reaches /api/tasks/tasks.
router.register(r"tasks", TaskViewSet, basename="task")
router.register(r"(?P<user_id>[^/]+)/tasks", UserTaskViewSet, basename="user-task")

urlpatterns = router.urls
