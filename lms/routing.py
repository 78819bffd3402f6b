"""Websocket routes of every app, collected for the ASGI application."""

from live.routing import websocket_urlpatterns as live_routes

websocket_urlpatterns = [*live_routes]
