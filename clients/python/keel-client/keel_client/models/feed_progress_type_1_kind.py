from enum import StrEnum


class FeedProgressType1Kind(StrEnum):
    KAFKA = "kafka"

    def __str__(self) -> str:
        return str(self.value)
