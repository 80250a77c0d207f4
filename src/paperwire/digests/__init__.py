"""Email digests: build (pure), render (templates), outbox and SMTP sending."""
