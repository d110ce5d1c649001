"""Who may reach the app, under which host name, and who may see or delete saved drawings.

* Only trusted host names are served (Flask's ``TRUSTED_HOSTS``): the loopback
  names, the host of ``PUBLIC_URL`` and any in ``TRUSTED_HOSTS``. A page from
  another name that resolves to this server (DNS rebinding) gets a 400.
* Forwarded headers (``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Port``) are
  believed only with ``BEHIND_PROXY``, from one proxy.
* A client is local (this machine) when it connects from loopback and no header
  says a proxy passed it on; behind a proxy, only when the proxy's
  ``X-Forwarded-For`` names a loopback client.
* A browser write from another site (judged by ``Origin`` and ``Sec-Fetch-Site``) is refused.
* Listing, exporting and deleting saved drawings is open to clients on this
  machine; any other client needs ``Authorization: Bearer <ADMIN_TOKEN>``,
  and with no token set they are refused.
"""

import hmac
import ipaddress
import os
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.web.errors import InputError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
PROXY_HEADERS = ("Forwarded", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Client-IP",
                 "X-Cluster-Client-IP", "Fastly-Client-IP", "Via")
"""Besides every ``X-Forwarded-*`` header: what proxies and CDNs add to say whom they pass a request on for."""
MIN_TOKEN_LENGTH = 16


def settings_from_environment():
    """The access settings' defaults, read from the environment."""
    return {
        "TRUSTED_HOSTS": [name.strip() for name in os.environ.get("TRUSTED_HOSTS", "").split(",") if name.strip()],
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        "BEHIND_PROXY": os.environ.get("BEHIND_PROXY", "") not in ("", "0"),
        "ADMIN_TOKEN": os.environ.get("ADMIN_TOKEN", ""),
    }


class BracketedAddress(str):
    """An IPv6 address as a Host header carries it, ``[::1]``, as a trusted host name.

    werkzeug cuts a trusted name at its first ``:`` to drop a port, which leaves
    ``[`` of an IPv6 address; this name has no port to drop.
    """

    def partition(self, separator):
        return str(self), "", ""


def public_host(url):
    """The host name of a public URL such as ``https://digits.example.org``; ValueError if it has none."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host name")
    return parts.hostname


def init_app(app):
    token = app.config["ADMIN_TOKEN"]
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"ADMIN_TOKEN must be at least {MIN_TOKEN_LENGTH} characters "
                         "(e.g. openssl rand -hex 16)")
    names = list(LOOPBACK_NAMES) + list(app.config["TRUSTED_HOSTS"])
    if app.config["PUBLIC_URL"]:
        names.append(public_host(app.config["PUBLIC_URL"]))
    app.config["TRUSTED_HOSTS"] = [BracketedAddress(name) if name.startswith("[") else name
                                   for name in dict.fromkeys(names)]
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)


def refuse_cross_site_writes():
    """Browsers name the page that sent a request; a write from any other site is refused.

    The request's host is already one of the trusted names, so an ``Origin``
    equal to it is this app's own page.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        raise InputError("cross-site requests may not change samples", status=403)
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise InputError("cross-site requests may not change samples", status=403)


def client_is_local():
    """True for a client on this machine.

    Without ``BEHIND_PROXY``: it connects from loopback and carries no header a
    proxy adds. Behind a proxy every request comes from the proxy, so only the
    proxy's word counts: the last address of ``X-Forwarded-For`` (the one the
    proxy added, which ProxyFix also takes) is a loopback address. A request the
    proxy passed on without it is a stranger's.
    """
    if current_app.config["BEHIND_PROXY"]:
        return is_loopback(request.headers.get("X-Forwarded-For", "").split(",")[-1].strip())
    return not shows_a_proxy(request.headers) and is_loopback(request.remote_addr)


def shows_a_proxy(headers):
    """Whether any header says a proxy passed the request on."""
    return any(name.lower().startswith("x-forwarded-") for name in headers.keys()) or \
        any(name in headers for name in PROXY_HEADERS)


def is_loopback(address):
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def admin_only(view):
    """The view serves clients on this machine, and others that send the admin token."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not client_is_local():
            check_admin_token()
        return view(*args, **kwargs)

    return guarded


def check_admin_token():
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        raise InputError("saved drawings can be listed, exported and deleted only from this machine; start the "
                         "server with ADMIN_TOKEN set to allow it from elsewhere", status=403)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise InputError("saved drawings are private: send the admin token as 'Authorization: Bearer <token>'",
                         status=401, headers={"WWW-Authenticate": 'Bearer realm="digitpad"'})
