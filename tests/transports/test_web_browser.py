"""The web chat in a real browser (Debian's chromium through chromedriver), with JavaScript on
and off: a lesson, a quiz, a claim with a fact-check and one without sent to the editors, the
data download and /forget. The browser's own network log shows every request it made."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from sqlalchemy import inspect, text

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.unit import Store
from bot.testing.services import CHROMIUM, CHROMIUM_FLAGS, unavailable
from bot.testing.web import serving
from bot.transports.web import COOKIE, CSP, WebChat
from tests.conftest import UNLIMITED, Clock, make_library

DRIVER = shutil.which("chromedriver")
SECRET = b"k" * 40
MATCHED = "5G towers cause COVID-19"
UNMATCHED = "The river in Xanadu turned purple on Tuesday after the mayor sang"
KEPT_PRIVATE = "My neighbour Ludmila says the bakery on Elm street is closing"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Engine, Path]]:
    folder = tmp_path / "db"
    folder.mkdir()
    database = db.open_engine(f"sqlite:///{folder / 'bot.sqlite3'}")
    db.upgrade(database)
    library = load_library_or_raise(make_library(tmp_path, {"ru": "Русский"}))
    engine = Engine(
        Store(database), Content.build(library, "en", Settings().matching.thresholds), Clock()
    )
    engine.limits = UNLIMITED
    chat = WebChat(engine, Settings().web, SECRET)
    with serving(chat.app) as url:
        yield url, engine, folder
    chat.drawer.shutdown()


def browser(tmp_path: Path, javascript: bool) -> webdriver.Chrome:
    if CHROMIUM is None or DRIVER is None:
        unavailable("needs Debian's chromium and chromium-driver (apt-get install ...)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        *CHROMIUM_FLAGS,
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    prefs: dict[str, object] = {
        "download.default_directory": str(tmp_path / "downloads"),
        "download.prompt_for_download": False,
    }
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(tmp_path / "downloads")},
    )
    return driver


class Visit:
    """A person at the browser: presses buttons by their label, types into the message box."""

    def __init__(self, driver: webdriver.Chrome, url: str) -> None:
        self.d = driver
        self.url = url

    def count(self) -> int:
        """The number of the newest message (the page keeps only the latest ones)."""
        items = self.d.find_elements(By.CSS_SELECTOR, "#said > li")
        return int(items[-1].get_attribute("data-n") or 0) if items else 0

    def wait_for(self, before: int) -> None:
        """Until the conversation has grown (JavaScript) or the page has been drawn again."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.count() > before and self.d.find_elements(By.ID, "say"):
                    return
            except Exception:  # the page is being replaced
                pass
            time.sleep(0.05)
        raise AssertionError(f"no reply came; the page says: {self.last()[:500]}")

    def press(self, label: str) -> None:
        before = self.count()
        buttons = self.d.find_elements(By.CSS_SELECTOR, "#said button, nav button, #say button")
        for button in reversed(buttons):  # the newest button with this label
            if label in button.text:
                button.click()
                self.wait_for(before)
                return
        raise AssertionError(f"no button {label!r}: {[b.text for b in buttons]}")

    def say(self, words: str) -> None:
        before = self.count()
        box = self.d.find_element(By.ID, "text")
        box.clear()
        box.send_keys(words)
        self.d.find_element(By.CSS_SELECTOR, "#say button").click()
        self.wait_for(before)

    def last(self) -> str:
        items = self.d.find_elements(By.CSS_SELECTOR, "#said > li")
        return "\n".join(item.text for item in items[-4:])

    def whole(self) -> str:
        return str(self.d.find_element(By.TAG_NAME, "body").text)


def network(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Every request the browser sent and every response it got, from its own log."""
    events = []
    for entry in driver.get_log("performance"):  # type: ignore[no-untyped-call]
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.responseReceived"):
            events.append(message)
    return events


def stored_text(engine: Engine, folder: Path) -> str:
    """Every value in every table, and the raw bytes of the database files, as one text."""
    parts = []
    with engine.store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(str(value) for value in row))
    for file in folder.iterdir():
        parts.append(file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_whole_visit_in_a_real_browser(
    site: tuple[str, Engine, Path], tmp_path: Path, javascript: bool
) -> None:
    url, engine, folder = site
    driver = browser(tmp_path, javascript)
    try:
        driver.get(url)
        visit = Visit(driver, url)
        assert visit.d.execute_script("return 1") == 1 if javascript else True
        visit.press("Start")
        visit.press("English")
        # a lesson, card by card, and its quiz: one question of each kind
        visit.press("Lessons")
        visit.press("Spotting emotional")
        visit.press("Next")
        visit.press("Next")
        visit.press("Take the quiz")
        visit.press("A reaction before thought")
        assert "Yes, strong feelings cut thinking short." in visit.last()
        visit.press("Next question")
        visit.press("ALL CAPS outrage")
        visit.press("Urgent calls to share now")
        visit.press("Done")
        assert "Outrage and urgency" in visit.last()
        visit.press("Next question")
        visit.press("True")
        visit.press("Next question")
        visit.say("sift")
        assert "Exactly." in visit.last()
        visit.press("See my score")
        # a claim with a fact-check, then one without, sent to the editors
        visit.say(MATCHED)
        assert "False" in visit.last() or "false" in visit.last()
        visit.say(KEPT_PRIVATE)
        visit.say(UNMATCHED)
        visit.press("Send it to the editors")
        assert "editors" in visit.last()

        session = next(c["value"] for c in driver.get_cookies() if c["name"] == COOKIE)
        agent = driver.execute_cdp_cmd("Browser.getVersion", {})["userAgent"]
        stored = stored_text(engine, folder)
        assert UNMATCHED in stored  # sent with consent: the scan sees stored text
        for secret in (session, agent, "127.0.0.1", "HeadlessChrome", MATCHED, KEPT_PRIVATE):
            assert secret not in stored, secret

        # /mydata, as a download
        visit.press("My data")
        visit.d.find_element(By.CSS_SELECTOR, "a.file").click()
        export = tmp_path / "downloads" / "civicbot-my-data.json"
        deadline = time.monotonic() + 60
        while not export.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        data = json.loads(export.read_text(encoding="utf-8"))
        assert data and session not in export.read_text(encoding="utf-8")

        cookies = driver.get_cookies()
        assert [c["name"] for c in cookies] == [COOKIE]
        assert cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Strict"

        # /forget: everything goes, the cookie too
        visit.press("Forget me")
        before = visit.count()
        visit.d.find_element(By.XPATH, "//button[contains(., 'Yes')]").click()
        deadline = time.monotonic() + 60
        while "/bye" not in visit.d.current_url and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "erased" in visit.whole(), before
        assert driver.get_cookies() == []
        with engine.store.unit(write=False) as unit:
            assert unit.users.find_user(_pseudonym(session)) is None

        events = network(driver)
    finally:
        driver.quit()
    origin = urlsplit(url).netloc
    # chrome:// pages are the browser's own new tab, shown before the first address is typed
    requested = [
        e["params"]["request"]["url"]
        for e in events
        if "request" in e["params"] and not e["params"]["documentURL"].startswith("chrome://")
    ]
    assert requested and all(urlsplit(u).netloc == origin for u in requested), requested
    assert any(u.endswith("/static/chat.js") for u in requested) is javascript
    # with the script the conversation is updated in place: the page itself loads only once
    kinds = [e["params"].get("type") for e in events if "request" in e["params"]]
    assert ("Fetch" in kinds) is javascript
    chat_loads = [
        e
        for e in events
        if "request" in e["params"]
        and e["params"].get("type") == "Document"
        and not e["params"]["documentURL"].startswith("chrome://")
        and urlsplit(e["params"]["request"]["url"]).path == "/"
    ]
    assert (len(chat_loads) == 1) is javascript, len(chat_loads)
    pages = [
        e["params"]["response"]
        for e in events
        if "response" in e["params"]
        and e["params"]["response"]["mimeType"] == "text/html"
        and urlsplit(e["params"]["response"]["url"]).netloc == origin
    ]
    assert pages
    for response in pages:
        headers = {k.lower(): v for k, v in response["headers"].items()}
        assert headers["content-security-policy"] == CSP
        assert headers["referrer-policy"] == "no-referrer"


def _pseudonym(session: str) -> str:
    from bot.transports.web import pseudonym

    return pseudonym(SECRET, session)
