from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group

from hirebridge.accounts import services
from hirebridge.accounts.models import ApiKey, SignInPolicy, User


class UserCreationForm(forms.ModelForm):
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 15 characters.")

    class Meta:
        model = User
        fields = ("email", "name", "role", "job_title")

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "role", "job_title", "deactivated_at", "last_login")
    list_filter = ("role",)
    search_fields = ("email", "name")
    fields = ("email", "name", "role", "job_title", "deactivated_at", "last_login", "created_at")
    readonly_fields = ("last_login", "created_at")
    change_password_form = AdminPasswordChangeForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UserCreationForm
            kwargs["fields"] = (*UserCreationForm.Meta.fields, "password")
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    # Saves and deletes go through accounts.services, which tells LinkedIn when access changes.
    def save_model(self, request, obj, form, change) -> None:
        services.save_user(obj)

    def delete_model(self, request, obj) -> None:
        services.delete_users([obj])

    def delete_queryset(self, request, queryset) -> None:
        services.delete_users(queryset)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued by their owners (the plaintext is shown once); here they can be revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email", "prefix")
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("name", "user", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SignInPolicy)
class SignInPolicyAdmin(admin.ModelAdmin):
    """Shown here, changed on Settings → Sign-in policy, which signs out whoever it must."""

    list_display = ("__str__", "changed_at", "changed_by")
    readonly_fields = ("two_factor_required", "changed_at", "changed_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Roles, not Django groups or permissions, decide access (accounts.policy).
admin.site.unregister(Group)
