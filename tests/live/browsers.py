"""
Headless chromium instances with options of their own, for live class tests.

The suite's ``browser`` fixture starts one chromium with fixed options. The
tests here need more than one browser, JavaScript turned off, or fake media
devices, so they start chromium with the same base options plus their own.
"""

import contextlib
import shutil
import tempfile

from tests.conftest import CHROMEDRIVER, CHROMIUM, CHROMIUM_ARGUMENTS, require

# The content setting that turns JavaScript off in every page (2 blocks it).
NO_JAVASCRIPT = {"profile.managed_default_content_settings.javascript": 2}


def require_chromium():
    require(
        shutil.which(CHROMEDRIVER) is not None and shutil.which(CHROMIUM) is not None,
        f"needs chromium and chromedriver ({CHROMIUM}, {CHROMEDRIVER}); "
        "install Debian's chromium and chromium-driver",
    )


def chromium_options(arguments=(), prefs=None):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*CHROMIUM_ARGUMENTS, *arguments):
        options.add_argument(argument)
    if prefs:
        options.add_experimental_option("prefs", prefs)
    return options


@contextlib.contextmanager
def chromium(arguments=(), prefs=None):
    """Start a headless chromium with extra ``arguments`` and ``prefs``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_chromium()
    options = chromium_options(arguments, prefs)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
