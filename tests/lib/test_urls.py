from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from commonground.lib.urls import url_for


@pytest.mark.parametrize(
    ("name", "value"),
    [("hub:item", 7), ("hub:item", 1234567890), ("hub:source", 12), ("hub:theme", "older-people")],
)
def test_url_for_gives_what_reverse_gives(name: str, value: int | str) -> None:
    assert url_for(name, value) == reverse(name, args=[value])


def test_a_value_that_would_need_quoting_goes_through_reverse() -> None:
    # Not a slug the URL pattern accepts: reverse says so rather than a wrong link.
    with pytest.raises(Exception, match="Reverse"):
        url_for("hub:theme", "two words")


def test_the_script_prefix_is_kept() -> None:
    set_script_prefix("/engage/")
    try:
        assert url_for("hub:item", 5) == "/engage/hub/items/5/"
    finally:
        set_script_prefix("/")
    assert url_for("hub:item", 5) == "/hub/items/5/"


def test_a_changed_urlconf_is_followed() -> None:
    assert url_for("hub:item", 5) == "/hub/items/5/"
    with override_settings(ROOT_URLCONF="tests.lib.urls_moved"):
        assert url_for("hub:item", 5) == "/elsewhere/items/5/"
    assert url_for("hub:item", 5) == "/hub/items/5/"
