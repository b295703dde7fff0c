"""Both route families, each with and without a trailing slash and never a redirect."""

from rest_framework.routers import SimpleRouter

from .tag_views import TagViewSet, UserTagViewSet
from .views import TaskViewSet, UserTaskViewSet

router = SimpleRouter()
# DRF takes only True/False in the constructor; the pattern itself may be any regex.
router.trailing_slash = "/?"
# /api/tasks first: a user whose id is "tasks" still reaches /api/tasks/tasks.
router.register(r"tasks", TaskViewSet, basename="task")
# /api/tags/{name} before the path family: a tag may be called "tasks" (/api/tags/tasks), a
# Better Auth user id is never "tags" in practice (such a user has the token family).
router.register(r"tags", TagViewSet, basename="tag")
router.register(r"(?P<user_id>[^/]+)/tasks", UserTaskViewSet, basename="user-task")
router.register(r"(?P<user_id>[^/]+)/tags", UserTagViewSet, basename="user-tag")

urlpatterns = router.urls
