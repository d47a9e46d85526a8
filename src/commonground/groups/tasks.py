"""Background work for Groups. Each task takes ids, loads fresh rows, and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task

from commonground.groups import mailout
from commonground.groups.models import Mail

log = logging.getLogger(__name__)


@shared_task
def post_mail(post_id: int) -> int:
    """Email a post to the members who want every post."""
    return mailout.post_mail(int(post_id))


@shared_task
def invitations_send(meeting_id: int, method: str, whole_series: int) -> int:
    """Email members a meeting's calendar request or cancellation."""
    return mailout.invitations_send(int(meeting_id), str(method), bool(int(whole_series)))


@shared_task
def rules_ask_send(group_id: int, user_id: int) -> int:
    """Email members (or one, if ``user_id``) a link to the group's ground rules."""
    return mailout.rules_ask_send(int(group_id), int(user_id))


@shared_task
def mailings_enqueue() -> int:
    """Every few seconds with Celery: hand each waiting mailing to a worker."""
    waiting = mailout.mailings_waiting()
    for post_id in waiting:
        post_mail.delay(post_id)
    return len(waiting)


@shared_task
def digests_send() -> int:
    """Hourly: send the daily and weekly digests that are due."""
    sent = mailout.digests_send(Mail.DAILY) + mailout.digests_send(Mail.WEEKLY)
    if sent:
        log.info("Sent %s digests", sent)
    return sent
