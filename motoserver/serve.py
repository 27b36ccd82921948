"""Serve moto's DynamoDB so that requests never interleave, stall or leak.

moto_server answers each request on a thread of its own, so two concurrent
TransactWriteItems calls can interleave inside moto and break the isolation
DynamoDB promises. This server accepts connections on threads but runs moto's
application for one request at a time, holding a lock only while moto works:

- The request body is read in full before the lock is taken, so a client
  that stops sending halfway (a cancelled request) holds up only its own
  connection, never the engine. Each connection's socket times out after
  SOCKET_TIMEOUT seconds of silence.
- The response is produced under the lock and written after it is released.
  werkzeug closes the connection after every response (its http.server base
  cannot drain a request stream between requests), so every request comes
  on a new connection: no connection is ever idle, and a client can never
  reuse one that the server is closing.

Two of moto's habits make a long-lived engine slow, and this server turns
them off (see patch_moto): every model object moto creates is kept in a
class-level list for its dashboard, so nothing it ever made is freed; and
TransactWriteItems deep-copies every table it touches, once per action, to
roll back on failure. The patched transaction snapshots each table once, and
copies only the items the transaction touches.

Usage: python3 serve.py [--host HOST] [--port PORT] [--exit-on-stdin-eof]
Prints "dynamokit-moto listening on PORT" once it accepts connections.
GET /_dynamokit/stats answers {"rss_bytes": N, "requests": N} for tests.
"""
import argparse
import copy
import gc
import io
import json
import os
import sys
import threading

from werkzeug.serving import make_server

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

# A connection that sends nothing for this long is closed.
SOCKET_TIMEOUT = 5

STATS_PATH = "/_dynamokit/stats"


class QuietHandler(MotoRequestHandler):
    timeout = SOCKET_TIMEOUT

    def log_request(self, code="-", size="-"):
        pass  # one line per request would drown the test output


def patch_moto():
    """Stop moto from keeping every object it makes, and make transactions
    copy only what they touch."""
    from moto.core import common_models
    import moto.dynamodb.models as ddb
    from moto.dynamodb.models.dynamo_type import DynamoType

    def untracked_new(cls, *args, **kwargs):
        return object.__new__(cls)

    common_models.BaseModel.__new__ = staticmethod(untracked_new)

    class TransactionCopy:
        """Stands in for the copy module inside moto.dynamodb.models while
        a transaction runs: deepcopy of a table returns a snapshot holding
        the table's item index and deep copies of the touched items only,
        made once per table."""

        def __init__(self, keys):
            self.keys = keys  # table name -> list of key dicts
            self.snapshots = {}

        def deepcopy(self, value, memo=None):
            if not isinstance(value, ddb.Table):
                return copy.deepcopy(value, memo)
            snap = self.snapshots.get(value.name)
            if snap is None:
                snap = snapshot(value, self.keys.get(value.name, []))
                self.snapshots[value.name] = snap
            return snap

        def __getattr__(self, name):
            return getattr(copy, name)

    def item_key(table, key):
        h = key.get(table.hash_key_attr)
        r = key.get(table.range_key_attr) if table.range_key_attr else None
        return (DynamoType(h) if h is not None else None, DynamoType(r) if r is not None else None)

    def snapshot(table, keys):
        snap = copy.copy(table)
        snap.items = type(table.items)(dict)
        snap.items.update(table.items)  # a range key's inner dicts are copied below
        copied = set()
        for key in keys:
            h, r = item_key(table, key)
            if h is None:
                continue
            if table.range_key_attr is None:
                if h in table.items:
                    snap.items[h] = copy.deepcopy(table.items[h])
                continue
            if h not in copied and h in table.items:
                snap.items[h] = dict(table.items[h])
                copied.add(h)
            if r is not None and r in table.items.get(h, {}):
                snap.items[h][r] = copy.deepcopy(table.items[h][r])
        shard = getattr(table, "stream_shard", None)
        if shard is not None:
            s = copy.copy(shard)
            s.items = list(shard.items)
            s.table = snap
            snap.stream_shard = s
        return snap

    original = ddb.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        keys = {}
        for action in transact_items:
            for op in action.values():
                name = op.get("TableName")
                if not name:
                    continue
                key = op.get("Key") or op.get("Item") or {}
                keys.setdefault(name, []).append(key)
        saved = ddb.copy
        ddb.copy = TransactionCopy(keys)
        try:
            return original(self, transact_items)
        finally:
            ddb.copy = saved

    ddb.DynamoDBBackend.transact_write_items = transact_write_items


def rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def one_at_a_time(app):
    lock = threading.Lock()
    served = [0]

    def serialised(environ, start_response):
        if environ.get("PATH_INFO") == STATS_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"rss_bytes": rss_bytes(), "requests": served[0]}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        # Read the whole request before taking the lock: a client that
        # stalls while sending must not hold up the engine.
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        try:
            if length:
                data = stream.read(int(length))
            elif environ.get("wsgi.input_terminated"):  # chunked: read to its end
                data = stream.read()
            else:  # no body
                data = b""
        except OSError:  # the client went away or went silent
            data = None
        if data is None or (length and len(data) < int(length)):
            # Half a request is never handed to moto: its client is gone.
            start_response("400 Bad Request", [("Content-Length", "0")])
            return [b""]
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        with lock:
            served[0] += 1
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

    patch_moto()
    app = one_at_a_time(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    os.environ.setdefault("MOTO_PORT", str(server.port))
    if args.exit_on_stdin_eof:
        threading.Thread(target=exit_on_eof, daemon=True).start()
    # Everything imported so far lives as long as the server: keep it out of
    # the collector's full passes.
    gc.collect()
    gc.freeze()
    print("dynamokit-moto listening on %d" % server.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
