"""What the REST API answers: pydantic models for the JSON bodies under ``/api/v1``.

Each model names every field a response has, so ``/openapi.json`` documents it; FastAPI writes
exactly these fields, so a field left out here is a field left out of the answer
(tests/api/test_openapi_documented.py checks every route has one). Routes hand them the read
models of ``inbox`` (frozen dataclasses), read by attribute.
"""
