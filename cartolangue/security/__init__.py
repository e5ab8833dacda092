"""Defences against abuse: login lockout (django-axes), per-client rate limits (django-ratelimit), the client's
address behind a trusted proxy, and the site-wide HTTP rules (methods, Cache-Control, Last-Modified).
The decisions are in docs/adr/0016-abuse-limits-and-http-caching.md."""
