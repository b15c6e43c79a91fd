from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.page_alert_view import PageAlertView
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
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
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    updated_after: str | Unset = UNSET,
    updated_before: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_workspace_id, Unset):
        headers["X-Workspace-ID"] = x_workspace_id

    params: dict[str, Any] = {}

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

    params["after"] = after

    params["before"] = before

    params["updated_after"] = updated_after

    params["updated_before"] = updated_before

    params["fields"] = fields

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/alerts",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PageAlertView | None:
    if response.status_code == 200:
        response_200 = PageAlertView.from_dict(response.json())

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
) -> Response[ErrorBody | PageAlertView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
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
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    updated_after: str | Unset = UNSET,
    updated_before: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[ErrorBody | PageAlertView]:
    """
    Args:
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
        after (str | Unset):
        before (str | Unset):
        updated_after (str | Unset):
        updated_before (str | Unset):
        fields (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageAlertView]
    """

    kwargs = _get_kwargs(
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
        after=after,
        before=before,
        updated_after=updated_after,
        updated_before=updated_before,
        fields=fields,
        x_workspace_id=x_workspace_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
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
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    updated_after: str | Unset = UNSET,
    updated_before: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> ErrorBody | PageAlertView | None:
    """
    Args:
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
        after (str | Unset):
        before (str | Unset):
        updated_after (str | Unset):
        updated_before (str | Unset):
        fields (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageAlertView
    """

    return sync_detailed(
        client=client,
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
        after=after,
        before=before,
        updated_after=updated_after,
        updated_before=updated_before,
        fields=fields,
        x_workspace_id=x_workspace_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
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
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    updated_after: str | Unset = UNSET,
    updated_before: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[ErrorBody | PageAlertView]:
    """
    Args:
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
        after (str | Unset):
        before (str | Unset):
        updated_after (str | Unset):
        updated_before (str | Unset):
        fields (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageAlertView]
    """

    kwargs = _get_kwargs(
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
        after=after,
        before=before,
        updated_after=updated_after,
        updated_before=updated_before,
        fields=fields,
        x_workspace_id=x_workspace_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
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
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    updated_after: str | Unset = UNSET,
    updated_before: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> ErrorBody | PageAlertView | None:
    """
    Args:
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
        after (str | Unset):
        before (str | Unset):
        updated_after (str | Unset):
        updated_before (str | Unset):
        fields (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageAlertView
    """

    return (
        await asyncio_detailed(
            client=client,
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
            after=after,
            before=before,
            updated_after=updated_after,
            updated_before=updated_before,
            fields=fields,
            x_workspace_id=x_workspace_id,
        )
    ).parsed
