"""One blog page in a fresh browser context, with what it requested and
logged: the helper every browser test drives."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

NOT_FOUND = "Failed to load resource: the server responded with a status of 404"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Visit:
    """One host page in a fresh context, with what it requested and logged."""

    def __init__(self, browser, service, host, width, **context_options):
        self.service, self.host = service, host
        self.allowed = {origin(service), origin(host)}
        # Tall enough that the text below the widget is on screen: Chromium
        # reports layout shifts only for what is in the viewport.
        self.context = browser.new_context(
            viewport={"width": width, "height": 3000}, **context_options
        )
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []
        #: the Referer of each product page a click opened
        self.referers: list[str | None] = []
        #: console errors with the URL they name: the browser logs a 404
        #: answer as "Failed to load resource" (see ``unexpected_errors``)
        self.console: list[tuple[str, str]] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        #: requests that got their whole answer, or failed
        self.finished: list[str] = []
        self.page.on("requestfinished", lambda r: self.finished.append(r.url))
        self.page.on("requestfailed", lambda r: self.finished.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)

    def _console(self, message):
        if message.type == "error":
            self.errors.append(message.text)
            self.console.append((message.text, message.location.get("url", "")))

    def unexpected_errors(self, not_found: str = "") -> list[str]:
        """Console errors and exceptions, besides the browser's own log line
        for a 404 from a URL starting with ``not_found`` (a missing topic's
        answer: Chromium logs every 404, whoever asked for it)."""
        errors = list(self.errors)
        for text, url in self.console:
            if not_found and url.startswith(not_found) and text.startswith(NOT_FOUND):
                errors.remove(text)
        return errors

    def _route(self, route):
        url = route.request.url
        if origin(url) in self.allowed:
            route.continue_()
        elif urlsplit(url).hostname == "www.amazon.com":
            # The product page a click opens: answered here, never fetched.
            self.outside.append(url)
            self.referers.append(route.request.all_headers().get("referer"))
            route.fulfill(status=200, content_type="text/html", body="<p>Amazon")
        else:
            self.outside.append(url)
            route.abort()

    def open(self, **query):
        query.setdefault("plain", "1")
        if "service" in query:  # another service: allow its origin too
            self.allowed.add(f"http://localhost:{query['service']}")
        params = "&".join(f"{k}={v}" for k, v in query.items())
        self.page.goto(f"{self.host}/post?{params}")
        return self

    def embedded(self):
        return self.page.locator("div[data-widget-topic] iframe")

    def frame(self, selector="div[data-widget-topic] iframe"):
        frame = self.page.locator(selector).element_handle().content_frame()
        frame.wait_for_selector("footer time")
        return frame

    def fitted_height(self, selector="div[data-widget-topic] iframe"):
        """Wait until the iframe is as tall as its document; return that height."""
        frame = self.frame(selector)
        element = self.page.locator(selector)
        deadline = time.monotonic() + 10
        while True:
            content = frame.evaluate(
                "Math.ceil(document.documentElement.getBoundingClientRect().height)"
            )
            box = element.evaluate("f => f.getBoundingClientRect().height")
            if box == content or time.monotonic() > deadline:
                return box, content
            self.page.wait_for_timeout(50)

    def layout_shift(self):
        # Two animation frames: every shift so far has reached the observer.
        shifts = self.page.evaluate(
            "new Promise(done => requestAnimationFrame(() =>"
            " requestAnimationFrame(() => done(window.layoutShifts))))"
        )
        return sum(shifts)

    def close(self):
        self.context.close()
