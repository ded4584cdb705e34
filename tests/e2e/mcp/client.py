"""An MCP client on the official Python SDK (`mcp`), driving `molt mcp`.

Usage: client.py MOLT REPO

Starts `MOLT mcp` in REPO over stdio, lists the tools, then ports a function
the way an agent would: find, read_symbol, edit with dry_run, edit, verify;
and tries the edits molt must refuse (one that breaks the parse, one to a
protected file, one outside the spec's paths). After every step it records
the bytes of the files the steps aim at, so the Rust test
(tests/e2e/mcp.rs) can tell what was written when. Prints one JSON object.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

WATCHED = ["src/mathx.c", "tests/test_mathx.c", "molt.toml"]

NEW_DOT = """{
    float s0 = 0.0f, s1 = 0.0f;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return s0 + s1;
}"""


def files(repo):
    out = {}
    for rel in WATCHED:
        with open(os.path.join(repo, rel), encoding="utf-8") as f:
            out[rel] = f.read()
    return out


async def main(molt, repo):
    env = {k: os.environ[k] for k in ("PATH", "HOME", "XDG_CACHE_HOME") if k in os.environ}
    params = StdioServerParameters(command=molt, args=["mcp"], cwd=repo, env=env)
    steps = {}

    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            listed = await session.list_tools()
            tools = {
                t.name: {
                    "readOnlyHint": t.annotations.readOnlyHint,
                    "destructiveHint": t.annotations.destructiveHint,
                    "idempotentHint": t.annotations.idempotentHint,
                    "required": t.inputSchema.get("required", []),
                }
                for t in listed.tools
            }

            async def call(step, name, arguments):
                result = await session.call_tool(name, arguments)
                text = "".join(c.text for c in result.content if c.type == "text")
                steps[step] = {"is_error": bool(result.isError), "text": text, "files": files(repo)}

            await call("find", "find", {"lang": "c", "pattern": "$A[$I] * $B[$I]"})
            await call("read_symbol", "read_symbol", {"symbol": "src/mathx.c::dot"})
            port = [{"op": "replace_body", "symbol": "src/mathx.c::dot", "text": NEW_DOT}]
            await call("dry_run", "edit", {"edits": port, "dry_run": True})
            await call("edit", "edit", {"edits": port, "description": "dot with two accumulators"})
            await call("verify", "verify", {"checks": ["test"]})
            await call(
                "broken",
                "edit",
                {"edits": [{"op": "replace_body", "symbol": "src/mathx.c::add", "text": "return a +;"}]},
            )
            await call(
                "protected",
                "edit",
                {"edits": [{"op": "replace_body", "symbol": "tests/test_mathx.c::main", "text": "return 0;"}]},
            )
            await call(
                "spec",
                "edit",
                {"edits": [{"op": "create_file", "path": "molt.toml", "text": "[migration]\n"}]},
            )
            resources = await session.list_resources()

    print(
        json.dumps(
            {
                "server": init.serverInfo.name,
                "protocol": init.protocolVersion,
                "tools": tools,
                "steps": steps,
                "resources": [str(r.uri) for r in resources.resources],
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
