"""Tasks in the admin, for support staff: find a user's task, look at it, fix it."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import ngettext

from .admin_forms import OverdueFilter, TagFilter, TaskAdminForm, TaskChangeList
from .models import EDITABLE_FIELDS, Task
from .services import task_bulk_set_completion, task_update
from .sync import task_delete, task_delete_many


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    form = TaskAdminForm
    list_display = (
        "title",
        "owner_email",
        "completed",
        "priority",
        "due_at",
        "tag_list",
        "created_at",
        "updated_at",
    )
    list_display_links = ("title",)
    # One query for the page, whatever its length: the owner comes with the task (and the
    # tags of the whole page in one more: TaskChangeList).
    list_select_related = ("user",)
    # Owner id: exact (Better Auth ids are opaque; a prefix match would be noise).
    search_fields = ("title", "description", "user__email", "=user__id", "tags__name")
    search_help_text = "Title, description, owner email, the owner's exact id, or a tag."
    list_filter = ("completed", "priority", TagFilter, OverdueFilter, "due_at", "created_at")
    date_hierarchy = "created_at"
    # Every column but the series' bookkeeping; support staff may change what a client may.
    fields = (
        "id", "user", "title", "description", "completed", "completed_at", "priority", "tag_names",
        "due_at", "remind_at", "recurrence", "previous_occurrence", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = ("id", "user", "completed_at", "previous_occurrence", "created_at", "updated_at")
    actions = ("mark_completed", "mark_not_completed")

    @admin.display(description="Owner email", ordering="user__email")
    def owner_email(self, task: Task) -> str:
        return task.user.email or f"(no email: {task.user_id})"

    @admin.display(description="Tags")
    def tag_list(self, task: Task) -> str:
        return ", ".join(task.tag_names)

    def get_changelist(self, request, **kwargs):
        return TaskChangeList

    def has_add_permission(self, request) -> bool:
        # A task belongs to a Better Auth user, who creates it in the app.
        return False

    def save_model(self, request, obj: Task, form, change: bool) -> None:
        # Through the service, like the API, so completed_at and updated_at follow.
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        # The form has already copied its values onto obj; the service compares against the
        # stored ones, so put those back (every one: an unchanged field's form value may differ in what the
        # widget cannot show, such as a time's microseconds), before handing it the changes.
        for name in EDITABLE_FIELDS:
            if name in form.initial:
                setattr(obj, name, form.initial[name])
        if "tag_names" in form.changed_data:
            changed["tags"] = form.cleaned_data["tag_names"]
        task_update(task=obj, **changed)

    def delete_model(self, request, obj: Task) -> None:
        # Through the service, like the API, so syncing clients hear of it (a tombstone).
        task_delete(task=obj)

    def delete_queryset(self, request, queryset) -> None:
        task_delete_many(queryset=queryset)

    @admin.action(description="Mark selected tasks as completed", permissions=["change"])
    def mark_completed(self, request, queryset) -> None:
        self._set_completion(request, queryset, completed=True)

    @admin.action(description="Mark selected tasks as not completed", permissions=["change"])
    def mark_not_completed(self, request, queryset) -> None:
        self._set_completion(request, queryset, completed=False)

    def _set_completion(self, request, queryset, *, completed: bool) -> None:
        # One transaction: a change is never left without its history entry.
        with transaction.atomic():
            selected = queryset.count()
            to_change = list(queryset.exclude(completed=completed))
            changed = task_bulk_set_completion(queryset=queryset, completed=completed)
            # The history records who changed what, as a change through the form would.
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=to_change,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": ["Completed"]}}],
            )
        state = "completed" if completed else "not completed"
        message = ngettext(
            "%(changed)d task marked %(state)s", "%(changed)d tasks marked %(state)s", changed
        ) % {"changed": changed, "state": state}
        if changed < selected:
            message += f" ({selected - changed} already were)"
        self.message_user(request, message + ".", messages.SUCCESS)
