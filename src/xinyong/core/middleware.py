"""Server-side request timing in a response header.

`Server-Timing: app;dur=<ms>` on every response lets benchmarks (`bench/portal.py`) and
operators read how long the application itself took — without a profiler and without the
network, the client or gunicorn's queueing in the figure. Browsers show it in their developer
tools' network timing.
"""

import time


class ServerTiming:
    """The time from entering this middleware to leaving it, in milliseconds. First in
    MIDDLEWARE, so every other middleware, the view and the template rendering are counted
    (a streaming response's body is not: it is produced after the middleware returns)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response
