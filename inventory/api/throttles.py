"""API throttles: calls per user, and failed token checks per client address.

``UserRateThrottle`` is DRF's rate of calls per user with its history of call times (read
from and written back to the cache on every call) kept as an array of floats, which the
cache pickles as one block of bytes instead of one object per call in the window: at the
default 2,000 calls a minute, a busy module's history took about 0.1 ms a call to read and
write as a list.

DRF checks throttles after authentication, so its rate throttles never see a request whose
token is refused. This throttle counts those refusals itself (scope ``failed_auth``, rate
``API_THROTTLE_FAILED_AUTH``): once an address has used up its failures, every token it
sends, right or wrong, gets 429 with ``Retry-After`` until the window has passed, so tokens
cannot be guessed faster than the rate (``FailedAuthThrottle``).
"""

from __future__ import annotations

from array import array

from rest_framework import exceptions, throttling
from rest_framework.request import Request


class UserRateThrottle(throttling.UserRateThrottle):
    def throttle_success(self) -> bool:
        if not isinstance(self.history, array):
            self.history = array("d", self.history)
        return super().throttle_success()


class FailedAuthThrottle(throttling.SimpleRateThrottle):
    scope = "failed_auth"

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _recent(self, request: Request) -> list[float]:
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [
            moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration
        ]
        return self.history

    def refuse_if_exhausted(self, request: Request) -> None:
        """429 when this address has no failures left in the window."""
        if self.rate is not None and len(self._recent(request)) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record_failure(self, request: Request) -> None:
        if self.rate is None:
            return
        self._recent(request).insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
