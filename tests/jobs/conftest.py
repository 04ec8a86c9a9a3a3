"""Helpers for the queue's tests: the database queue instead of the ImmediateBackend, running its jobs in-process or
with the real worker process, and an SMTP sink on loopback (aiosmtpd)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.db import connection

from .queue import DB_QUEUE, db_queue, run_queue  # noqa: F401  (fixtures and helpers for this folder)

ROOT = Path(__file__).resolve().parents[2]


# --- SMTP sink ----------------------------------------------------------------------------------------------------


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str


@dataclass
class Sink:
    """An SMTP server on loopback that keeps what it accepts. `hang` makes it hold the first DATA until released, then
    refuse it with a 451 (so a message whose sender died meanwhile is never counted as delivered)."""

    port: int
    messages: list[Received] = field(default_factory=list)
    hang: bool = False
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    controller: object = None

    def start(self):
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import asyncio

                if sink.hang and not sink.hanging.is_set():
                    sink.hanging.set()
                    while not sink.release.is_set():
                        await asyncio.sleep(0.05)
                    return "451 try again later"
                message = message_from_bytes(envelope.content)
                body = message.get_payload(decode=True) if not message.is_multipart() else \
                    message.get_payload(0).get_payload(decode=True)
                sink.messages.append(Received(list(envelope.rcpt_tos), str(make_header(decode_header(message["Subject"]))),
                                              body.decode()))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.release.set()
            self.controller.stop()
            self.controller = None

    def sent(self) -> list[tuple[str, str]]:
        return sorted((m.to[0], m.subject) for m in self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def sink_factory(smtp_port):
    sinks = []

    def make(**kwargs) -> Sink:
        sink = Sink(port=smtp_port, **kwargs).start()
        sinks.append(sink)
        return sink

    yield make
    for sink in sinks:
        sink.stop()


# --- the real worker, as a process --------------------------------------------------------------------------------


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process of its own."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        name = params["NAME"]
        assert "memory" not in str(name), "the worker tests need the test database in a file (config/settings/test.py)"
        return f"sqlite:///{name}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{params['NAME']}"


def worker_env(smtp_port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZAALBOEK_", "EMAIL_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": database_url(), "DEBUG": "0",
                "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "0",
                "ZAALBOEK_JOB_RETRY_SECONDS": "1", "LOG_LEVEL": "INFO", **extra})
    return env


def start_worker(smtp_port: int, *args: str, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay",
                             "--interval", "0.1", *args], cwd=ROOT, env=worker_env(smtp_port, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_worker(smtp_port: int, *args: str, timeout: float = 120, **extra) -> str:
    """The worker in --batch mode: every job ready now, then it stops. Returns its output."""
    process = start_worker(smtp_port, "--batch", *args, **extra)
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output[-4000:]
    return output
