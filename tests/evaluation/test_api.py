"""Evaluation through the JSON API with a personal token: the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonground.accounts import services as accounts
from commonground.accounts.models import Organisation, User

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _token, raw = accounts.api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def call(client: Client, method: str, path: str, auth: dict[str, str], body: Any = None) -> Any:
    return getattr(client, method)(
        f"/api/v1/evaluation{path}", data=body, content_type="application/json", **auth
    )


def test_the_whole_chain_through_the_api(
    riverside: Organisation, ada: User, olu: User, ben: User
) -> None:
    client, auth = Client(), bearer(ada)
    made = call(client, "post", "/programmes", auth, {"organisation": "riverside", "title": "P"})
    assert made.status_code == 201
    programme = made.json()["id"]
    objective = call(client, "post", f"/programmes/{programme}/objectives", auth, {"text": "O"})
    activity = call(
        client,
        "post",
        f"/programmes/{programme}/activities",
        auth,
        {
            "title": "Day",
            "kind": "training_day",
            "participants": 8,
            "cost": "400.00",
            "hours_per_participant": "5",
        },
    ).json()
    assert activity["cost_per_participant"] == "50.00"
    assert activity["cost_per_participant_hour"] == "10.00"
    form = call(
        client,
        "post",
        f"/programmes/{programme}/forms",
        auth,
        {"title": "F", "activities": [activity["id"]]},
    ).json()
    useful = call(client, "post", f"/forms/{form['id']}/questions", auth, {"text": "Useful?"})
    assert useful.json()["labels"] == ["Not at all", "Slightly", "Very", "Extremely"]
    call(
        client,
        "post",
        f"/forms/{form['id']}/questions",
        auth,
        {"text": "Why?", "kind": "write_in", "code": "why"},
    )
    code = useful.json()["code"]
    for point, words in [(4, "Met people from health."), (3, ""), (2, ""), (4, ""), (1, "")]:
        answers = {code: point} | ({"why": words} if words else {})
        sent = call(client, "post", f"/forms/{form['id']}/responses", auth, {"answers": answers})
        assert sent.status_code == 201
    refused = call(client, "post", f"/forms/{form['id']}/responses", auth, {"answers": {code: 7}})
    assert refused.status_code == 422 and "not on the 1-4 scale" in refused.json()["detail"]
    stats = call(client, "get", f"/forms/{form['id']}/statistics", auth).json()
    assert stats["responses"] == 5 and stats["response_rate_percent"] == 62.5
    assert stats["items"][0]["counts"] == [1, 1, 1, 2] and stats["items"][0]["mean"] == 2.8
    rows = call(client, "get", f"/forms/{form['id']}/responses", auth).json()
    assert rows[0]["answers"] == {code: 4, "why": "Met people from health."}

    cross_sector = call(
        client, "post", f"/programmes/{programme}/codes", auth, {"name": "Cross-sector"}
    )
    texts = call(client, "get", f"/programmes/{programme}/texts", auth).json()
    assert [t["text"] for t in texts] == ["Met people from health."]
    coding = call(
        client,
        "post",
        f"/programmes/{programme}/codings",
        auth,
        {
            "kind": "answer",
            "text_id": texts[0]["id"],
            "code": cross_sector.json()["id"],
            "quote": "people from health",
            "objectives": [objective.json()["id"]],
        },
    )
    assert coding.status_code == 201 and coding.json()["start"] == 4
    quotes = call(client, "get", f"/programmes/{programme}/quotes", auth).json()
    assert quotes[0]["coding"]["quote"] == "people from health"
    judged = call(
        client,
        "put",
        f"/objectives/{objective.json()['id']}/judgement",
        auth,
        {
            "rating": "partly_met",
            "narrative": "Some.",
            "items": [useful.json()["id"]],
            "quotes": [coding.json()["id"]],
        },
    )
    assert judged.status_code == 200 and judged.json()["rating"] == "partly_met"
    listed = call(client, "get", f"/programmes/{programme}/judgements", auth).json()
    assert listed[0]["quotes"] == [coding.json()["id"]]

    # Others: an outsider learns nothing; a member in another role is told why.
    assert call(client, "get", f"/programmes/{programme}", bearer(olu)).status_code == 404
    member = call(client, "get", f"/programmes/{programme}", bearer(ben))
    assert member.status_code == 403 and "evaluators and admins" in member.json()["detail"]
    assert call(client, "get", "/programmes", bearer(olu)).json() == []
    assert call(client, "delete", f"/codings/{coding.json()['id']}", bearer(olu)).status_code == 404
    assert call(client, "delete", f"/codings/{coding.json()['id']}", auth).status_code == 204


def test_the_openapi_document_describes_evaluation(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/evaluation/programmes",
        "/api/v1/evaluation/forms/{form_id}/statistics",
        "/api/v1/evaluation/programmes/{programme_id}/codings",
        "/api/v1/evaluation/objectives/{objective_id}/judgement",
    ]:
        assert path in paths
