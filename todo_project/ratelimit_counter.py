"""What every rate-limit store gives back: one hit's count and when its window ends."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Hit:
    """A key's count in its current window, this hit included, and when the window ends."""

    count: int
    reset_in: float


class Counter(Protocol):
    """A store of counts; ``errors`` are what it raises when it cannot count (the request is
    then allowed)."""

    errors: tuple[type[BaseException], ...]

    def hit(self, key: str, *, window: float) -> Hit: ...
