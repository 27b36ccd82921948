"""Serve moto's DynamoDB so that requests never interleave.

moto_server answers each request on a thread of its own, so two concurrent
TransactWriteItems calls can interleave inside moto and break the isolation
DynamoDB promises. This server still accepts connections on threads (HTTP/1.1
keep-alive keeps working) but runs moto's application for one request at a
time, holding a lock until the whole response body has been produced.

Usage: python3 serve.py [--host HOST] [--port PORT] [--exit-on-stdin-eof]
Prints "dynamokit-moto listening on PORT" once it accepts connections.
"""
import argparse
import os
import sys
import threading

from werkzeug.serving import make_server

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app


class QuietHandler(MotoRequestHandler):
    def log_request(self, code="-", size="-"):
        pass  # one line per request would drown the test output


def one_at_a_time(app):
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            started = []
            body = []

            def capture(status, headers, exc_info=None):
                started[:] = [status, headers, exc_info]
                return body.append

            result = app(environ, capture)
            try:
                body.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        status, headers, exc_info = started
        start_response(status, headers, exc_info)
        return body

    return serialised


def exit_on_eof():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    app = one_at_a_time(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    os.environ.setdefault("MOTO_PORT", str(server.port))
    if args.exit_on_stdin_eof:
        threading.Thread(target=exit_on_eof, daemon=True).start()
    print("dynamokit-moto listening on %d" % server.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
