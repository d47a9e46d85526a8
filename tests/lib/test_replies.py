"""The new words of an emailed reply: signatures that mail programs add without a "-- "
line are taken off after the sign-off and name, and nothing a person wrote goes with
them. The replies here were written for these tests, in the layouts the programs use."""

from __future__ import annotations

import pytest

from commonground.lib.replies import html_text, new_words

CASES = {
    # Outlook's own signature, straight under the words, and its quote header below.
    "outlook, no sign-off": (
        """Our housing officers knock on doors with the library leaflet.

Ben Member
Outreach Librarian | Riverside Libraries
T: 01632 960 123

From: Ada Admin via Riverside set <riverside-set@groups.example.org>
Sent: 03 March 2026 09:02
To: Member, Ben <ben@example.org>
Subject: [Riverside set] Outreach in the new estate

How have people reached families on the new estate?
""",
        "Our housing officers knock on doors with the library leaflet.",
    ),
    "outlook, kind regards": (
        """Yes, Thursday works for me. I'll bring the sign-up sheets.

Kind regards,
Ben Member
Outreach Librarian | Riverside Libraries
Tel: +44 1632 960123 | Mob: 07700 900123
ben.member@riverside.example
www.riverside-libraries.example

________________________________
From: Ada Admin via Riverside set <riverside-set@groups.example.org>
Sent: Tuesday, March 3, 2026 9:02 AM
""",
        "Yes, Thursday works for me. I'll bring the sign-up sheets.\n\nKind regards,\nBen Member",
    ),
    "outlook on a phone, thanks with the name": (
        """Running ten minutes late, start without me.

Thanks, Ben
Outreach Librarian | Riverside Libraries
M: 07700 900 123

Get Outlook for Android
""",
        "Running ten minutes late, start without me.\n\nThanks, Ben",
    ),
    "gmail, typed signature": (
        """That's really useful, thank you. We'll try the pairing idea in two branches.

Cheers,
Tom

Tom Haldane
Outreach Officer, Riverside Libraries
tom.haldane@riverside.example · 01632 960 555

On Tue, 3 Mar 2026 at 09:02, Ada Admin via Riverside set <
riverside-set@groups.example.org> wrote:

> How have people kept their volunteers?
""",
        "That's really useful, thank you. We'll try the pairing idea in two branches."
        "\n\nCheers,\nTom",
    ),
    "gmail, with its dash-dash line": (
        """The market stall drew 140 people.

Best,
Daniel

--
Daniel Mensah
Senior Engagement Officer
Eastbrook Council

On Tue, 3 Mar 2026 at 09:02, Ada Admin wrote:
> How did the stall go?
""",
        "The market stall drew 140 people.\n\nBest,\nDaniel",
    ),
    "apple mail, signature above the quote": (
        """Yes – the health visitors hand out our "first book" packs.

Best wishes,
Amara

Amara Okafor (she/her)
Community Librarian
Riverside Libraries
www.riverside-libraries.example

> On 3 Mar 2026, at 09:02, Ada Admin via Riverside set <riverside-set@groups.example.org> wrote:
>
> How have people reached families on the new estate?
""",
        'Yes – the health visitors hand out our "first book" packs.\n\nBest wishes,\nAmara',
    ),
    "apple mail, name and title only": (
        """Count me in for the reading day.

Gwen Pritchard
Archivist
Northmoor Museums and Archives
Twitter: @northmoorarchive
""",
        "Count me in for the reading day.",
    ),
    "no signature": (
        """Count me in for Thursday.

> Could we visit the estate together before the next meeting?
""",
        "Count me in for Thursday.",
    ),
    "a sign-off and name, nothing under them": (
        """I can bring the van.

Thanks,
Ben
""",
        "I can bring the van.\n\nThanks,\nBen",
    ),
}

# Replies whose last lines are the person's own words: nothing may be taken off.
CONTENT = {
    "a last paragraph of sentences": """We tried the pop-up library at the café.

Ben Member
Outreach Librarian | Riverside Libraries

Twelve new members in a month, most of them parents. We will keep it going.""",
    "a postscript after the sign-off": """See you on Thursday.

Thanks,
Ben

PS: the leaflets from Riverton Homes are in the van, ask me for some.""",
    "a contact given after a colon": """The person to ask at the housing office is Sam:

Sam Okafor
Tenancy Support | Riverton Homes
T: 01632 960 456""",
    "a place, not a person": """We meet here next time, not at the museum.

Meet at Riverside Central Library
12 High Street, Riverton
T: 01632 960 000""",
    "a list under a sign-off-like word": """Best ideas from the day

Going where people already are
Paying people for their time
Something to look at: photos, objects, maps""",
    "thanks as the whole reply": "Thanks!",
    "a greeting, not a sign-off": """Thanks, Ada

The estate walk is booked for the 14th; we meet at 10 by the café.
Bring boots, the path by the brook is muddy.""",
}


@pytest.mark.parametrize("name", CASES)
def test_a_signature_is_taken_off_and_the_sign_off_kept(name: str) -> None:
    text, expected = CASES[name]
    assert new_words(text) == expected


@pytest.mark.parametrize("name", CONTENT)
def test_words_that_end_a_reply_are_kept(name: str) -> None:
    assert new_words(CONTENT[name]) == CONTENT[name]


def test_a_signature_under_other_words_is_taken_off_and_they_kept() -> None:
    text = """The estate walk is booked for the 14th.

Thanks, Ada

Ben Member
Outreach Librarian | Riverside Libraries
T: 01632 960 123"""
    assert new_words(text) == "The estate walk is booked for the 14th.\n\nThanks, Ada"


def test_an_outlook_html_reply_loses_its_signature_and_quote() -> None:
    html = (
        '<html><body><div class="WordSection1"><p class="MsoNormal">We have a room '
        'on the 14th.</p><p class="MsoNormal">&nbsp;</p><p>Kind regards,</p><p>Ben</p>'
        '<div id="Signature"><p>Ben Member</p><p>Outreach Librarian | Riverside Libraries'
        '</p></div></div><div id="divRplyFwdMsg"><b>From:</b> Ada Admin</div>'
        "<div>Is there a room?</div></body></html>"
    )
    # Outlook writes each line as a paragraph of its own.
    assert new_words(html_text(html)) == "We have a room on the 14th.\n\nKind regards,\n\nBen"
