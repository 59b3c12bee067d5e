from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from evaluation.expressions import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="evaluation-sqlite-functions")

        # The kinds of message this app sends, so any worker can build them.
        from evaluation import digest, services

        services.register()
        digest.register()
