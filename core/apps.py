from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_renewed_at_sign_in

        user_logged_in.connect(session_renewed_at_sign_in, dispatch_uid="session-renewed")
