#!/usr/bin/python3
"""A real SFTP server on loopback for the upload tests (python3-asyncssh).

Password login for one fixed user, files under --root, a fresh ed25519 host key
written to --dir (host_key.pub, plus other_key.pub: a key the server does NOT use).
Optional faults: --drop-after N closes the connection once, after N bytes of file
writes; --open-error/--write-error ERRNO (e.g. EACCES, ENOSPC, EDQUOT) makes every
file open or write fail as the server's filesystem would, through asyncssh's own
errno-to-status mapping. Optional --proxy: a tiny HTTP CONNECT proxy that logs each tunnel to
<dir>/proxy.log (and, with --proxy-auth USER:PASS, demands Basic credentials; with
--proxy-cert/--proxy-key PEM files, it is an https:// proxy: TLS first, CONNECT inside).
Prints "READY <sftp port> <proxy port or 0>" on stdout when listening.
"""
import argparse
import asyncio
import base64
import errno
import os
import ssl
import sys

import asyncssh

ARGS = None
STATE = {"dropped": False, "written": 0}


class Server(asyncssh.SSHServer):
    def begin_auth(self, username):
        return True

    def password_auth_supported(self):
        return True

    def validate_password(self, username, password):
        return username == ARGS.user and password == ARGS.password


def fail(name):
    code = getattr(errno, name)
    raise OSError(code, os.strerror(code))


class FaultySFTP(asyncssh.SFTPServer):
    def __init__(self, chan):
        super().__init__(chan, chroot=ARGS.root.encode())

    def open(self, path, pflags, attrs):
        if ARGS.open_error:
            fail(ARGS.open_error)
        return super().open(path, pflags, attrs)

    def write(self, file_obj, offset, data):
        if ARGS.write_error:
            fail(ARGS.write_error)
        STATE["written"] += len(data)
        if ARGS.drop_after and not STATE["dropped"] and STATE["written"] > ARGS.drop_after:
            STATE["dropped"] = True
            self.channel.get_connection().abort()
            raise asyncssh.SFTPConnectionLost("dropped by the test server")
        return super().write(file_obj, offset, data)


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle_proxy(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    if ARGS.proxy_auth:
        want = "Basic " + base64.b64encode(ARGS.proxy_auth.encode()).decode()
        if ("Proxy-Authorization: " + want) not in lines:
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
            writer.close()
            return
    host, port = target.rsplit(":", 1)
    with open(os.path.join(ARGS.dir, "proxy.log"), "a") as log:
        log.write(method + " " + target + "\n")
    try:
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
    except OSError:
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        writer.close()
        return
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def write_keys():
    key = asyncssh.generate_private_key("ssh-ed25519")
    other = asyncssh.generate_private_key("ssh-ed25519")
    for name, k in (("host_key.pub", key), ("other_key.pub", other)):
        with open(os.path.join(ARGS.dir, name), "wb") as f:
            f.write(k.export_public_key("openssh"))
    return key


async def main():
    key = write_keys()
    server = await asyncssh.listen("127.0.0.1", 0, server_factory=Server, server_host_keys=[key],
                                   sftp_factory=FaultySFTP, allow_scp=False)
    port = server.sockets[0].getsockname()[1]
    proxy_port = 0
    if ARGS.proxy:
        tls = None
        if ARGS.proxy_cert:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(ARGS.proxy_cert, ARGS.proxy_key)
        proxy = await asyncio.start_server(handle_proxy, "127.0.0.1", 0, ssl=tls)
        proxy_port = proxy.sockets[0].getsockname()[1]
    print("READY %d %d" % (port, proxy_port), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--drop-after", type=int, default=0)
    parser.add_argument("--open-error", default="")
    parser.add_argument("--write-error", default="")
    parser.add_argument("--proxy", action="store_true")
    parser.add_argument("--proxy-auth", default="")
    parser.add_argument("--proxy-cert", default="")
    parser.add_argument("--proxy-key", default="")
    ARGS = parser.parse_args()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
