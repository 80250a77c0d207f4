"""Email digests: build (pure) and render (templates); services store and send them."""
