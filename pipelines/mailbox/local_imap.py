"""A local IMAP server (Debian's dovecot) configured in a folder of its own:
what the demo's mailbox and the mailbox tests run against.

Loopback only, a static password for every user (each user is an empty
Maildir), a plain listener and, when a certificate is given, a TLS one.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

DOVECOT = Path(os.environ.get("PARTS_DOVECOT", "/usr/sbin/dovecot"))
START_TIMEOUT_S = 15.0


def self_signed_cert(root: Path) -> Path | None:
    """A certificate for 127.0.0.1 (key beside it), or None without openssl."""
    if shutil.which("openssl") is None:
        return None
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert


def prepare(root: Path) -> None:
    """The server's folders; as root, the Maildirs belong to `nobody`."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)  # the mail user walks through it
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(exist_ok=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root / "mail", nobody.pw_uid, nobody.pw_gid)


def config_text(
    root: Path,
    *,
    port: int,
    password: str,
    ssl_port: int | None = None,
    cert: Path | None = None,
) -> str:
    """A `dovecot.conf` that keeps everything under `root`."""
    if os.geteuid() == 0:  # dovecot refuses mail access as root
        mail_user, internal, login = "nobody", "dovecot", "dovenull"
        mail_group, internal_group = "nogroup", "dovecot"
    else:  # everything runs as the user who starts it
        me = pwd.getpwuid(os.geteuid()).pw_name
        mail_user = internal = login = me
        mail_group = internal_group = grp.getgrgid(os.getegid()).gr_name
    tls = "ssl = no\n"
    imaps = ""
    if cert is not None and ssl_port is not None:
        tls = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{cert.parent / 'key.pem'}\n"
        imaps = (
            f"  inet_listener imaps {{\n    address = 127.0.0.1\n"
            f"    port = {ssl_port}\n    ssl = yes\n  }}\n"
        )
    return f"""instance_name = parts-imap-{port}
base_dir = {root / "run"}
state_dir = {root / "state"}
log_path = {root / "dovecot.log"}
protocols = imap
listen = 127.0.0.1
{tls}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_login_user = {login}
default_internal_group = {internal_group}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root / "mail"}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
{imaps}}}
service anvil {{
  chroot =
}}
"""


def start(
    root: Path,
    *,
    port: int,
    password: str,
    ssl_port: int | None = None,
    cert: Path | None = None,
    detached: bool = False,
) -> subprocess.Popen[bytes]:
    """Write the config and start dovecot in the foreground of its process;
    return once it accepts connections."""
    if not DOVECOT.exists():
        raise FileNotFoundError(f"{DOVECOT} is missing: apt-get install dovecot-imapd")
    prepare(root)
    conf = root / "dovecot.conf"
    conf.write_text(config_text(root, port=port, password=password,
                                ssl_port=ssl_port, cert=cert))  # fmt: skip
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(conf)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(root / "stderr.log").open("wb"),
        start_new_session=detached,
    )
    wait_for(port, process, root / "dovecot.log")
    return process


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the port accepts a connection; the log's tail if dovecot died."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"dovecot did not start on 127.0.0.1:{port}: {tail}")
