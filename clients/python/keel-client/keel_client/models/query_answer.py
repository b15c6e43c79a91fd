from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.query_echo import QueryEcho
    from ..models.query_meta import QueryMeta
    from ..models.query_row import QueryRow


T = TypeVar("T", bound="QueryAnswer")


@_attrs_define
class QueryAnswer:
    """
    Attributes:
        meta (QueryMeta):
        query (QueryEcho): The query as Keel ran it (the range resolved to instants).
        results (list[QueryRow]):
    """

    meta: QueryMeta
    query: QueryEcho
    results: list[QueryRow]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        meta = self.meta.to_dict()

        query = self.query.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "meta": meta,
                "query": query,
                "results": results,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.query_echo import QueryEcho  # noqa: PLC0415
        from ..models.query_meta import QueryMeta  # noqa: PLC0415
        from ..models.query_row import QueryRow  # noqa: PLC0415

        d = dict(src_dict)
        meta = QueryMeta.from_dict(d.pop("meta"))

        query = QueryEcho.from_dict(d.pop("query"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = QueryRow.from_dict(results_item_data)

            results.append(results_item)

        query_answer = cls(
            meta=meta,
            query=query,
            results=results,
        )

        query_answer.additional_properties = d
        return query_answer

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
