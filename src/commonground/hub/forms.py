from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from commonground.hub.discover import FoundFeed
from commonground.hub.models import Sector, Source

MAX_OPML_BYTES = 2 * 1024 * 1024


class SourceAddForm(forms.Form):
    address = forms.CharField(
        label="Website or feed address",
        max_length=2000,
        help_text="The hub's home page or its feed, for example https://example.org/news/",
    )
    feed_url = forms.ChoiceField(
        label="Which feed?", required=False, widget=forms.RadioSelect, choices=[]
    )
    title = forms.CharField(
        label="Name",
        max_length=300,
        required=False,
        help_text="Leave empty to use the name the feed gives itself.",
    )
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The fields of work this hub serves.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.data.get("feed_url") if self.is_bound else None
        if chosen:
            self.fields["feed_url"].choices = [(chosen, chosen)]  # type: ignore[attr-defined]

    def offer(self, found: list[FoundFeed]) -> None:
        """Show the feeds found at the address, to pick one."""
        self.fields["feed_url"].choices = [  # type: ignore[attr-defined]
            (f.url, f"{f.title or f.url} ({f.kind}) – {f.url}") for f in found
        ]


class SourceEditForm(forms.ModelForm):
    active = forms.BooleanField(
        label="Keep checking this source",
        required=False,
        help_text="Untick to retire it: its items stay, but it is no longer checked.",
    )

    class Meta:
        model = Source
        fields = ["title", "site_url", "description", "sectors"]
        widgets = {"sectors": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["active"].initial = self.instance.state == Source.State.ACTIVE


class OpmlImportForm(forms.Form):
    file = forms.FileField(
        label="OPML file", help_text="Up to 2 MB. Most feed readers can export one."
    )
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        empty_label="Use the file's folders",
        help_text="Put every source in this sector, or use the folder names in the file.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OPML_BYTES:
            raise ValidationError("That file is over 2 MB; an OPML list is usually far smaller.")
        return upload
