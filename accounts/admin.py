"""Users in the admin: support staff look people up; superusers manage staff accounts."""

import contextlib

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from tasks.models import Task

from .models import User, email_normalized
from .services import user_delete_data

INLINE_TASKS = 20


class UserAdminChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


class UserAdminCreationForm(AdminUserCreationForm):
    """A staff account, made in the admin by a superuser (``create_support_user`` does it too)."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {}

    def clean_email(self):
        email = email_normalized(self.cleaned_data.get("email") or "")
        if not email:
            raise forms.ValidationError("Staff sign in with their email: it is required.")
        return email  # the model form's own unique check then runs on this normalised value


class NewestTasksFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        # The newest few only: a user may have thousands. The change form links to all.
        return super().get_queryset()[:INLINE_TASKS]


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


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ("email", "name", "id", "date_joined", "last_seen", "task_count", "open_task_count")
    list_display_links = ("email", "id")
    search_fields = ("email", "name", "=id")
    search_help_text = "Email, name, or the exact Better Auth id."
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "date_joined")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = (
        "id",
        "date_joined",
        "last_login",
        "last_seen",
        "task_count",
        "open_task_count",
        "all_tasks",
    )
    fieldsets = (
        (None, {"fields": ("id", "email", "name", "password")}),
        ("Activity", {"fields": ("date_joined", "last_seen", "last_login")}),
        ("Tasks", {"fields": ("task_count", "open_task_count", "all_tasks")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
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
