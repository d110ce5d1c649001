"""Serving from the command line: ``python -m webapp`` (``scripts/run``) and its ``--lan`` for a class."""

import sys

from webapp import __main__ as main_module


def test_lan_serves_every_address_and_puts_the_network_address_in_room_links(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["webapp", "--lan", "--port", "8123"])
    monkeypatch.setattr(main_module, "network_address", lambda: "192.0.2.5")
    args = main_module.parse_args()
    assert main_module.settings(args)["PUBLIC_URL"] == "http://192.0.2.5:8123"
    assert args.host == "0.0.0.0"


def test_without_lan_the_served_address_is_the_only_one_trusted(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["webapp", "--port", "8123"])
    settings = main_module.settings(main_module.parse_args())
    assert settings["PUBLIC_URL"] == "" and "127.0.0.1" in settings["TRUSTED_HOSTS"]
