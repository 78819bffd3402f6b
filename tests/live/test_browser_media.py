"""
Audio and video between two chromium instances through the classroom's
signalling on daphne.

The teacher and a student open the join page, start audio with chromium's
fake microphone and camera, and ``static/live/media.js`` connects them peer
to peer over the ``rtc_*`` messages of the classroom websocket. The test
reads ``RTCPeerConnection.getStats()`` in both pages to show that audio
flows and grows, that no video flows until the student turns the camera on,
and that it flows after.

WebRTC must not use the machine's network addresses, so chromedriver and
both browsers run in a network namespace made by ``unshare --net``, where
the only interface is loopback. Daphne stays outside with the database and
Redis. ``tests/live/netns_bridge.py`` joins the two sides through Unix
sockets, so that the browsers reach daphne at the same 127.0.0.1 address
and port, and the test reaches chromedriver.
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import CHROMEDRIVER, free_port

from .browsers import chromium_options, require_chromium
from .conftest import session_cookie
from .test_browser import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]

WAIT_SECONDS = 30
LOOPBACK = {"127.0.0.1", "::1"}
# chromedriver's port inside the namespace, which has no other listeners.
NAMESPACE_DRIVER_PORT = 9515
ROOT = Path(__file__).resolve().parents[2]

MEDIA_ARGUMENTS = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # The namespace has loopback only, which chromium leaves out of ICE
    # unless this flag allows it. mDNS names would hide the candidates' addresses.
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
)

# Keeps every RTCPeerConnection that the page makes, for getStats().
RECORD_PEER_CONNECTIONS = """
(function () {
  var Native = window.RTCPeerConnection;
  if (!Native) { return; }
  window.testPeerConnections = [];
  function Recorded(configuration) {
    var pc = new Native(configuration);
    window.testPeerConnections.push(pc);
    return pc;
  }
  Recorded.prototype = Native.prototype;
  Object.setPrototypeOf(Recorded, Native);
  window.RTCPeerConnection = Recorded;
})();
"""

# Returns, per peer connection: its state, the inbound RTP streams, the
# addresses of all candidates and those of the selected candidate pair.
READ_STATS = """
var done = arguments[arguments.length - 1];
var pcs = window.testPeerConnections || [];
Promise.all(pcs.map(function (pc) { return pc.getStats(); })).then(function (reports) {
  done(reports.map(function (report, index) {
    var all = {};
    report.forEach(function (entry) { all[entry.id] = entry; });
    var entries = Object.values(all);
    var pair = null;
    entries.forEach(function (entry) {
      if (entry.type === "transport" && entry.selectedCandidatePairId) {
        var selected = all[entry.selectedCandidatePairId];
        pair = {
          state: selected.state,
          local: all[selected.localCandidateId].address,
          remote: all[selected.remoteCandidateId].address,
        };
      }
    });
    return {
      state: pcs[index].connectionState,
      inbound: entries.filter(function (e) { return e.type === "inbound-rtp"; })
        .map(function (e) {
          return {
            kind: e.kind, bytes: e.bytesReceived || 0, frames: e.framesDecoded || 0,
          };
        }),
      candidates: entries.filter(function (e) {
        return e.type === "local-candidate" || e.type === "remote-candidate";
      }).map(function (e) { return e.address; }),
      pair: pair,
    };
  }));
}).catch(function (error) { done({ error: String(error) }); });
"""


def can_unshare():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    try:
        result = subprocess.run(
            ["unshare", "--net", "ip", "link", "set", "lo", "up"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def start_bridge(arguments, namespace=False):
    """Start ``netns_bridge`` and wait until it prints ``ready``."""
    command = [sys.executable, "-m", "tests.live.netns_bridge", *arguments]
    if namespace:
        command = ["unshare", "--net", "--", *command]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        pytest.fail(f"the socket bridge did not start: {' '.join(command)}")
    return process


def wait_for_driver(port):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/status")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    pytest.fail(f"chromedriver in the namespace did not answer on port {port}")


@pytest.fixture
def namespace_driver(daphne_server):
    """
    Run chromedriver in a new network namespace and yield a browser factory.

    Inside, 127.0.0.1 at daphne's port leads to daphne outside.
    """
    require_chromium()
    if not can_unshare():
        pytest.skip(
            "needs root and `unshare --net` to keep WebRTC on loopback; the "
            "test does not run browsers on the machine's own network"
        )
    web_port = urlparse(daphne_server).port
    driver_port = free_port()
    folder = tempfile.mkdtemp(prefix="netns-")
    web_socket = f"{folder}/web.sock"
    driver_socket = f"{folder}/driver.sock"
    outside = start_bridge(
        [
            "--forward",
            f"unix:{web_socket}=tcp:127.0.0.1:{web_port}",
            "--forward",
            f"tcp:127.0.0.1:{driver_port}=unix:{driver_socket}",
        ]
    )
    inside = start_bridge(
        [
            "--lo-up",
            "--forward",
            f"tcp:127.0.0.1:{web_port}=unix:{web_socket}",
            "--forward",
            f"unix:{driver_socket}=tcp:127.0.0.1:{NAMESPACE_DRIVER_PORT}",
            "--run",
            CHROMEDRIVER,
            f"--port={NAMESPACE_DRIVER_PORT}",
        ],
        namespace=True,
    )
    drivers = []
    profiles = []

    def open_browser():
        from selenium import webdriver
        from selenium.webdriver.chromium.remote_connection import (
            ChromiumRemoteConnection,
        )

        options = chromium_options(MEDIA_ARGUMENTS)
        profile = tempfile.mkdtemp(prefix="chromium-profile-")
        profiles.append(profile)
        options.add_argument(f"--user-data-dir={profile}")
        connection = ChromiumRemoteConnection(
            f"http://127.0.0.1:{driver_port}",
            vendor_prefix="goog",
            browser_name="chrome",
            ignore_proxy=True,
        )
        driver = webdriver.Remote(command_executor=connection, options=options)
        drivers.append(driver)
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(WAIT_SECONDS)
        driver.execute(
            "executeCdpCommand",
            {
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": {"source": RECORD_PEER_CONNECTIONS},
            },
        )
        return driver

    try:
        wait_for_driver(driver_port)
        yield open_browser
    finally:
        for driver in drivers:
            driver.quit()
        for process in (inside, outside):
            process.terminate()
            process.wait(timeout=15)
        for profile in profiles:
            shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def peer_stats(browser):
    stats = browser.execute_async_script(READ_STATS)
    assert not isinstance(stats, dict), stats
    return stats


def received(stats, kind):
    """Return (bytes, frames) received for ``kind`` over all peer connections."""
    streams = [
        stream
        for entry in stats
        for stream in entry["inbound"]
        if stream["kind"] == kind
    ]
    return (
        sum(stream["bytes"] for stream in streams),
        sum(stream["frames"] for stream in streams),
    )


def wait_until(condition, what, browsers=()):
    """
    Poll ``condition`` until it returns something true, and return that.

    On a timeout the error contains the peer statistics of ``browsers``.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    details = [peer_stats(browser) for browser in browsers]
    raise AssertionError(f"timed out waiting for {what}. Peer stats: {details}")


def connected(browser):
    stats = peer_stats(browser)
    return [entry for entry in stats if entry["state"] == "connected"]


@pytest.fixture
def no_ice_servers(settings):
    """Give the pages no STUN or TURN server, before daphne forks."""
    settings.LIVE_ICE_SERVERS = []


def test_audio_then_video_between_browsers(
    no_ice_servers, daphne_server, classroom, namespace_driver
):
    session = classroom.session
    page_url = f"{daphne_server}/live/{session.pk}/"
    teacher = namespace_driver()
    student = namespace_driver()
    log_in(teacher, daphne_server, session_cookie(classroom.teacher))
    log_in(student, daphne_server, session_cookie(classroom.student))
    for browser in (teacher, student):
        browser.get(page_url)
        wait_until(
            lambda browser=browser: (
                browser.find_element(By.CSS_SELECTOR, "[data-connection]").text
                == "Tersambung"
            ),
            "the classroom websocket",
        )
    # Both see each other present before starting audio.
    wait_until(
        lambda: (
            "Budi Santoso"
            in teacher.find_element(By.CSS_SELECTOR, "[data-presence]").text
        ),
        "the student's presence",
    )

    for browser in (teacher, student):
        browser.find_element(By.CSS_SELECTOR, "[data-media-audio]").click()
    for browser in (teacher, student):
        wait_until(
            lambda browser=browser: connected(browser),
            "a connected peer",
            (teacher, student),
        )
        wait_until(
            lambda browser=browser: received(peer_stats(browser), "audio")[0] > 0,
            "received audio",
            (teacher, student),
        )

    # Audio flows both ways and keeps flowing, and no video flows yet.
    for browser in (teacher, student):
        before, _frames = received(peer_stats(browser), "audio")
        wait_until(
            lambda browser=browser, before=before: (
                received(peer_stats(browser), "audio")[0] > before
            ),
            "more audio",
            (teacher, student),
        )
        stats = peer_stats(browser)
        assert received(stats, "video") == (0, 0)
        for entry in stats:
            assert set(entry["candidates"]) <= LOOPBACK, entry["candidates"]
        pairs = [entry["pair"] for entry in connected(browser)]
        assert pairs
        for pair in pairs:
            assert pair["state"] == "succeeded"
            assert pair["local"] in LOOPBACK
            assert pair["remote"] in LOOPBACK

    # The student opts in to video, and the teacher receives frames.
    camera = student.find_element(By.CSS_SELECTOR, "[data-media-video]")
    wait_until(camera.is_enabled, "the camera button")
    camera.click()
    frames = wait_until(
        lambda: received(peer_stats(teacher), "video")[1],
        "decoded video frames",
        (teacher, student),
    )
    wait_until(
        lambda: received(peer_stats(teacher), "video")[1] > frames, "more frames"
    )
    width = wait_until(
        lambda: teacher.execute_script(
            "var video = document.querySelector('[data-media-peers] video');"
            "return video ? video.videoWidth : 0;"
        ),
        "a playing video element",
    )
    assert width > 0
    # The teacher did not turn the camera on, so the student gets no video.
    assert received(peer_stats(student), "video")[1] == 0
