from django.apps import AppConfig
from django.core import checks


class SecurityConfig(AppConfig):
    name = "cartolangue.security"
    label = "security"

    def ready(self) -> None:
        from cartolangue.security.limits import check_limiter_cache

        checks.register(check_limiter_cache, checks.Tags.caches)
