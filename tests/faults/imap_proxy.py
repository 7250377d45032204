"""A TCP proxy in front of a real mail server that breaks the connections it carries on request:
the IMAP equivalent of the sandbox's injected faults. The client connects to the proxy's port;
every byte goes through unchanged until a fault fires."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass


@dataclass
class Fault:
    #: the client command that fires it (a bytes fragment of the command line)
    command: bytes
    #: "cut": close the connection once ``after`` bytes of the answer went through;
    #: "stall": pass no more of the server's answers (the connection stays open)
    action: str
    after: int = 0
    #: matching commands let through before it fires
    skip: int = 0
    #: connections refused once it has fired (the server is restarting)
    then_refuse: int = 0


class FaultyProxy:
    def __init__(self, port: int):
        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.faults: list[Fault] = []
        #: connections to close as soon as they are accepted, as a server shutting down does
        self.refusals = 0
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, command: bytes, *, after: int = 0, skip: int = 0, then_refuse: int = 0):
        self.faults.append(Fault(command, "cut", after, skip, then_refuse))

    def stall(self, command: bytes, *, skip: int = 0) -> None:
        self.faults.append(Fault(command, "stall", 0, skip))

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            _shut(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                refused = self.refusals > 0
                self.refusals -= refused
            if refused:
                _shut(client)
                continue
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            Connection(self, client, server).start()

    def fired(self, line: bytes) -> Fault | None:
        """The fault ``line`` fires, if any (consumed)."""
        with self.lock:
            for fault in self.faults:
                if fault.command in line:
                    if fault.skip:
                        fault.skip -= 1
                        return None
                    self.faults.remove(fault)
                    self.refusals += fault.then_refuse
                    return fault
        return None


class Connection:
    """One client connection and its server connection, pumped by two threads."""

    def __init__(self, proxy: FaultyProxy, client: socket.socket, server: socket.socket):
        self.proxy, self.client, self.server = proxy, client, server
        self.fault: Fault | None = None
        self.passed = 0  # bytes of answers passed since the fault fired

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def _upstream(self) -> None:
        while data := _recv(self.client):
            fault = self.proxy.fired(data)
            if fault is not None and self.fault is None:
                self.fault = fault
            if not _send(self.server, data):
                break
        self._close()

    def _downstream(self) -> None:
        while data := _recv(self.server):
            fault = self.fault
            if fault is not None and fault.action == "stall":
                continue
            if fault is not None and fault.action == "cut":
                room = fault.after - self.passed
                self.passed += len(data)
                if room <= len(data):
                    _send(self.client, data[: max(room, 0)])
                    break
            if not _send(self.client, data):
                break
        self._close()

    def _close(self) -> None:
        _shut(self.client)
        _shut(self.server)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
