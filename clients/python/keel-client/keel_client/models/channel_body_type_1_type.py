from enum import StrEnum


class ChannelBodyType1Type(StrEnum):
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
