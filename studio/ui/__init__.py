"""The desktop window (QtWidgets): thin views over `studio.app`'s session, models and job queue."""
