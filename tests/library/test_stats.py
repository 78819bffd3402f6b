"""Usage statistics: counting views and downloads, charts and who sees them."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from library.models import AccessLevel
from library.usage import reports
from library.usage.counting import count_use, is_robot, purge_visits
from library.usage.models import ItemUsage, ItemVisit, UsageKind
from lms.models import Membership

from .conftest import make_person
from .test_access import add_item

pytestmark = pytest.mark.django_db

BROWSER = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)
OTHER_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Firefox/121.0"


@pytest.fixture
def today(monkeypatch):
    """Return a function that moves ``timezone.localdate`` to a given date."""
    current = {"day": datetime.date(2026, 3, 10)}

    def localdate(value=None, timezone=None):
        return current["day"]

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    def set_day(day):
        current["day"] = day
        return day

    return set_day


def usage(item):
    return list(
        ItemUsage.objects.filter(item_id=item.pk)
        .order_by("month")
        .values_list("month", "views", "downloads")
    )


def test_view_counted_once_a_day(library, teacher, student, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    client.force_login(student)

    for _repeat in range(3):
        response = client.get(item.url, HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200
    today(datetime.date(2026, 3, 11))
    client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert usage(item) == [(datetime.date(2026, 3, 1), 2, 0)]


def test_views_split_by_month(library, teacher, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    client.force_login(teacher)

    client.get(item.url, HTTP_USER_AGENT=BROWSER)
    today(datetime.date(2026, 4, 1))
    client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert usage(item) == [
        (datetime.date(2026, 3, 1), 1, 0),
        (datetime.date(2026, 4, 1), 1, 0),
    ]


def test_anonymous_visitors_told_apart(library, teacher, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item

    client.get(item.url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="127.0.0.5")
    client.get(item.url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="127.0.0.5")
    client.get(item.url, HTTP_USER_AGENT=OTHER_BROWSER, REMOTE_ADDR="127.0.0.5")
    client.get(item.url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="127.0.0.6")

    assert usage(item) == [(datetime.date(2026, 3, 1), 3, 0)]
    visitors = list(ItemVisit.objects.values_list("visitor", flat=True))
    assert all(visitor.startswith("a:") for visitor in visitors)
    assert not any("127.0.0" in visitor for visitor in visitors)


def test_anonymous_key_changes_daily(library, teacher, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item

    client.get(item.url, HTTP_USER_AGENT=BROWSER)
    today(datetime.date(2026, 3, 11))
    client.get(item.url, HTTP_USER_AGENT=BROWSER)

    first, second = ItemVisit.objects.order_by("day").values_list("visitor", flat=True)
    assert first != second


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "Wget/1.21.4",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36",
        "facebookexternalhit/1.1",
        "Sickle/0.7 (OAI harvester)",
    ],
)
def test_robots_not_counted(library, teacher, client, today, user_agent):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item

    response = client.get(item.url, HTTP_USER_AGENT=user_agent)

    assert response.status_code == 200
    assert usage(item) == []


@pytest.mark.parametrize("user_agent", [BROWSER, OTHER_BROWSER, "CUBOT_X30 Build"])
def test_browsers_are_not_robots(user_agent):
    assert not is_robot(user_agent)


def test_prefetch_not_counted(library, teacher, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item

    client.get(item.url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch")

    assert usage(item) == []


def test_refused_view_not_counted(library, teacher, outsider, client, today):
    item = add_item(library, teacher, AccessLevel.SCHOOL).item
    client.force_login(outsider)

    response = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 403
    assert usage(item) == []


def test_download_counted_once_by_both_urls(library, teacher, student, client, today):
    item_file = add_item(library, teacher, AccessLevel.PUBLIC)
    client.force_login(student)

    first = client.get(
        reverse("library:download", args=[item_file.pk]), HTTP_USER_AGENT=BROWSER
    )
    second = client.get(item_file.document.url, HTTP_USER_AGENT=BROWSER)

    assert first.status_code == 200
    assert second.status_code == 200
    assert usage(item_file.item) == [(datetime.date(2026, 3, 1), 0, 1)]


def test_refused_download_not_counted(library, teacher, outsider, client, today):
    item_file = add_item(library, teacher, AccessLevel.SCHOOL)
    client.force_login(outsider)

    response = client.get(
        reverse("library:download", args=[item_file.pk]), HTTP_USER_AGENT=BROWSER
    )

    assert response.status_code == 403
    assert usage(item_file.item) == []


def test_count_use_rejects_unknown_kind(library, teacher):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    request.user = AnonymousUser()

    with pytest.raises(ValueError, match="unknown usage kind"):
        count_use(request, item.pk, "like")


def test_page_view_costs_few_queries(
    library, teacher, student, client, today, django_assert_max_num_queries
):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    client.force_login(student)
    client.get(item.url, HTTP_USER_AGENT=BROWSER)
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    request.user = student

    # A repeated visit costs one statement; a new one, two (and savepoints).
    with django_assert_max_num_queries(3):
        assert not count_use(request, item.pk, UsageKind.VIEW)


def test_purge_keeps_recent_visits(library, teacher, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    client.get(item.url, HTTP_USER_AGENT=BROWSER)
    today(datetime.date(2026, 3, 12))
    client.get(item.url, HTTP_USER_AGENT=BROWSER)

    deleted = purge_visits(datetime.date(2026, 3, 11))

    assert deleted == 1
    assert list(ItemVisit.objects.values_list("day", flat=True)) == [
        datetime.date(2026, 3, 12)
    ]
    assert usage(item) == [(datetime.date(2026, 3, 1), 2, 0)]


def test_month_starts_cross_year():
    months = reports.month_starts(datetime.date(2026, 2, 14), 4)

    assert months == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (11, 20), (180, 200), (501, 1000)],
)
def test_chart_maximum_is_round(value, expected):
    assert reports.nice_maximum(value) == expected


def test_chart_bars_scale_to_maximum():
    series = [
        reports.MonthUsage(datetime.date(2026, 1, 1), views=10, downloads=5),
        reports.MonthUsage(datetime.date(2026, 2, 1), views=0, downloads=0),
    ]

    chart = reports.build_chart(series, width=400, height=200)

    first, second = chart.columns
    assert chart.maximum == 10
    assert first.views.y == chart.plot_top
    assert first.downloads.height == pytest.approx(first.views.height / 2, abs=0.1)
    assert second.views.height == 0
    assert [tick["value"] for tick in chart.ticks] == [0, 2, 4, 6, 8, 10]


def test_item_usage_page_for_uploader(library, teacher, student, client, today):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    client.force_login(student)
    client.get(item.url, HTTP_USER_AGENT=BROWSER)
    client.force_login(teacher)

    response = client.get(reverse("library:item_usage", args=[item.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert 'aria-labelledby="item-usage-title item-usage-desc"' in html
    assert "<table" in html
    march = next(m for m in response.context["series"] if m.month.month == 3)
    assert march.views == 1
    assert len(response.context["series"]) == 12


def test_item_page_links_usage_for_uploader(library, teacher, student, client):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    usage_url = reverse("library:item_usage", args=[item.pk])

    client.force_login(teacher)
    owner_page = client.get(item.url, HTTP_USER_AGENT=BROWSER)
    client.force_login(student)
    student_page = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert usage_url in owner_page.content.decode()
    assert usage_url not in student_page.content.decode()


def test_item_usage_for_school_librarian(library, school, teacher, client):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    client.force_login(librarian)

    response = client.get(reverse("library:item_usage", args=[item.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["student", "outsider", "other_librarian"])
def test_item_usage_refused_to_others(
    library, other_school, teacher, student, outsider, client, who
):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    people = {
        "student": student,
        "outsider": outsider,
        "other_librarian": make_person(
            "pustakawan.lain", other_school, Membership.Role.LIBRARIAN
        ),
    }
    client.force_login(people[who])

    response = client.get(reverse("library:item_usage", args=[item.pk]))

    assert response.status_code == 403


def test_item_usage_anonymous_redirected(library, teacher, client):
    item = add_item(library, teacher, AccessLevel.PUBLIC).item

    response = client.get(reverse("library:item_usage", args=[item.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_school_summary_for_librarian(
    library, other_library, school, teacher, outsider, client, today
):
    item = add_item(library, teacher, AccessLevel.PUBLIC, title="Buku populer").item
    other = add_item(other_library, outsider, AccessLevel.PUBLIC).item
    client.get(item.url, HTTP_USER_AGENT=BROWSER)
    client.get(other.url, HTTP_USER_AGENT=BROWSER)
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    client.force_login(librarian)

    response = client.get(reverse("library:school_usage"))

    assert response.status_code == 200
    assert response.context["school"] == school
    assert response.context["total_views"] == 1
    assert [row["item"] for row in response.context["top_items"]] == [item.pk]
    assert "Buku populer" in response.content.decode()


def test_school_summary_other_school_refused(library, school, other_school, client):
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    client.force_login(librarian)

    response = client.get(reverse("library:school_usage"), {"school": other_school.pk})

    assert response.status_code == 403


def test_school_summary_refused_to_teacher(library, teacher, client):
    client.force_login(teacher)

    response = client.get(reverse("library:school_usage"))

    assert response.status_code == 403


def test_school_summary_bad_months_falls_back(library, school, client):
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    client.force_login(librarian)

    response = client.get(reverse("library:school_usage"), {"months": "banyak"})

    assert response.status_code == 200
    assert response.context["months"] == 12


def test_purge_command_keeps_two_days(library, teacher, client, today):
    from django.core.management import call_command

    item = add_item(library, teacher, AccessLevel.PUBLIC).item
    for day in (8, 9, 10):
        today(datetime.date(2026, 3, day))
        client.get(item.url, HTTP_USER_AGENT=BROWSER)

    call_command("purge_library_visits")

    days = sorted(ItemVisit.objects.values_list("day", flat=True))
    assert days == [datetime.date(2026, 3, 9), datetime.date(2026, 3, 10)]


def test_purge_command_rejects_zero_days():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_library_visits", "--keep-days", "0")
