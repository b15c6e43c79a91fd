from enum import StrEnum


class FeedProgressType0Kind(StrEnum):
    LOG = "log"

    def __str__(self) -> str:
        return str(self.value)
