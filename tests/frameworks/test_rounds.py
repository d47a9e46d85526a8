"""Rounds: members rate, nobody sees others' ratings until the reveal, partners rate by a
link, the facilitator records what was agreed, and outsiders see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import Membership, Organisation, Role, User
from commonground.frameworks import selectors, services
from commonground.frameworks.models import Rater, Rating, Round
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db


def rate_url(assessment: Round) -> str:
    return reverse("frameworks:rate", args=[assessment.pk])


def test_a_member_rates_without_javascript_and_changes_their_mind(
    assessment: Round, ben: User, ben_client: Client
) -> None:
    page = ben_client.get(rate_url(assessment))
    assert page.status_code == 200
    assert "We help community groups build the skills they ask for." in page.content.decode()
    saved = ben_client.post(
        rate_url(assessment),
        {
            "rate-confident-skills": "2",
            "evidence-confident-skills": "Two groups asked for help with bids; we ran one.",
            "rate-confident-say": "dont-know",
            "rate-inclusive-venues": "",
        },
    )
    assert saved.status_code == 303
    mine = {r.statement.key: r for r in Rating.objects.select_related("statement")}
    assert mine["confident-skills"].value == 2 and mine["confident-say"].dont_know
    assert "inclusive-venues" not in mine
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "4"})
    assert Rating.objects.get(statement__key="confident-skills").value == 4
    assert Rating.objects.count() == 2  # changed, not added
    # Made-up values and statements of another framework are refused, nothing saved.
    refused = ben_client.post(rate_url(assessment), {"rate-confident-skills": "9"})
    assert refused.status_code == 400 and "not a point" in refused.content.decode()
    assert Rating.objects.get(statement__key="confident-skills").value == 4


def test_ratings_stay_hidden_until_the_reveal_then_everyone_sees_them_at_once(
    assessment: Round, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "2"})
    ada_client.post(rate_url(assessment), {"rate-confident-skills": "4"})
    page = ben_client.get(assessment.get_absolute_url()).content.decode()
    assert "Results" not in page and "when the facilitator reveals" in page
    # Only the facilitator reveals.
    assert ben_client.post(reverse("frameworks:reveal", args=[assessment.pk])).status_code == 403
    ada_client.post(reverse("frameworks:reveal", args=[assessment.pk]))
    page = ben_client.get(assessment.get_absolute_url()).content.decode()
    assert "Results" in page and "Ada Admin" not in page  # anonymous by default
    found = selectors.results(Round.objects.get(pk=assessment.pk))
    skills = found.statements[0]
    assert skills.spread.n == 2 and skills.spread.median == 3
    assert [c[2] for c in skills.counts] == [0, 1, 0, 1, 0]


def test_the_facilitator_records_an_agreed_rating_beside_the_spread(
    assessment: Round, ada: User, ada_client: Client, ben_client: Client
) -> None:
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "2"})
    url = reverse("frameworks:agree", args=[assessment.pk, "confident-skills"])
    ada_client.post(url, {"value": "3", "reason": "We ran one session."})
    assert not assessment.agreed.exists()  # not before the reveal
    ada_client.post(reverse("frameworks:reveal", args=[assessment.pk]))
    ada_client.post(url, {"value": "3", "reason": "We ran one session, not a programme."})
    agreed = assessment.agreed.get()
    assert agreed.value == 3 and agreed.reason.startswith("We ran one session")
    assert ben_client.post(url, {"value": "5", "reason": "Forged."}).status_code == 403
    assert assessment.agreed.get().value == 3


def test_a_partner_without_an_account_rates_by_their_link_only(
    assessment: Round, ada_client: Client, client: Client
) -> None:
    ada_client.post(
        reverse("frameworks:invite", args=[assessment.pk]),
        {"name": "Sam Partner", "organisation": "Canal Trust"},
    )
    rater = Rater.objects.get(name="Sam Partner")
    link = reverse("frameworks:rate_by_link", args=[rater.token])
    assert client.get(link).status_code == 200
    client.post(link, {"rate-inclusive-venues": "3"})
    assert Rating.objects.get(rater=rater).value == 3
    # The link opens nothing else: not the round, not its results.
    assert client.get(assessment.get_absolute_url()).status_code == 302
    assert client.get(reverse("frameworks:rate_by_link", args=["made-up"])).status_code == 404
    services.round_close(round=assessment)
    closed = client.post(link, {"rate-inclusive-venues": "5"})
    assert closed.status_code == 410 and Rating.objects.get(rater=rater).value == 3


def test_outsiders_and_site_admins_see_no_round(
    assessment: Round, olu_client: Client, ben: User
) -> None:
    services.ratings_save(
        rater=services.rater_join(round=assessment, person=ben),
        given=[services.Given(assessment.version.statements.first(), 2)],  # type: ignore[arg-type]
    )
    services.round_reveal(round=assessment)
    staff = make_person("staff@example.org", "Site Admin")
    staff.is_staff = True
    staff.save()
    for outsider in (olu_client, client_for(staff)):
        assert outsider.get(assessment.get_absolute_url()).status_code == 404
        assert outsider.get(rate_url(assessment)).status_code == 404


def test_a_closed_round_keeps_its_ratings(assessment: Round, ben: User) -> None:
    rater = services.rater_join(round=assessment, person=ben)
    statement = assessment.version.statements.first()
    assert statement is not None
    services.ratings_save(rater=rater, given=[services.Given(statement, 2)])
    assessment.closes_at = timezone.now() - timedelta(minutes=1)
    assessment.save()
    with pytest.raises(ValidationError):
        services.ratings_save(rater=rater, given=[services.Given(statement, 5)])
    assert Rating.objects.get().value == 2


def test_breakdowns_show_only_groups_of_five_or_more(
    assessment: Round, riverside: Organisation
) -> None:
    statement = assessment.version.statements.first()
    assert statement is not None
    for n in range(7):
        person = make_person(f"p{n}@example.org", f"Person {n}")
        Membership.objects.create(user=person, organisation=riverside, roles={Role.MEMBER})
        rater = services.rater_join(round=assessment, person=person)
        rater.role = "Librarian" if n < 5 else "Councillor"
        rater.save()
        services.ratings_save(rater=rater, given=[services.Given(statement, 2 + n % 2)])
    found = selectors.results(assessment)
    assert [(b.group, b.raters) for b in found.breakdowns] == [("Librarian", 5)]
    assert found.hidden_groups == 1
