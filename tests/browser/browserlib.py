# SPDX-License-Identifier: GPL-2.0-only
"""
The browser side of the web panel's tests (tests/browser/, the system test
tests/system/test_servers.py and make bench-web): Debian's chromium,
headless, through chromedriver and selenium, and Panel, what a test does
with a page, saving a screenshot of each step into build/test-logs/browser/.
"""
import base64
import os
import re
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "build" / "test-logs" / "browser"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def chrome(width=1280, height=800, mobile=False, insecure_tls=False):
    """A headless chromium; insecure_tls accepts the appliance's self-signed
    certificate (the system test)."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=%d,%d" % (width, height), "--lang=en-US"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if insecure_tls:
        opts.set_capability("acceptInsecureCerts", True)
    if mobile:
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {
            "width": width, "height": height, "pixelRatio": 2.0}})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    if not mobile:
        # The page's viewport itself (--window-size counts the window's
        # frame too).
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    return driver


class Panel:
    """One browser on the panel of one daemon."""

    def __init__(self, driver, base_url, name):
        self.d = driver
        self.base = base_url
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        self.step = 0

    # --- looking at the page ---
    def shot(self, what):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.step += 1
        # The whole page, not only what the window shows (from the top, so
        # that the sticky notice line is where it belongs).
        self.d.execute_script("window.scrollTo(0, 0)")
        size = self.d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000),
                     "scale": 1}})
        path = SHOTS / ("%s-%02d-%s.png" % (self.name, self.step, what))
        path.write_bytes(base64.b64decode(shot["data"]))

    def wait(self, cond, timeout=20, what="condition"):
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(cond)
        except TimeoutException:
            self.shot("TIMEOUT")
            raise AssertionError("timed out waiting for %s on %s; page text:\n%s" % (
                what, self.d.current_url, self.text()[:3000]))

    def find(self, css, timeout=20):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)), timeout, css)

    def visible(self, css, timeout=20):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout, css)

    def all(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="body"):
        """What the first element matching css shows ("" if none); read in
        the page, so an element redrawn meanwhile is no error."""
        return self.d.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)

    def wait_text(self, css, pattern, timeout=20):
        rx = re.compile(pattern)
        self.wait(lambda d: rx.search(self.text(css)), timeout, "%r in %s" % (pattern, css))
        return self.text(css)

    def notice(self, pattern, timeout=20):
        return self.wait_text("#notice", pattern, timeout)

    # --- doing things ---
    def go(self, path):
        self.d.get(self.base + path)

    def click(self, css):
        el = self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, css)), 20, css)
        el.click()
        return el

    def click_button(self, text, scope="body"):
        xpath = ".//button[normalize-space()=%s]" % repr(text)
        root = self.find(scope)
        self.wait(lambda d: any(b.is_enabled() for b in root.find_elements(By.XPATH, xpath)),
                  20, "button " + text)
        [b for b in root.find_elements(By.XPATH, xpath) if b.is_enabled()][0].click()

    def fill(self, css, value):
        el = self.find(css)
        el.clear()
        el.send_keys(value)
        return el

    def select(self, css, visible_text):
        el = self.find(css)
        self.wait(lambda d: any(o.text == visible_text for o in Select(el).options), 20,
                  "option " + visible_text)
        Select(el).select_by_visible_text(visible_text)

    # --- the console ---
    def terminal_text(self):
        """What the terminal shows, one line a row.  xterm.js draws only
        while it is on screen, as a person would look at it: scrolled into
        view first."""
        return self.d.execute_script(
            "const t = document.querySelector('#terminal');"
            "if (t) t.scrollIntoView({block: 'nearest'});"
            "const r = document.querySelector('#terminal .xterm-rows');"
            "return r ? Array.from(r.children).map(e => e.textContent).join('\\n') : '';")

    def wait_terminal(self, text, timeout=20):
        self.wait(lambda d: text in self.terminal_text(), timeout, "%r on the console" % text)

    def type_console(self, keys):
        self.find("#terminal .xterm-helper-textarea").send_keys(keys)

    def open_console(self, timeout=30):
        """Opens the server page's console with the keyboard."""
        self.click("#console-open")
        self.wait(lambda d: self.find("#console-status").get_attribute("data-state") == "keyboard",
                  timeout, "the console's keyboard")

    def login(self, token):
        self.go("/login")
        self.fill("#login-form input[name=token]", token)
        self.click("#login-form button[type=submit]")
        self.find("#who")

    def logout(self):
        self.click("#logout")
        self.find("#login-form")

    def js_errors(self):
        """The browser's severe console messages (CSP violations, exceptions)."""
        return [e["message"] for e in self.d.get_log("browser") if e["level"] == "SEVERE"]
