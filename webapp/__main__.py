"""Serve Digit Pad with a production WSGI server: ``python -m webapp [--host H] [--port P]``."""

import argparse
import os
import sys

from waitress import serve

from webapp import create_app
from webapp.classifier import ModelError
from webapp.limits import waitress_body_limit


def main():
    parser = argparse.ArgumentParser(prog="python -m webapp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)),
                        help="port (default: $PORT or 8000)")
    parser.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    args = parser.parse_args()
    try:
        app = create_app()
        app.extensions["classifier"].load()
    except ModelError as error:
        print(f"digitpad: {error}", file=sys.stderr)
        return 1
    print(f"Digit Pad is serving model {app.extensions['classifier'].name} at http://{args.host}:{args.port}/",
          flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="digitpad",
          max_request_body_size=waitress_body_limit(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
