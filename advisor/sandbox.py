"""Run a program with a loopback-only network: a new user and network namespace.

    python -I -S sandbox.py --probe             exit 0 when this machine allows it, else 1
    python -I -S sandbox.py -- PROGRAM ARGS...  exec PROGRAM inside a fresh namespace

`advisor repro` builds and runs code from the knowledge base through this. No root is
needed: Linux lets an unprivileged process create a user namespace and, in it, a network
namespace whose only interface is a loopback of its own, which starts down and is
brought up here. The program can still listen on and dial 127.0.0.1 (reproducers start
their own servers), but it reaches no other host, and not the services on the host's
own loopback. Its user and group ids stay what they were (mapped to themselves).

This file runs as a script between fork and exec, so it imports only the standard
library and never the `advisor` package.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
_IFREQ = "16sH22x"  # struct ifreq: the name, then ifr_flags in a 24-byte union


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def enter() -> None:
    """Move this process into a new user + network namespace with loopback up."""
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWUSER|CLONE_NEWNET): {os.strerror(err)}")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack(_IFREQ, fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack(_IFREQ, b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | IFF_UP))


def probe() -> None:
    """Enter a namespace and check that loopback works in it."""
    enter()
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def main(argv: list[str]) -> int:
    if argv[:1] == ["--probe"]:
        try:
            probe()
        except Exception as exc:  # any failure means: not available here
            sys.stderr.write(f"{exc}\n")
            return 1
        return 0
    if argv[:1] != ["--"] or len(argv) < 2:
        sys.stderr.write("usage: sandbox.py --probe | -- PROGRAM [ARGS...]\n")
        return 2
    try:
        enter()
    except OSError as exc:
        sys.stderr.write(f"advisor sandbox: {exc}\n")
        return 126
    os.execv(argv[1], argv[1:])
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
