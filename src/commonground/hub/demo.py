"""Demonstration hubs: fictional networks in several sectors, with posts written for Common Ground.

The demo server serves their feeds itself under ``/hub/demo-feeds/`` (RSS, Atom
and JSON Feed, so each format is exercised) and harvests them over HTTP
once it is up, so a newcomer sees a live commons with no internet.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from commonground import access
from commonground.accounts.demo import ADMIN_EMAIL
from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Sector, Source


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    body: str
    days_ago: int
    categories: tuple[str, ...] = ()
    link: str = ""  # another site's link, when the hub passes on someone else's resource


@dataclass(frozen=True)
class Hub:
    slug: str
    title: str
    site: str
    fmt: str  # rss, atom or json
    sectors: tuple[str, ...]
    posts: tuple[Post, ...]


SHARED_TOOLKIT = "https://volunteer-toolkit.example/guide/running-volunteer-led-services"

HUBS: tuple[Hub, ...] = (
    Hub(
        "shelf-life",
        "Shelf Life: community libraries network",
        "https://shelf-life.example/",
        "rss",
        ("libraries", "voluntary-community"),
        (
            Post(
                "volunteer-rota",
                "Keeping a volunteer rota fair when everyone is busy",
                "<p>Our branch runs four afternoons a week with <strong>volunteers</strong>. "
                "We swapped the paper rota for a shared sheet and a monthly tea where people "
                "swap shifts in person. Nobody now covers more than two sessions a month.</p>"
                "<p>The tea matters more than the sheet: it is where new volunteers meet the "
                "ones who have been here ten years.</p>",
                2,
                ("Volunteering",),
            ),
            Post(
                "toolkit",
                "A toolkit for volunteer-led services, passed on",
                "<p>A clear guide on handing a service to volunteers without handing them all "
                "the risk: insurance, training, who decides opening hours.</p>",
                5,
                ("Volunteering",),
                link=SHARED_TOOLKIT + "?utm_source=shelflife&utm_medium=rss",
            ),
            Post(
                "digital-drop-in",
                "Digital drop-ins: what people actually ask",
                "<p>We logged every question at our Tuesday digital drop-in for three months. "
                "Most were about booking GP appointments online, then about scam emails, then "
                "about photos on phones. We now train helpers on those three first.</p>",
                9,
                ("Digital",),
            ),
            Post(
                "quiet-hour",
                "A quiet hour for people who find the library too loud",
                "<p>Lights down, no announcements, staff on hand. Twenty people came the first "
                "week; carers asked us to keep it.</p>",
                16,
            ),
            Post(
                "consultation-opening-hours",
                "We asked 600 people about opening hours: here is what changed",
                "<p>The consultation ran for six weeks in branches and online. Later evenings "
                "won over Sunday mornings. We published every comment, with names removed.</p>",
                23,
                ("Consultation",),
            ),
        ),
    ),
    Hub(
        "wellbeing-commons",
        "Wellbeing Commons",
        "https://wellbeing-commons.example/",
        "atom",
        ("health",),
        (
            Post(
                "befriending-volunteers",
                "Volunteer befrienders and loneliness: a year's notes",
                "<p>Our volunteer befrienders made 3,100 calls last year. People who had a "
                "regular caller said they felt less lonely; the volunteers said the training "
                "on endings was what they valued most.</p>",
                3,
                ("Social prescribing",),
            ),
            Post(
                "toolkit",
                "Worth reading: running volunteer-led services",
                "<p>Passing on a practical guide to volunteer-led services. The section on "
                "safeguarding is the best short version we have seen.</p>",
                4,
                ("Resources",),
                link=SHARED_TOOLKIT + "#safeguarding",
            ),
            Post(
                "walks",
                "Health walks that residents lead themselves",
                "<p>Walk leaders trained in spring now run eleven weekly walks. The walks "
                "that start from a library or community centre keep their walkers longest.</p>",
                12,
                ("Physical activity",),
            ),
            Post(
                "evaluation",
                "Measuring wellbeing without making people fill in forms",
                "<p>Short conversations at the end of a session, noted by the facilitator, "
                "told us more than the questionnaire did. We still use a four-point scale for "
                "the funder, but only twice a year.</p>",
                20,
                ("Evaluation",),
            ),
        ),
    ),
    Hub(
        "tenant-voice",
        "Tenant Voice Network",
        "https://tenant-voice.example/",
        "json",
        ("housing", "neighbourhood-renewal"),
        (
            Post(
                "estate-volunteers",
                "Residents running the estate's community room",
                "<p>The community room is now run by a residents' group of volunteers with a "
                "small grant from the landlord. Bookings doubled once residents held the keys.</p>",
                1,
                ("Community assets",),
            ),
            Post(
                "scrutiny-panel",
                "What a tenant scrutiny panel changed about repairs",
                "<p>The panel read a year of repair complaints and asked for one named contact "
                "per job. The landlord agreed; complaints fell by a third.</p>",
                8,
                ("Participation",),
            ),
            Post(
                "digital-inclusion-housing",
                "Tablets and data for tenants who are offline",
                "<p>We lent tablets with data to 80 households and paired each with a digital "
                "champion. Most wanted to manage their rent account and talk to family.</p>",
                14,
                ("Digital",),
            ),
        ),
    ),
    Hub(
        "past-present",
        "Past & Present: community archives",
        "https://past-present.example/",
        "rss",
        ("archives", "museums", "arts-culture"),
        (
            Post(
                "oral-history",
                "Recording oral histories with volunteers: consent first",
                "<p>Before any recording, our volunteers talk through how the recording will be "
                "kept and used, and who can see it. We changed our consent form after three "
                "people asked for their stories to stay closed for twenty years.</p>",
                6,
                ("Volunteering",),
            ),
            Post(
                "handling-boxes",
                "Handling boxes for care homes",
                "<p>Six boxes of everyday objects from the 1950s and 60s now travel round local "
                "care homes. Staff say they start conversations nothing else does.</p>",
                11,
            ),
            Post(
                "co-curation",
                "Co-curating an exhibition with the people in the photographs",
                "<p>The people in the photographs chose what went on the walls, and wrote the "
                "labels. It took twice as long and drew three times the visitors.</p>",
                19,
                ("Co-production",),
            ),
        ),
    ),
    Hub(
        "civic-square",
        "Civic Square: council engagement practice",
        "https://civic-square.example/",
        "atom",
        ("local-government",),
        (
            Post(
                "budget-panel",
                "A residents' panel on the council budget",
                "<p>Thirty residents, chosen by lot, met over four evenings with council "
                "officers and came back with six recommendations. Four are in next year's "
                "budget; the other two are explained in writing.</p>",
                2,
                ("Consultation",),
            ),
            Post(
                "closing-the-loop",
                "Closing the loop: telling people what happened next",
                "<p>Every consultation now ends with a 'you said, we did' page within twelve "
                "weeks. Response rates to the next consultation went up.</p>",
                10,
                ("Consultation",),
            ),
            Post(
                "volunteer-led-libraries",
                "When libraries become volunteer-led: lessons for councils",
                "<p>Councils considering volunteer-led library services should budget for "
                "paid coordination, keep the book stock and the IT with the council, and agree "
                "what happens if the volunteers cannot carry on.</p>",
                7,
                ("Volunteering",),
            ),
        ),
    ),
    Hub(
        "groundwork-notes",
        "Groundwork Notes: community development",
        "https://groundwork-notes.example/",
        "json",
        ("voluntary-community", "neighbourhood-renewal", "education"),
        (
            Post(
                "asset-transfer",
                "Taking over the old bowls club: an asset transfer diary",
                "<p>Eighteen months from first meeting to keys. The lease, the building survey "
                "and the business plan each took longer than the one before.</p>",
                4,
                ("Community assets",),
            ),
            Post(
                "small-grants",
                "Small grants, big paperwork: making funding forms shorter",
                "<p>We cut our small grants form from nine pages to two and asked for a "
                "conversation instead of a budget spreadsheet. Applications from new groups "
                "rose sharply.</p>",
                13,
                ("Funding",),
            ),
            Post(
                "action-learning",
                "Action learning sets for community workers",
                "<p>Six community workers met monthly for a year, each bringing a real problem. "
                "The rule that helped most: questions only, no advice, for the first round.</p>",
                21,
                ("Learning",),
            ),
        ),
    ),
)


def _url(hub: Hub, post: Post) -> str:
    return post.link or f"{hub.site}posts/{post.slug}"


def _when(post: Post, now: datetime) -> datetime:
    return (now - timedelta(days=post.days_ago)).replace(hour=9, minute=30, second=0, microsecond=0)


def render(hub: Hub, *, now: datetime) -> tuple[bytes, str]:
    """The hub's feed in its own format: (body, content type)."""
    if hub.fmt == "json":
        document = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": hub.title,
            "home_page_url": hub.site,
            "items": [
                {
                    "id": f"{hub.slug}-{p.slug}",
                    "url": _url(hub, p),
                    "title": p.title,
                    "content_html": p.body,
                    "date_published": _when(p, now).isoformat(),
                    "tags": list(p.categories),
                }
                for p in hub.posts
            ],
        }
        return json.dumps(document).encode(), "application/feed+json"
    if hub.fmt == "atom":
        entries = "".join(
            f'<entry><title>{escape(p.title)}</title><link href="{escape(_url(hub, p))}"/>'
            f"<id>tag:{hub.slug}.example,2026:{p.slug}</id>"
            f"<published>{_when(p, now).isoformat()}</published>"
            f"<updated>{_when(p, now).isoformat()}</updated>"
            + "".join(f'<category term="{escape(c)}"/>' for c in p.categories)
            + f'<content type="html">{escape(p.body)}</content></entry>'
            for p in hub.posts
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>{escape(hub.title)}</title><link href="{hub.site}"/>'
            f"<id>{hub.site}</id><updated>{now.isoformat()}</updated>{entries}</feed>"
        )
        return body.encode(), "application/atom+xml"
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{escape(_url(hub, p))}</link>"
        f'<guid isPermaLink="false">{hub.slug}-{p.slug}</guid>'
        f"<pubDate>{format_datetime(_when(p, now), usegmt=True)}</pubDate>"
        + "".join(f"<category>{escape(c)}</category>" for c in p.categories)
        + f"<description>{escape(p.body)}</description></item>"
        for p in hub.posts
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(hub.title)}</title><link>{hub.site}</link>"
        f"<description>{escape(hub.title)}</description>{items}</channel></rss>"
    )
    return body.encode(), "application/rss+xml"


@access.allow(access.ANYONE)
def feed(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a demonstration hub's feed; only when Common Ground runs as the demo."""
    hub = next((h for h in HUBS if h.slug == name), None)
    if not settings.DEMO or hub is None:
        raise Http404("No such demonstration feed.")
    # A fixed "now" per day keeps the body, and so its ETag, stable between checks.
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    body, content_type = render(hub, now=today)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    if request.headers.get("If-None-Match") == response["ETag"]:
        return HttpResponse(status=304, headers={"ETag": response["ETag"]})
    return response


# What the demo administrator follows, so the home page shows what following does.
ADMIN_FOLLOWS = ("shelf-life", "tenant-voice")
ADMIN_FOLLOWS_SECTOR = "health"


def _follow_for_the_administrator() -> None:
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None or admin.hub_follows.exists():
        return  # no administrator, or one who has chosen what to follow
    for slug in ADMIN_FOLLOWS:
        source = Source.objects.filter(feed_url__endswith=f"/demo-feeds/{slug}").first()
        if source is not None:
            services.follow_add(user=admin, source=source)
    sector = Sector.objects.filter(slug=ADMIN_FOLLOWS_SECTOR).first()
    if sector is not None:
        services.follow_add(user=admin, sector=sector)


def load(*, addr: str = "127.0.0.1:8000") -> str:
    """Collect the demonstration hubs at this server's address (kept up to date on restart,
    and when the feeds' address moves: they were once at /demo-feeds/)."""
    for hub in HUBS:
        url = f"http://{addr}{reverse('hub:demo_feed', args=[hub.slug])}"
        source = Source.objects.filter(feed_url__endswith=f"/demo-feeds/{hub.slug}").first()
        if source is None:
            source = Source.objects.create(
                feed_url=url,
                title=hub.title,
                site_url=hub.site,
                host=addr.split(":")[0],
                description=f"A fictional {hub.fmt.upper()} hub for the demonstration.",
            )
            source.sectors.set(Sector.objects.filter(slug__in=hub.sectors))
            continue
        if source.feed_url != url:
            source.feed_url = url
            source.save(update_fields=["feed_url"])
        # Sectors given to a hub since (arts and culture, education) reach older demos.
        source.sectors.add(*Sector.objects.filter(slug__in=hub.sectors))
    _follow_for_the_administrator()
    return (
        f"{len(HUBS)} demonstration hubs are collected by this site; "
        "their feeds are harvested once the server is up."
    )
