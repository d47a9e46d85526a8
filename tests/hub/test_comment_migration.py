"""Hub migration 0007 moves each item's comments onto the conversation piece: one public
thread an item, its posts in the order the comments were written, replies, hidden
comments (with who hid them and why) and reports kept. Run on rows as Common Ground
stored them before 0007, by migrating the database back to 0006 and forward again; a
transactional test, so it runs the real schema changes on SQLite and on PostgreSQL (the
suite runs on each: DATABASE_URL chooses)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonground.accounts.models import User
from commonground.conversations.models import Post, Report, Thread
from commonground.hub import search
from commonground.hub.models import Item
from tests.conftest import make_person

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("hub", "0006_theme_word_forms")]
AFTER = [("hub", "0007_comments_in_conversations")]
MORNING = datetime(2025, 11, 4, 9, 0, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate to ``targets`` and give the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_0007(transactional_db: None) -> Iterator[Apps]:
    """The models as they were before 0007, on a database migrated back to it; the
    database is migrated to the latest again afterwards, whatever the test did."""
    try:
        yield _migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _item(old: Apps, n: int, title: str) -> int:
    item = old.get_model("hub", "Item").objects.create(
        link_key=f"key-{n}",
        link=f"https://hub.example/posts/{n}",
        title=title,
        published_at=MORNING - timedelta(days=n),
        content_hash=f"hash-{n}",
    )
    return int(item.pk)


def test_comments_become_the_posts_of_one_public_thread_an_item(before_0007: Apps) -> None:
    old = before_0007
    ada = make_person("ada@example.org", "Ada Admin")
    ben = make_person("ben@example.org", "Ben Member")
    olu = make_person("olu@example.org", "Olu Outsider")
    Comment = old.get_model("hub", "Comment")  # noqa: N806 - a model class
    CommentReport = old.get_model("hub", "CommentReport")  # noqa: N806
    talked = _item(old, 1, "Pop-up libraries in community cafés " + "and more " * 40)
    quiet = _item(old, 2, "A post nobody commented on")
    orphaned = _item(old, 3, "Volunteers who stay")

    # Written out of order (a later id for an earlier comment), as an import might have.
    late = Comment.objects.create(
        item_id=talked, author_id=olu.pk, body="Rude words.",
        created_at=MORNING + timedelta(hours=3), hidden_at=MORNING + timedelta(hours=4),
        hidden_by_id=ada.pk, hidden_reason="Unkind",
    )  # fmt: skip
    first = Comment.objects.create(
        item_id=talked, author_id=ben.pk, body="We tried this at Brookside.",
        created_at=MORNING,
    )  # fmt: skip
    reply = Comment.objects.create(
        item_id=talked, author_id=ada.pk, parent=first, body="How did it go?",
        created_at=MORNING + timedelta(hours=1),
    )  # fmt: skip
    Comment.objects.create(
        item_id=orphaned, author_id=None, body="From someone who has left.", created_at=MORNING
    )
    CommentReport.objects.create(
        comment=late, reporter_id=ben.pk, reason="Unkind to Ada",
        created_at=MORNING + timedelta(hours=3, minutes=30),
        resolved_at=MORNING + timedelta(hours=4),
    )  # fmt: skip
    CommentReport.objects.create(
        comment=reply, reporter_id=olu.pk, reason="Off topic",
        created_at=MORNING + timedelta(hours=2),
    )  # fmt: skip

    new = _migrate(AFTER)
    NewItem = new.get_model("hub", "Item")  # noqa: N806
    assert NewItem.objects.get(pk=quiet).thread_id is None
    assert new.get_model("conversations", "Thread").objects.count() == 2

    # The rest is read as the code reads it now, on the latest schema.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    thread = Item.objects.select_related("thread").get(pk=talked).thread
    assert thread is not None and thread.public and thread.closed_at is None
    assert thread.title == Item.objects.get(pk=talked).title[:200]
    assert (thread.started_by, thread.created_at) == (ben, MORNING)
    assert (thread.post_count, thread.last_post_at) == (3, MORNING + timedelta(hours=3))
    posts = list(thread.posts.order_by("created_at", "id"))
    assert [(p.author, p.body) for p in posts] == [
        (ben, "We tried this at Brookside."),
        (ada, "How did it go?"),
        (olu, "Rude words."),
    ]
    was_first, was_reply, was_late = posts
    assert was_first.parent is None and was_reply.parent == was_first
    assert all(p.via == Post.Via.WEB for p in posts)
    assert (was_late.hidden_at, was_late.hidden_by, was_late.hidden_reason) == (
        MORNING + timedelta(hours=4),
        ada,
        "Unkind",
    )
    assert was_first.hidden_at is None and was_reply.hidden_at is None
    reports = {(r.post_id, r.reporter, r.reason, r.resolved_at) for r in Report.objects.all()}
    assert reports == {
        (was_late.pk, ben, "Unkind to Ada", MORNING + timedelta(hours=4)),
        (was_reply.pk, olu, "Off topic", None),
    }

    (left,) = Item.objects.select_related("thread").get(pk=orphaned).thread.posts.all()  # type: ignore[union-attr]
    assert (left.author, left.body) == (None, "From someone who has left.")
    assert Thread.objects.count() == 2
    assert User.objects.count() == 3  # nobody made or lost on the way
    # Search still finds what was stored before (on SQLite, its index's triggers survived
    # the trip back to 0006, which rebuilds the item table).
    assert [hit.id for hit in search.search("volunteers stay").hits] == [orphaned]
