"""Django project configuration: settings, URLs, the ASGI app and the API router."""
