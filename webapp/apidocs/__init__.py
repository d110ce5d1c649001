"""The API described: its OpenAPI document and a page that renders it."""
