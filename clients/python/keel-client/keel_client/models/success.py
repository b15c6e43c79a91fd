from enum import StrEnum


class Success(StrEnum):
    OK = "ok"

    def __str__(self) -> str:
        return str(self.value)
