#!/usr/bin/env python3
"""Serves the demo page on its own origin, the way a customer's site would.

/            the demo page (embeds the pixel from another origin)
/coep.html   the same page served with Cross-Origin-Embedder-Policy: require-corp,
             which only loads cross-origin images that send
             Cross-Origin-Resource-Policy: cross-origin (the pixel does).
Usage: demo_server.py PORT
"""
import http.server
import pathlib
import sys

PAGE = (pathlib.Path(__file__).parent / "index.html").read_bytes()


class DemoHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path not in ("/", "/index.html", "/coep.html"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.send_header("Cache-Control", "no-store")
        if path == "/coep.html":
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format, *args):  # one line per request is noise here
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4001
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), DemoHandler)
    print(f"demo page on http://localhost:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
