from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.page_feed_point import PageFeedPoint
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    min_position: int | Unset = UNSET,
    metric_id: str | Unset = UNSET,
    site_id: str | Unset = UNSET,
    start_date: str | Unset = UNSET,
    end_date: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_workspace_id, Unset):
        headers["X-Workspace-ID"] = x_workspace_id

    params: dict[str, Any] = {}

    params["min_position"] = min_position

    params["metric_id"] = metric_id

    params["site_id"] = site_id

    params["start_date"] = start_date

    params["end_date"] = end_date

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/metrics",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PageFeedPoint | None:
    if response.status_code == 200:
        response_200 = PageFeedPoint.from_dict(response.json())

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
) -> Response[ErrorBody | PageFeedPoint]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    min_position: int | Unset = UNSET,
    metric_id: str | Unset = UNSET,
    site_id: str | Unset = UNSET,
    start_date: str | Unset = UNSET,
    end_date: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[ErrorBody | PageFeedPoint]:
    """
    Args:
        min_position (int | Unset):
        metric_id (str | Unset):
        site_id (str | Unset):
        start_date (str | Unset):
        end_date (str | Unset):
        limit (int | Unset):
        offset (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageFeedPoint]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        metric_id=metric_id,
        site_id=site_id,
        start_date=start_date,
        end_date=end_date,
        limit=limit,
        offset=offset,
        x_workspace_id=x_workspace_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    min_position: int | Unset = UNSET,
    metric_id: str | Unset = UNSET,
    site_id: str | Unset = UNSET,
    start_date: str | Unset = UNSET,
    end_date: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> ErrorBody | PageFeedPoint | None:
    """
    Args:
        min_position (int | Unset):
        metric_id (str | Unset):
        site_id (str | Unset):
        start_date (str | Unset):
        end_date (str | Unset):
        limit (int | Unset):
        offset (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageFeedPoint
    """

    return sync_detailed(
        client=client,
        min_position=min_position,
        metric_id=metric_id,
        site_id=site_id,
        start_date=start_date,
        end_date=end_date,
        limit=limit,
        offset=offset,
        x_workspace_id=x_workspace_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    min_position: int | Unset = UNSET,
    metric_id: str | Unset = UNSET,
    site_id: str | Unset = UNSET,
    start_date: str | Unset = UNSET,
    end_date: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[ErrorBody | PageFeedPoint]:
    """
    Args:
        min_position (int | Unset):
        metric_id (str | Unset):
        site_id (str | Unset):
        start_date (str | Unset):
        end_date (str | Unset):
        limit (int | Unset):
        offset (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageFeedPoint]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        metric_id=metric_id,
        site_id=site_id,
        start_date=start_date,
        end_date=end_date,
        limit=limit,
        offset=offset,
        x_workspace_id=x_workspace_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    min_position: int | Unset = UNSET,
    metric_id: str | Unset = UNSET,
    site_id: str | Unset = UNSET,
    start_date: str | Unset = UNSET,
    end_date: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> ErrorBody | PageFeedPoint | None:
    """
    Args:
        min_position (int | Unset):
        metric_id (str | Unset):
        site_id (str | Unset):
        start_date (str | Unset):
        end_date (str | Unset):
        limit (int | Unset):
        offset (int | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageFeedPoint
    """

    return (
        await asyncio_detailed(
            client=client,
            min_position=min_position,
            metric_id=metric_id,
            site_id=site_id,
            start_date=start_date,
            end_date=end_date,
            limit=limit,
            offset=offset,
            x_workspace_id=x_workspace_id,
        )
    ).parsed
