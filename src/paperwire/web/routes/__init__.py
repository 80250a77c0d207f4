"""Route modules, one per capability."""
