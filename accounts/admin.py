"""Users in the admin: support staff look people up; superusers manage staff accounts.

Identity only; ``userdata.admin`` registers this admin again with each user's tasks.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import User, email_normalized


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


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Better Auth users and staff accounts: found by email, name or exact id."""

    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ("email", "name", "id", "date_joined", "last_seen")
    list_display_links = ("email", "id")
    search_fields = ("email", "name", "=id")
    search_help_text = "Email, name, or the exact Better Auth id."
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "date_joined")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = ("id", "date_joined", "last_login", "last_seen")
    fieldsets = (
        (None, {"fields": ("id", "email", "name", "password")}),
        ("Activity", {"fields": ("date_joined", "last_seen", "last_login")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
