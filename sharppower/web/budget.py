"""The per-client request budget of the server: a token bucket per client address.

Each address starts with a full bucket of `per_minute` tokens and gets `per_minute / 60`
back every second, up to a full bucket. A request takes `cost` tokens (an export or a
download more than a page); when the bucket holds too few, the request is refused and
`take` says how many seconds to wait (the 429's Retry-After). At most `max_clients`
buckets are kept (the least recently seen go first: a forgotten client comes back with a
full bucket, which only ever errs on the generous side).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_CLIENTS = 10_000


class ClientBudget:
    def __init__(self, per_minute: int, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic):
        if per_minute <= 0:
            raise ValueError("a budget needs a positive number of requests a minute")
        self.capacity, self.rate = float(per_minute), per_minute / 60.0
        self.max_clients, self.clock = max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self._lock = threading.Lock()

    def take(self, client: str, cost: float = 1.0) -> int | None:
        """Take `cost` tokens from `client`'s bucket: None when granted, else the whole
        seconds to wait until the bucket holds enough (nothing is taken then)."""
        cost = min(float(cost), self.capacity)
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            wait = None
            if tokens >= cost:
                tokens -= cost
            else:
                wait = max(1, math.ceil((cost - tokens) / self.rate))
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait
