"""The window's Qt-side core: view-models, the job queue and its workers, settings (QtCore only, no widgets)."""
