"""The task admin's form and filters: the API's validation rules, in support staff's widgets."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from .models import Tag, Task
from .recurrence import recurrence_clean
from .services import task_check
from .tags import tag_key, tag_names_by_task, tag_names_clean


class TaskAdminForm(forms.ModelForm):
    """A task as support staff edit it; every value checked by the functions the API uses."""

    # Not "tags": the admin cannot edit a many-to-many with its own through model, and one
    # tag per line is what a support person types (a tag may hold commas, never a newline).
    tag_names = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line; each at most 50 characters; at most 20; the order is kept.",
    )

    class Meta:
        model = Task
        fields = ("title", "description", "completed", "priority", "due_at", "remind_at", "recurrence")
        help_texts = {
            "recurrence": "Empty, daily, weekly, monthly, yearly, or an RFC 5545 RRULE such as "
            "FREQ=WEEKLY;BYDAY=MO. Needs a due date.",
            "due_at": "UTC.",
            "remind_at": "UTC.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pk = self.instance.pk
        self.initial_tags = tag_names_by_task([pk]).get(pk, []) if pk else []
        self.initial["tag_names"] = "\n".join(self.initial_tags)

    def clean_tag_names(self) -> list[str]:
        lines = [line for line in self.cleaned_data["tag_names"].splitlines() if line.strip()]
        return tag_names_clean(lines)

    def clean_recurrence(self) -> str | None:
        value = self.cleaned_data.get("recurrence")
        return recurrence_clean(value) if value else None

    @property
    def changed_data(self) -> list[str]:
        # Tags compared as cleaned lists: the same tags typed with other spacing are no change.
        changed = [name for name in super().changed_data if name != "tag_names"]
        if self.cleaned_data.get("tag_names", self.initial_tags) != self.initial_tags:
            changed.append("tag_names")
        return changed

    def clean(self):
        cleaned = super().clean()
        fields = {name: cleaned[name] for name in ("recurrence", "due_at") if name in cleaned}
        if len(fields) == 2:  # each valid on its own: now whether they go together
            try:
                task_check(task=self.instance, fields=fields)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


class TaskChangeList(ChangeList):
    """The list of tasks, with every row's tags read in one query for the whole page."""

    def get_results(self, request):
        super().get_results(request)
        names = tag_names_by_task(task.pk for task in self.result_list)
        for task in self.result_list:
            task.tag_names = names.get(task.pk, [])


class OverdueFilter(admin.SimpleListFilter):
    """Due in the past and still open (or not)."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", "Overdue"), ("no", "Not overdue"))

    def queryset(self, request, queryset):
        overdue = {"completed": False, "due_at__lt": timezone.now()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class TagFilter(admin.SimpleListFilter):
    """Tasks carrying a tag, any user's (by name, whatever its case): the 50 most used."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        keys = (
            Tag.objects.values("key")
            .annotate(uses=Count("task_tags"))
            .filter(uses__gt=0)
            .order_by("-uses", "key")[:50]
        )
        return [(row["key"], row["key"]) for row in keys]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(task_tags__tag__key=tag_key(self.value()))
        return queryset
