"""What Groups holds about a person goes into their download and goes with their account:
their work, registers, directory entry and settings; their words in group talk are taken
out while the replies around them stay."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.utils import timezone

from commonground.accounts.models import User
from commonground.accounts.personal_data import erase_everything, export_zip
from commonground.conversations.models import Post
from commonground.conversations.personal_data import REMOVED
from commonground.groups import services
from commonground.groups.models import Attendance, Group, Listing, Member, Work


def test_a_members_groups_data_is_downloaded_and_erased(
    riverside_set: Group, ada: User, ben: User
) -> None:
    meeting = services.meeting_schedule(
        group=riverside_set, title="Meeting", starts_at=timezone.now() - timedelta(days=1),
        minutes=60, mode="in_person", venue="Library",
    )[0]  # fmt: skip
    services.register_save(meeting=meeting, marks={ben.pk: ("present", "in_person")}, by=ada)
    services.work_add(member=Member.objects.get(user=ben), title="Estate outreach", hope="",
                      visibility="me")  # fmt: skip
    services.listing_save(user=ben, listed=True, sector="library", region="", interests="")
    first = services.topic_start(group=riverside_set, author=ada, title="Hello", body="Hi all.")
    reply = services.topic_reply(topic=first.thread.topic, author=ben, body="My private words.")
    names = zipfile.ZipFile(io.BytesIO(export_zip(ben))).namelist()
    for expected in ("group_memberships.csv", "group_attendance.csv", "group_work.csv",
                     "posts.csv", "directory_entry.json"):  # fmt: skip
        assert any(n.endswith(expected) for n in names), expected
    erase_everything(ben)
    assert not Work.objects.filter(owner=ben).exists()
    assert not Attendance.objects.filter(user=ben).exists()
    assert not Listing.objects.filter(user=ben).exists()
    kept = Post.objects.get(pk=reply.pk)
    assert kept.body == REMOVED and kept.author is None
    assert Post.objects.get(pk=first.pk).body == "Hi all."
