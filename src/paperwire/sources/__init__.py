"""Outside sources of papers: fetch_* functions do I/O, parse_* functions are pure."""
