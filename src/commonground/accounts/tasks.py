"""Background tasks for accounts. Each takes ids, loads fresh rows, calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command

from commonground.accounts import services
from commonground.accounts.models import Invitation

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_email_send(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        log.info("Invitation %s is gone or closed; not sending.", invitation_id)
        return
    services.invitation_email_send(invitation=invitation)


@shared_task
def sessions_clear_expired() -> None:
    call_command("clearsessions")
