"""A remote MCP server for the gateway's tests, built with the official Python SDK (PyPI `mcp`).

Usage: remote_server.py [--token T] [--legacy]

Listens on 127.0.0.1 on a port of its own choosing and prints that port on the first line of
stdout once it listens. With --token, a request without `Authorization: Bearer T` gets 401.
With --legacy it behaves like a server that has not moved to the 2026-07-28 revision: requests
carrying that version are refused (so a client must use the 2025-11-25 handshake, its
`Mcp-Session-Id` and event-stream answers).
"""

import argparse
import asyncio
import json
import socket
import sys

import uvicorn
from mcp.server.mcpserver import MCPServer


def build(name):
    mcp = MCPServer(name, version="1.2.3")

    @mcp.tool(description="The weather forecast for a city, a few days ahead")
    def forecast(city: str, days: int = 1) -> dict:
        return {"city": city, "days": days, "summary": f"Sunny in {city}"}

    @mcp.tool(description="A tool whose station is down: it always fails")
    def broken() -> str:
        raise ValueError("the weather station is down")

    @mcp.tool(description="Answers after `seconds`")
    async def slow(seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "done"

    return mcp


def guard(app, token, legacy):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            refusal = None
            if token is not None and headers.get("authorization") != "Bearer " + token:
                refusal = (401, {"error": "invalid_token"})
            elif legacy and headers.get("mcp-protocol-version") == "2026-07-28":
                refusal = (
                    400,
                    {"jsonrpc": "2.0", "id": None,
                     "error": {"code": -32600, "message": "Bad Request: Unsupported protocol version: 2026-07-28"}},
                )
            if refusal is not None:
                status, body = refusal
                data = json.dumps(body).encode()
                await send({"type": "http.response.start", "status": status,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(data)).encode())]})
                await send({"type": "http.response.body", "body": data})
                return
        await app(scope, receive, send)

    return wrapped


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--token")
    p.add_argument("--legacy", action="store_true")
    p.add_argument("--name", default="weather")
    args = p.parse_args()
    app = build(args.name).streamable_http_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(guard(app, args.token, args.legacy), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    print(port, flush=True)
    sys.stdout.flush()
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
