"""Who may use a route."""

from rest_framework.permissions import BasePermission


class IsPathUser(BasePermission):
    """On ``/api/{user_id}/…`` routes, ``{user_id}`` must be the token's user."""

    message = "You may only use your own tasks."

    def has_permission(self, request, view) -> bool:
        path_user_id = view.kwargs.get("user_id")
        return path_user_id is None or path_user_id == request.user.pk
