from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from commonground.accounts.models import ROLE_HELP, Organisation, Role, User


def _role_choices_help() -> str:
    return " ".join(f"{Role(role).label}: {text}" for role, text in ROLE_HELP.items())


class SignUpForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="How others on the site will see you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="You sign in with this. We use it for invitations and password resets.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 10 characters. A few unrelated words make a good one.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": (
            "The email address or password is not right. Check them and try again, "
            "or reset your password."
        ),
        "inactive": "This account has been switched off. Contact the site administrator.",
    }


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "job_title", "about"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "about": forms.Textarea(attrs={"rows": 5}),
        }


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "description", "website"]
        labels = {"kind": "Kind of organisation", "website": "Website address"}
        help_texts = {
            "description": "What the organisation does and who it works with.",
            "website": "Starting with https://",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address", help_text="We will send an invitation link to this address."
    )
    role = forms.ChoiceField(
        label="Role", choices=Role.choices, initial=Role.MEMBER, help_text=_role_choices_help()
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What the token is for, such as 'monthly report script'.",
    )


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To make sure it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Check it and try again.")
        return password
