"""The app under test, made once per test process: making one takes about a second, and the fuzz
sweep needs its OpenAPI description while tests are collected, before any fixture runs."""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI

from app.main import create_app


@cache
def app_under_test() -> FastAPI:
    return create_app()
