"""Helpers shared by several test folders: stand-in servers, library builders, fixtures modules."""
