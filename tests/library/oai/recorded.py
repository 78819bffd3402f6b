"""A local HTTP server on 127.0.0.1 that replays recorded OAI-PMH responses."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import yaml


class RecordedRepository:
    """
    Serve one response per set of request arguments.

    ``routes`` maps a frozenset of ``(name, value)`` arguments to a response:
    bytes for a 200 XML response, ``(status, bytes)``, or
    ``(status, bytes, headers)``. Every request is kept
    in ``requests`` as a dict of its arguments.
    """

    def __init__(self, routes):
        self.routes = routes
        self.requests = []
        repository = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                arguments = dict(parse_qsl(urlsplit(self.path).query))
                repository.requests.append(arguments)
                answer = repository.routes.get(frozenset(arguments.items()))
                if answer is None:
                    answer = (404, b"not recorded")
                elif not isinstance(answer, tuple):
                    answer = (200, answer)
                status, body, headers = (*answer, {})[:3]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/oai/request"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def route(**arguments):
    return frozenset(arguments.items())


def cassette_routes(path):
    """
    Return the routes of a VCR cassette: each recorded request's arguments
    mapped to its recorded status and body.
    """
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    routes = {}
    for interaction in cassette["interactions"]:
        query = urlsplit(interaction["request"]["uri"]).query
        response = interaction["response"]
        routes[frozenset(parse_qsl(query))] = (
            response["status"]["code"],
            response["body"]["string"].encode("utf-8"),
        )
    return routes
