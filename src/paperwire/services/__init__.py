"""Use cases: the only layer that combines storage, search, sources and mail."""
