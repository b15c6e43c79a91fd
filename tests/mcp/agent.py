"""An MCP client for Keel's tests, built on the official Python SDK (PyPI `mcp`).

Reads {"url", "key", "mode", "steps": [...]} on stdin, connects over Streamable HTTP with the
key as a Bearer header, runs the steps in order and prints one JSON document: the era the SDK
negotiated and, per step, the result (as the SDK parsed it) or the error it raised.
"""

import asyncio
import json
import sys

from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError


def dump(result):
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


async def run(cfg):
    headers = {"Authorization": "Bearer " + cfg["key"]}
    out = {"steps": []}
    http = create_mcp_http_client(headers=headers)
    async with http:
        transport = streamable_http_client(cfg["url"], http_client=http)
        async with Client(transport, mode=cfg.get("mode", "auto"), cache=None) as c:
            s = c.session
            out["era"] = "modern" if getattr(s, "discover_result", None) is not None else "legacy"
            init = getattr(s, "initialize_result", None)
            if init is not None:
                out["initialize"] = dump(init)
            for step in cfg["steps"]:
                op = step["op"]
                try:
                    if op == "list_tools":
                        r = await c.list_tools()
                    elif op == "call_tool":
                        r = await c.call_tool(step["name"], step.get("arguments"), meta=step.get("meta"))
                    elif op == "read_resource":
                        r = await c.read_resource(step["uri"])
                    elif op == "list_resources":
                        r = await c.list_resources()
                    elif op == "list_resource_templates":
                        r = await c.list_resource_templates()
                    else:
                        raise ValueError("unknown step " + op)
                    out["steps"].append({"ok": dump(r)})
                except MCPError as e:
                    out["steps"].append({"error": {"code": e.code, "message": e.error.message}})
    return out


def main():
    cfg = json.load(sys.stdin)
    print(json.dumps(asyncio.run(run(cfg))))


if __name__ == "__main__":
    main()
