"""Remix Studio: generate and remix images with local diffusion models, with lineage, licensing and publishing."""

__version__ = "0.1.0"
APP_NAME = "remix-studio"
