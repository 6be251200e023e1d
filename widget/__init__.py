"""Affiliate book-widget service."""

from widget.app import create_app

__all__ = ["create_app"]
