from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_page import AuditPage
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    order: str | Unset = UNSET,
    limit: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    stream_id: str | Unset = UNSET,
    stream_type: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    after_position: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_workspace_id, Unset):
        headers["X-Workspace-ID"] = x_workspace_id

    params: dict[str, Any] = {}

    params["order"] = order

    params["limit"] = limit

    params["cursor"] = cursor

    params["stream_id"] = stream_id

    params["stream_type"] = stream_type

    params["event_type"] = event_type

    params["actor"] = actor

    params["from"] = from_

    params["to"] = to

    params["after_position"] = after_position

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit/events",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditPage | ErrorBody | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())

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
) -> Response[AuditPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    order: str | Unset = UNSET,
    limit: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    stream_id: str | Unset = UNSET,
    stream_type: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    after_position: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[AuditPage | ErrorBody]:
    """
    Args:
        order (str | Unset):
        limit (str | Unset):
        cursor (str | Unset):
        stream_id (str | Unset):
        stream_type (str | Unset):
        event_type (str | Unset):
        actor (str | Unset):
        from_ (str | Unset):
        to (str | Unset):
        after_position (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        order=order,
        limit=limit,
        cursor=cursor,
        stream_id=stream_id,
        stream_type=stream_type,
        event_type=event_type,
        actor=actor,
        from_=from_,
        to=to,
        after_position=after_position,
        x_workspace_id=x_workspace_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    order: str | Unset = UNSET,
    limit: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    stream_id: str | Unset = UNSET,
    stream_type: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    after_position: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> AuditPage | ErrorBody | None:
    """
    Args:
        order (str | Unset):
        limit (str | Unset):
        cursor (str | Unset):
        stream_id (str | Unset):
        stream_type (str | Unset):
        event_type (str | Unset):
        actor (str | Unset):
        from_ (str | Unset):
        to (str | Unset):
        after_position (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
    """

    return sync_detailed(
        client=client,
        order=order,
        limit=limit,
        cursor=cursor,
        stream_id=stream_id,
        stream_type=stream_type,
        event_type=event_type,
        actor=actor,
        from_=from_,
        to=to,
        after_position=after_position,
        x_workspace_id=x_workspace_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    order: str | Unset = UNSET,
    limit: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    stream_id: str | Unset = UNSET,
    stream_type: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    after_position: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> Response[AuditPage | ErrorBody]:
    """
    Args:
        order (str | Unset):
        limit (str | Unset):
        cursor (str | Unset):
        stream_id (str | Unset):
        stream_type (str | Unset):
        event_type (str | Unset):
        actor (str | Unset):
        from_ (str | Unset):
        to (str | Unset):
        after_position (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        order=order,
        limit=limit,
        cursor=cursor,
        stream_id=stream_id,
        stream_type=stream_type,
        event_type=event_type,
        actor=actor,
        from_=from_,
        to=to,
        after_position=after_position,
        x_workspace_id=x_workspace_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    order: str | Unset = UNSET,
    limit: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    stream_id: str | Unset = UNSET,
    stream_type: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    after_position: str | Unset = UNSET,
    x_workspace_id: str | Unset = UNSET,
) -> AuditPage | ErrorBody | None:
    """
    Args:
        order (str | Unset):
        limit (str | Unset):
        cursor (str | Unset):
        stream_id (str | Unset):
        stream_type (str | Unset):
        event_type (str | Unset):
        actor (str | Unset):
        from_ (str | Unset):
        to (str | Unset):
        after_position (str | Unset):
        x_workspace_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            order=order,
            limit=limit,
            cursor=cursor,
            stream_id=stream_id,
            stream_type=stream_type,
            event_type=event_type,
            actor=actor,
            from_=from_,
            to=to,
            after_position=after_position,
            x_workspace_id=x_workspace_id,
        )
    ).parsed
