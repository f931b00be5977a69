"""Rendering: a validated definition becomes the ECS API requests hako would send."""

from hako_py.render.requests import RenderedApp, RenderOptions, render_app

__all__ = ["RenderOptions", "RenderedApp", "render_app"]
