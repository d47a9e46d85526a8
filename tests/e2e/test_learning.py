"""Learn in a real browser: read a chapter and answer on a phone, lose the connection
mid-answer and get the words back, see "Saved", compare on a later visit, answer without
JavaScript, and read the journal. axe on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from commonground.accounts.models import Organisation, User
from commonground.learning.models import Consent, Course, Reflection
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import check_axe, check_reflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def window(browser: Any, width: int = 1280, **options: Any) -> tuple[Any, Any]:
    """A browser context of its own (to go offline, lose cookies or turn JavaScript off)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_answer_on_a_phone_through_a_lost_connection(
    browser: Any, live_server: Any, course: Course, ada: User
) -> None:
    base = live_server.url
    context, page = window(browser, 390)
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/learn/")
    check_axe(page)
    page.get_by_role("link", name="Listening well").click()
    check_axe(page)
    check_reflow(page)
    page.get_by_role("link", name="Start with chapter 1: Why listen?").click()
    check_axe(page)
    check_reflow(page)

    box = page.get_by_role(
        "textbox", name="When did your service last change because of what someone said?"
    )
    status = page.locator("#q-last-time-you-listened [data-save-status]")
    box.fill("When the library")
    expect(status).to_contain_text("Saved at")
    assert Reflection.objects.get(person=ada).text == "When the library"

    # The connection drops mid-answer: the words stay, and the page says so.
    context.set_offline(True)
    box.fill("When the library moved its opening hours after the survey.")
    expect(status).to_contain_text("the connection is lost")
    # Even a reload while offline would lose nothing: the words are kept in the browser.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Saved at")
    assert Reflection.objects.get(person=ada).text.endswith("after the survey.")

    page.get_by_label("3 Usually").check()
    expect(page.locator("#q-how-often [data-save-status]")).to_contain_text("Saved at")
    assert Reflection.objects.get(question__key="how-often").chosen == ["Usually"]

    # A later visit shows what was written, and a new reflection can go beside it.
    page.reload()
    expect(box).to_have_value("When the library moved its opening hours after the survey.")
    page.get_by_role("link", name="Write a new reflection beside this one").first.click()
    expect(page.get_by_text("What you wrote on")).to_be_visible()
    check_axe(page)
    context.close()


def test_words_kept_in_the_browser_come_back_after_signing_in_again(
    browser: Any, live_server: Any, course: Course, ada: User
) -> None:
    base = live_server.url
    context, page = window(browser)
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/learn/listening/why/")
    context.clear_cookies()  # the session ends while the page is open
    box = page.get_by_role(
        "textbox", name="When did your service last change because of what someone said?"
    )
    status = page.locator("#q-last-time-you-listened [data-save-status]")
    box.fill("Words written after the session ended.")
    box.blur()
    expect(status).to_contain_text("you have been signed out")
    assert not Reflection.objects.exists()
    status.get_by_role("link", name="sign in again to save them").click()
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/learn/listening/why/**")
    expect(status).to_contain_text("Saved at")
    assert Reflection.objects.get().text == "Words written after the session ended."
    page.goto(f"{base}/learn/journal/")
    expect(page.get_by_text("Words written after the session ended.")).to_be_visible()
    check_axe(page)
    context.close()


def test_answer_and_read_the_journal_without_javascript(
    browser: Any, live_server: Any, course: Course, ada: User
) -> None:
    base = live_server.url
    context, page = window(browser, java_script_enabled=False)
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/learn/listening/how/")
    page.get_by_label("Markets").check()
    page.get_by_label("Clinics").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved at").first).to_be_visible()
    assert Reflection.objects.get().chosen == ["Markets", "Clinics"]
    page.get_by_role("button", name="I have finished this chapter").click()
    page.goto(f"{base}/learn/journal/")
    expect(page.get_by_text("Markets; Clinics")).to_be_visible()
    context.close()  # axe needs JavaScript: the journal is checked in the test before


@pytest.mark.parametrize("width", [1280, 320])
def test_every_learn_page_passes_axe_and_reflows(
    page: Any,
    live_server: Any,
    course: Course,
    ada: User,
    staff: User,
    riverside: Organisation,
    width: int,
) -> None:
    from commonground.learning import services

    base = live_server.url
    page.set_viewport_size({"width": width, "height": 800})
    pages = ["/learn/", "/learn/listening/", "/learn/listening/why/", "/learn/listening/how/"]
    for path in pages:  # as someone not signed in
        page.goto(base + path)
        check_axe(page)
        check_reflow(page)
    question = course.questions.get(key="last-time-you-listened")
    first = services.reflection_save(person=ada, question=question, text="The café hours.")
    services.reflection_save(person=ada, question=question, text="Later: the rota.")
    services.reflection_save(
        person=ada, question=question, text="The café hours, in May.", reflection=first
    )
    cohort = services.cohort_start(course=course, organisation=riverside, by=ada)
    share = services.share_create(owner=ada, reflection=first, note="my facilitator")
    services.share_create(owner=ada, chapter=question.chapter)
    services.share_withdraw(share=services.share_create(owner=ada, reflection=first))
    sign_in(page, base, "ada@example.org", PASSWORD)
    for path in [*pages, "/learn/listening/why/?new=last-time-you-listened", "/learn/journal/",
                 "/learn/journal/?q=nothing-matches", "/learn/journal/?order=date",
                 "/learn/shares/", share.get_absolute_url(), "/learn/listening/cohort/",
                 cohort.get_absolute_url()]:  # fmt: skip
        page.goto(base + path)
        check_axe(page)
        check_reflow(page)
    # A researcher's pages, on a course open to research with enough consenting learners.
    course.research = True
    course.save(update_fields=["research"])
    for n in range(10):
        learner = make_person(f"learner{n}@example.org", f"Learner {n}")
        services.consent_set(person=learner, course=course, level=Consent.EXCERPTS)
        services.reflection_save(person=learner, question=question, text=f"Answer {n}.")
        services.reflection_save(
            person=learner, question=course.questions.get(key="how-often"), chosen=["Usually"]
        )
    staff.user_permissions.add(Permission.objects.get(codename="research"))
    page.context.clear_cookies()
    sign_in(page, base, "sam@example.org", PASSWORD)
    for path in ["/learn/research/", "/learn/research/listening/", "/learn/listening/"]:
        page.goto(base + path)
        check_axe(page)
        check_reflow(page)
    page.goto(base + "/learn/upload/")
    check_axe(page)
    check_reflow(page)
    page.get_by_label("Zip file of the course folder").set_input_files(
        files=[{"name": "course.zip", "mimeType": "application/zip", "buffer": b"not a zip"}]
    )
    page.get_by_role("button", name="Check and load").click()
    expect(page.get_by_text("The course was not loaded; nothing was changed")).to_be_visible()
    check_axe(page)
    check_reflow(page)


def test_a_chapter_printed_shows_whole_answers_without_the_site_around_them(
    browser: Any, live_server: Any, course: Course, ada: User
) -> None:
    import pypdfium2

    base = live_server.url
    context, page = window(browser)
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/learn/listening/why/")
    long_answer = " ".join(f"Sentence {n} of a long reflection." for n in range(1, 41))
    box = page.get_by_role(
        "textbox", name="When did your service last change because of what someone said?"
    )
    box.fill(long_answer)  # typed, not yet saved: the printed copy follows the box
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(box).to_be_hidden()
    expect(page.get_by_role("button", name="Save").first).to_be_hidden()
    copy = page.locator("#q-last-time-you-listened .reflect__print")
    expect(copy).to_have_text(long_answer)
    printed = pypdfium2.PdfDocument(page.pdf(format="A4"))
    text = " ".join(p.get_textpage().get_text_range() for p in printed).replace("\r\n", " ")
    assert "Sentence 40 of a long reflection." in text and "Skip to main" not in text
    context.close()
