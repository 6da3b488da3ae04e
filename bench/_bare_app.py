"""The baseline: a FastAPI route that only reads the body and answers 200.

Run by uvicorn exactly as ``omnibox serve``/``omnibox api`` run the service (api/cli.py): one
process, uvicorn's default loop and HTTP implementation (uvloop and httptools when installed),
access log off, proxy headers on. Usage: ``python bench/_bare_app.py --port P``.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.post("/webhooks/telegram/{account_id}")
async def telegram_webhook(account_id: str, request: Request) -> Response:
    await request.body()
    return Response(status_code=200)


@app.get("/healthz")
async def healthz() -> Response:
    return Response(status_code=200)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log-level", default="warning")
    args = p.parse_args()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        log_level=args.log_level,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
