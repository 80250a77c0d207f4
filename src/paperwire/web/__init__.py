"""The web application: create_app and its routes."""
