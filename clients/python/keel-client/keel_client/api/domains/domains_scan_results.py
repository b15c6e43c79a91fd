from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.data_option_flat_scan import DataOptionFlatScan
from ...models.error_body import ErrorBody
from ...models.scan_page import ScanPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    all_: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    status: str | Unset = UNSET,
    created_after: str | Unset = UNSET,
    created_before: str | Unset = UNSET,
    search: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    min_position: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_workspace_id, Unset):
        headers["X-Workspace-ID"] = x_workspace_id

    params: dict[str, Any] = {}

    params["all"] = all_

    params["limit"] = limit

    params["page"] = page

    params["page_size"] = page_size

    params["per_page"] = per_page

    params["offset"] = offset

    params["status"] = status

    params["created_after"] = created_after

    params["created_before"] = created_before

    params["search"] = search

    params["sort"] = sort

    params["min_position"] = min_position

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/domains/{id}/scan-results".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DataOptionFlatScan | ScanPage | ErrorBody | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> DataOptionFlatScan | ScanPage:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_scan_results_type_0 = DataOptionFlatScan.from_dict(data)

                return componentsschemas_scan_results_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_scan_results_type_1 = ScanPage.from_dict(data)

            return componentsschemas_scan_results_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DataOptionFlatScan | ScanPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    status: str | Unset = UNSET,
    created_after: str | Unset = UNSET,
    created_before: str | Unset = UNSET,
    search: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    min_position: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[DataOptionFlatScan | ScanPage | ErrorBody]:
    """
    Args:
        id (str):
        all_ (bool | Unset):
        limit (int | Unset):
        page (int | Unset):
        page_size (int | Unset):
        per_page (int | Unset):
        offset (int | Unset):
        status (str | Unset):
        created_after (str | Unset):
        created_before (str | Unset):
        search (str | Unset):
        sort (str | Unset):
        min_position (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataOptionFlatScan | ScanPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        all_=all_,
        limit=limit,
        page=page,
        page_size=page_size,
        per_page=per_page,
        offset=offset,
        status=status,
        created_after=created_after,
        created_before=created_before,
        search=search,
        sort=sort,
        min_position=min_position,
        x_workspace_id=x_workspace_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    status: str | Unset = UNSET,
    created_after: str | Unset = UNSET,
    created_before: str | Unset = UNSET,
    search: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    min_position: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> DataOptionFlatScan | ScanPage | ErrorBody | None:
    """
    Args:
        id (str):
        all_ (bool | Unset):
        limit (int | Unset):
        page (int | Unset):
        page_size (int | Unset):
        per_page (int | Unset):
        offset (int | Unset):
        status (str | Unset):
        created_after (str | Unset):
        created_before (str | Unset):
        search (str | Unset):
        sort (str | Unset):
        min_position (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataOptionFlatScan | ScanPage | ErrorBody
    """

    return sync_detailed(
        id=id,
        client=client,
        all_=all_,
        limit=limit,
        page=page,
        page_size=page_size,
        per_page=per_page,
        offset=offset,
        status=status,
        created_after=created_after,
        created_before=created_before,
        search=search,
        sort=sort,
        min_position=min_position,
        x_workspace_id=x_workspace_id,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    status: str | Unset = UNSET,
    created_after: str | Unset = UNSET,
    created_before: str | Unset = UNSET,
    search: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    min_position: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[DataOptionFlatScan | ScanPage | ErrorBody]:
    """
    Args:
        id (str):
        all_ (bool | Unset):
        limit (int | Unset):
        page (int | Unset):
        page_size (int | Unset):
        per_page (int | Unset):
        offset (int | Unset):
        status (str | Unset):
        created_after (str | Unset):
        created_before (str | Unset):
        search (str | Unset):
        sort (str | Unset):
        min_position (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataOptionFlatScan | ScanPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        all_=all_,
        limit=limit,
        page=page,
        page_size=page_size,
        per_page=per_page,
        offset=offset,
        status=status,
        created_after=created_after,
        created_before=created_before,
        search=search,
        sort=sort,
        min_position=min_position,
        x_workspace_id=x_workspace_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    status: str | Unset = UNSET,
    created_after: str | Unset = UNSET,
    created_before: str | Unset = UNSET,
    search: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    min_position: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> DataOptionFlatScan | ScanPage | ErrorBody | None:
    """
    Args:
        id (str):
        all_ (bool | Unset):
        limit (int | Unset):
        page (int | Unset):
        page_size (int | Unset):
        per_page (int | Unset):
        offset (int | Unset):
        status (str | Unset):
        created_after (str | Unset):
        created_before (str | Unset):
        search (str | Unset):
        sort (str | Unset):
        min_position (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataOptionFlatScan | ScanPage | ErrorBody
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            all_=all_,
            limit=limit,
            page=page,
            page_size=page_size,
            per_page=per_page,
            offset=offset,
            status=status,
            created_after=created_after,
            created_before=created_before,
            search=search,
            sort=sort,
            min_position=min_position,
            x_workspace_id=x_workspace_id,
        )
    ).parsed
