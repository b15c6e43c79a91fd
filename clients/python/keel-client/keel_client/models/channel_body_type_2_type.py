from enum import StrEnum


class ChannelBodyType2Type(StrEnum):
    SLACK = "slack"

    def __str__(self) -> str:
        return str(self.value)
