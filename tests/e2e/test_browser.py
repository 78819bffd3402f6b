"""
A student's first visit in a real browser: log in, switch language, read.

Debian's chromium runs headless against a live daphne. The run also saves
a phone-sized screenshot of the home page and scans the home and login
pages with axe-core for accessibility violations.
"""

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.courses.factories import (
    PASSWORD,
    current_year,
    enrol,
    make_course,
    make_course_index,
    make_lesson,
    make_school,
    make_student,
    make_teacher,
)
from tests.e2e.pages import make_home_page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PHONE_SIZE = (360, 740)
BLOCKING_IMPACTS = {"serious", "critical"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def classroom():
    """Return a student enrolled in a course with one published lesson."""
    home = make_home_page()
    current_year()
    school = make_school(name="SMP Negeri 1 Depok")
    teacher = make_teacher(school)
    student = make_student(school, username="siswa.browser")
    student.first_name = "Rina"
    student.save()
    index = make_course_index(school, home=home)
    course = make_course(index, teachers=[teacher], subject="Matematika")
    lesson = make_lesson(
        course, title="Pecahan Senilai", text="Pecahan senilai mewakili bagian sama."
    )
    enrol(course, student)
    return student, lesson


def wait_for(driver, css):
    return WebDriverWait(driver, 15).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def html_lang(driver):
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def axe_violations(driver):
    """Run axe-core on the current page; return its serious and critical findings."""
    driver.execute_script(AXE_SCRIPT.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify({error: String(e)})));"
    )
    violations = json.loads(result)
    assert isinstance(violations, list), violations
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def test_student_logs_in_switches_language_and_reads(browser, daphne_server, classroom):
    student, lesson = classroom

    browser.get(f"{daphne_server}/accounts/login/")
    assert html_lang(browser) == "id"
    browser.find_element(By.ID, "id_username").send_keys(student.username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(browser, "form[action='/accounts/logout/']")

    browser.find_element(By.CSS_SELECTOR, ".language-switch button[value=en]").click()
    wait_for(browser, ".language-switch button[value=id]")
    assert html_lang(browser) == "en"
    assert "Log out" in browser.page_source

    browser.find_element(By.CSS_SELECTOR, ".language-switch button[value=id]").click()
    wait_for(browser, ".language-switch button[value=en]")
    assert html_lang(browser) == "id"

    browser.get(f"{daphne_server}{lesson.url}")
    heading = wait_for(browser, "main h1")
    assert heading.text == "Pecahan Senilai"
    assert "Pecahan senilai mewakili bagian sama." in browser.page_source


def test_home_page_on_a_phone(browser, daphne_server):
    make_home_page()
    browser.set_window_size(*PHONE_SIZE)
    browser.get(f"{daphne_server}/")
    wait_for(browser, "main h1")

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "home-phone.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 1000

    # Nothing may force the phone to scroll sideways.
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert page_width <= PHONE_SIZE[0]


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_page_has_no_serious_axe_violations(browser, daphne_server, path):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run npm ci")
    make_home_page()
    browser.get(f"{daphne_server}{path}")
    wait_for(browser, "main")

    assert axe_violations(browser) == []
