from __future__ import annotations

from commonground import jobs, parts


class GroupsConfig(parts.Part):
    name = "commonground.groups"
    verbose_name = "Groups"
    order = 18
    mounts = (parts.Mount("groups/", "commonground.groups.urls"),)
    api = "commonground.groups.api"
    demo = "commonground.groups.demo"
    nav = parts.NavEntry("Groups", "groups:groups", signed_in_only=True)
    header_links = "groups/includes/header_links.html"

    def ready(self) -> None:
        from commonground.groups import mailout, personal_data, rules, tasks  # noqa: F401

        jobs.every(60 * 60, tasks.digests_send, name="groups-digests")
        # Mail taken in by ``mail-in`` is posted at once and emailed on by this job.
        jobs.every(10, tasks.mailings_enqueue, name="groups-mailings", here=mailout.mailings_send)
