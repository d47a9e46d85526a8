"""Framework files: checked against the schema with lines, and versions that carry history."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from commonground.frameworks import services
from commonground.frameworks.content import FrameworkError, read_bytes, shipped
from commonground.frameworks.models import Framework, FrameworkVersion, Statement
from tests.frameworks.fixtures import FRAMEWORK

pytestmark = pytest.mark.django_db


def problems(data: bytes) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        read_bytes("f.yaml", data)
    return caught.value.problems


def test_each_mistake_names_its_line() -> None:
    assert problems(FRAMEWORK.replace(b"version: 1\n", b"version: one\n")) == [
        "f.yaml:3: 'version': 'one' is not of type 'integer'"
    ]
    assert problems(FRAMEWORK.replace(b"licence: CC BY 4.0\n", b"")) == [
        "f.yaml:1: the file needs 'licence'"
    ]
    found = problems(FRAMEWORK.replace(b"id: confident-say", b"id: Confident Say"))
    assert found == [
        "f.yaml:22: 'dimensions.0.statements.1.id' must be lowercase words joined by "
        "hyphens, like 'we-listen-first'"
    ]
    found = problems(FRAMEWORK.replace(b"        prompts:", b"        promts:"))
    assert found == [
        "f.yaml:21: 'dimensions.0.statements.0' has an unknown field 'promts'; its fields "
        "are id, text, prompts, learn, themes, replaces"
    ]
    assert problems(FRAMEWORK.replace(b"id: inclusive-venues", b"id: confident-skills")) == [
        "f.yaml:27: the id 'confident-skills' is also used on line 19"
    ]
    assert problems(FRAMEWORK.replace(b"value: 2,", b"value: 1,")) == [
        "f.yaml:8: the scale's values rise one at a time (1, 2, 3 …), each used once"
    ]
    assert problems(b"title: [unclosed") == [
        "f.yaml:1: expected ',' or ']', but got '<stream end>' (put text holding a colon, "
        "a question mark or # in quotes)"
    ]
    assert problems(b"\xff\xfe") == ["f.yaml:1: not UTF-8 text"]
    assert problems(b"- a list") == [
        "f.yaml:1: a framework file is a mapping of fields (id, title, …)"
    ]


def test_the_frameworks_that_come_with_common_ground_read_cleanly() -> None:
    files = shipped()
    assert {f.stem for f in files} >= {
        "empowerment-dimensions", "national-standards", "barriers-enablers", "engagement-levels"
    }  # fmt: skip
    for path in files:
        spec = read_bytes(path.name, path.read_bytes())
        assert spec.licence == "CC BY 4.0" and spec.version == 1
    dimensions = read_bytes(
        "e.yaml", (files[0].parent / "empowerment-dimensions.yaml").read_bytes()
    )
    assert [d.title for d in dimensions.dimensions] == [
        "Confident", "Inclusive", "Organised", "Cooperative", "Influential"
    ]  # fmt: skip
    assert all(4 <= len(d.statements) <= 6 for d in dimensions.dimensions)


def test_a_published_version_never_changes_and_a_new_one_carries_history(
    framework: FrameworkVersion,
) -> None:
    again = services.framework_load(read_bytes("listening.yaml", FRAMEWORK))
    assert again.unchanged
    with pytest.raises(FrameworkError) as caught:
        services.framework_load(read_bytes("l.yaml", FRAMEWORK.replace(b"skills they", b"skill")))
    assert caught.value.problems == [
        "l.yaml:1: version 1 of listening-partnership is published and is never changed; "
        "give your changes version 2"
    ]
    replacing = b"id: confident-voice\n        replaces: [confident-say]\n"
    second = (
        FRAMEWORK.replace(b"version: 1", b"version: 2")
        .replace(b"id: confident-say\n", replacing)
        .replace(b"id: inclusive-venues", b"id: inclusive-times")
        .replace(b"places everyone can get into", b"at times that suit people")
    )
    loaded = services.framework_load(read_bytes("l2.yaml", second))
    assert sorted(loaded.carried) == ["confident-skills", "confident-voice"]
    assert loaded.new == ["inclusive-times"] and loaded.dropped == ["inclusive-venues"]
    lineages = dict(Statement.objects.filter(version__version=2).values_list("key", "lineage"))
    assert lineages == {
        "confident-skills": "confident-skills",
        "confident-voice": "confident-say",
        "inclusive-times": "inclusive-times",
    }
    assert FrameworkVersion.objects.get(version=1).source == FRAMEWORK.decode()
    with pytest.raises(FrameworkError) as caught:
        services.framework_load(
            read_bytes("l3.yaml", second.replace(b"version: 2", b"version: 3").replace(
                b"replaces: [confident-say]", b"replaces: [nothing-like-it]"))
        )  # fmt: skip
    assert caught.value.problems == [
        "l3.yaml:22: replaces 'nothing-like-it', which version 2 does not have"
    ]
    assert FrameworkVersion.objects.count() == 2


def test_load_from_the_command_line_and_download_each_version(client: Client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    call_command("frameworks", "load")
    assert Framework.objects.count() == len(shipped())
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(FRAMEWORK.replace(b"version: 1\n", b""))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("frameworks", "load", str(broken))
    assert not Framework.objects.filter(slug="listening-partnership").exists()
    page = client.get("/frameworks/empowerment-dimensions/")
    assert page.status_code == 200 and "Influential" in page.content.decode()
    file = client.get("/frameworks/empowerment-dimensions/v1.yaml")
    assert file.status_code == 200 and file["Content-Disposition"].startswith("attachment")
    assert file.content == (shipped()[0].parent / "empowerment-dimensions.yaml").read_bytes()
    assert client.get("/frameworks/schema.json").json()["title"].startswith("A Common Ground")


def test_a_statement_links_to_its_learn_chapter_and_hub_theme(client: Client) -> None:
    from commonground.learning import demo as learning_demo

    learning_demo.load()
    call_command("frameworks", "load")
    page = client.get("/frameworks/empowerment-dimensions/").content.decode()
    assert 'href="/learn/foundations/community-development/">Community development</a>' in page
    assert 'href="/hub/themes/volunteering/">Volunteering</a>' in page


def test_aliases_floats_and_doubled_heirs_are_refused() -> None:
    assert problems(b"id: &a x\ntitle: *a\n") == [
        "f.yaml:1: write each value out; & and * are not used"
    ]
    assert problems(FRAMEWORK.replace(b"{value: 2,", b"{value: 2.0,")) == [
        "f.yaml:8: the scale's values are whole numbers, like 1, 2, 3"
    ]
    assert problems(FRAMEWORK.replace(b"{value: 5,", b"{value: 7,"))[0].endswith(
        "rise one at a time (1, 2, 3 …), each used once"
    )


def test_only_one_statement_carries_each_earlier_one_and_old_ids_start_afresh(
    framework: FrameworkVersion,
) -> None:
    twice = FRAMEWORK.replace(b"version: 1", b"version: 2").replace(
        b"id: confident-say\n", b"id: confident-voice\n        replaces: [confident-skills]\n"
    )
    with pytest.raises(FrameworkError) as caught:
        services.framework_load(read_bytes("l2.yaml", twice))
    assert caught.value.problems == [
        "l2.yaml:22: 'confident-voice' and 'confident-skills' both carry on 'confident-skills'; "
        "only one statement can"
    ]
    assert FrameworkVersion.objects.count() == 1
    # Version 2 drops inclusive-venues; version 3 uses the id again for a new statement.
    dropped = FRAMEWORK.replace(b"version: 1", b"version: 2").replace(
        b"id: inclusive-venues", b"id: inclusive-times"
    )
    services.framework_load(read_bytes("l2.yaml", dropped))
    services.framework_load(read_bytes("l3.yaml", FRAMEWORK.replace(b"version: 1", b"version: 3")))
    again = Statement.objects.get(version__version=3, key="inclusive-venues")
    assert again.lineage == "inclusive-venues-v3"
