from __future__ import annotations

from typing import Any, ClassVar

from allauth.account.forms import (
    AddEmailForm,
    ChangePasswordForm,
    LoginForm,
    ReauthenticateForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SignupForm,
)
from django import forms

from commonground.accounts.models import EXTRA_ROLES, ROLE_HELP, Organisation, Role, User
from commonground.lib.text import refuse_control_characters


def _role_choices_help() -> str:
    return " ".join(f"{Role(role).label}: {text}" for role, text in ROLE_HELP.items())


class _Worded:
    """Our labels and hints on one of allauth's forms, and none of its placeholders
    (a placeholder is no label, and vanishes as the person types: WCAG 3.3.2)."""

    # Each field's label, hint and the error when it is left empty (an error summary of
    # three "This field is required." says nothing of which field).
    words: ClassVar[dict[str, tuple[str, str, str]]] = {}
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the allauth form named after this in the bases
        for name, (label, hint, missing) in self.words.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].help_text = hint
                self.fields[name].error_messages["required"] = missing
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


_PASSWORD_HINT = "At least 10 characters. A few unrelated words make a good one."  # noqa: S105


class SignUpForm(_Worded, SignupForm):
    """allauth's sign-up (email address and password) with the person's name first."""

    field_order = ["name", "email", "password1"]
    words = {
        "email": (
            "Email address",
            "You sign in with this. We email you a link to follow before you first sign in.",
            "Enter your email address.",
        ),
        "password1": ("Password", _PASSWORD_HINT, "Choose a password."),
    }

    name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="How others on the site will see you.",
        validators=[refuse_control_characters],
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class SignInForm(_Worded, LoginForm):
    words = {
        "login": ("Email address", "", "Enter your email address."),
        "password": ("Password", "", "Enter your password."),
        "remember": ("Keep me signed in on this device", "", ""),
    }


class ResetRequestForm(_Worded, ResetPasswordForm):
    words = {
        "email": ("Email address", "The address you sign in with.", "Enter your email address.")
    }


_NEW_PASSWORD = {
    "password1": ("New password", _PASSWORD_HINT, "Choose a new password."),
    "password2": (
        "New password again",
        "To be sure it is typed as you meant.",
        "Type the new password again.",
    ),
}


class NewPasswordForm(_Worded, ResetPasswordKeyForm):
    words = _NEW_PASSWORD


class PasswordChangeForm(_Worded, ChangePasswordForm):
    words = {
        "oldpassword": ("Your password now", "", "Enter the password you have now."),
        **_NEW_PASSWORD,
    }


class EmailChangeForm(_Worded, AddEmailForm):
    words = {
        "email": (
            "New email address",
            "We email a link to it. Your address changes when you follow the link; "
            "until then you sign in with the one you have now.",
            "Enter the new address.",
        )
    }


class ConfirmItIsYouForm(_Worded, ReauthenticateForm):
    words = {"password": ("Your password", "", "Enter your password.")}


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
    """A member's roles beyond taking part; none ticked leaves them a member."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[(r.value, r.label) for r in EXTRA_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


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
