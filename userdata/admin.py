"""The admin's user pages with each user's tasks: counts, the newest few, erasure.

``accounts`` registers the identity-only user admin; this app, which knows users and tasks,
registers it again with the task columns, the task inline and the erasing delete.
"""

import contextlib

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import UserAdmin
from accounts.models import User
from tasks.models import Task
from tasks.selectors import task_list_for

from .services import user_delete_data

INLINE_TASKS = 20


class NewestTasksFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        # The newest few only: a user may have thousands. The change form links to all.
        return task_list_for(user=self.instance)[:INLINE_TASKS]


class TaskInline(admin.TabularInline):
    """The user's newest tasks, read-only; the task list has all of them."""

    model = Task
    formset = NewestTasksFormSet
    fields = ("title", "completed", "completed_at", "created_at", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = f"Tasks (newest {INLINE_TASKS})"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UserWithTasksAdmin(UserAdmin):
    """The user admin, with task counts in the list, the newest tasks inline, and erasure."""

    list_display = (*UserAdmin.list_display, "task_count", "open_task_count")
    readonly_fields = (*UserAdmin.readonly_fields, "task_count", "open_task_count", "all_tasks")
    fieldsets = (
        *UserAdmin.fieldsets[:2],
        ("Tasks", {"fields": ("task_count", "open_task_count", "all_tasks")}),
        *UserAdmin.fieldsets[2:],
    )
    inlines = (TaskInline,)

    def get_queryset(self, request):
        # The counts come with the users, in the same query: no query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                _task_count=Count("tasks"),
                _open_task_count=Count("tasks", filter=Q(tasks__completed=False)),
            )
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    @admin.display(description="Tasks", ordering="_task_count")
    def task_count(self, user: User) -> int:
        return user._task_count

    @admin.display(description="Open tasks", ordering="_open_task_count")
    def open_task_count(self, user: User) -> int:
        return user._open_task_count

    @admin.display(description="All tasks")
    def all_tasks(self, user: User) -> str:
        url = reverse("admin:tasks_task_changelist")
        return format_html('<a href="{}?user__id__exact={}">All tasks of this user</a>', url, user.pk)

    # Deleting here is the same erasure as ``delete_user_data``: the user, their tasks and the
    # admin history about them (a bare delete would leave the history, which names them and
    # their task titles). That history includes the "deleted" entry the admin has just written.

    def delete_model(self, request, obj: User) -> None:
        _erase(obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        # One transaction per user: a failure leaves the users before it erased, none half-erased.
        for user_id in list(queryset.order_by().values_list("pk", flat=True)):
            _erase(user_id)


def _erase(user_id: str) -> None:
    # Gone already (another admin, the command): that is the outcome asked for.
    with contextlib.suppress(User.DoesNotExist):
        user_delete_data(user_id=user_id)


admin.site.unregister(User)
admin.site.register(User, UserWithTasksAdmin)
