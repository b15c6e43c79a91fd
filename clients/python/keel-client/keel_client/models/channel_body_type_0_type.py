from enum import StrEnum


class ChannelBodyType0Type(StrEnum):
    EMAIL = "email"

    def __str__(self) -> str:
        return str(self.value)
