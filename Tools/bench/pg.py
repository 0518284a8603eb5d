"""A throw-away PostgreSQL 15 + PostGIS cluster for the benchmarks (Debian's postgresql-15, postgresql-15-postgis-3):
initdb in a work folder, served on a Unix socket there and, when asked, on a loopback TCP port; stopped on exit.
Run as root, the server runs as the `postgres` user."""
import contextlib
import os
import shutil
import subprocess

PGBIN = "/usr/lib/postgresql/15/bin"


@contextlib.contextmanager
def cluster(work, tcp_port=None):
    """Yields (psql argv prefix for database `bench`, host for libpq: the socket folder, user prefix for commands)."""
    data = os.path.join(work, "pgdata")
    sock = os.path.join(work, "pgsock")
    shutil.rmtree(data, ignore_errors=True)  # a fresh cluster every run
    os.makedirs(sock, exist_ok=True)
    user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(user + [f"{PGBIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres"], check=True, stdout=subprocess.DEVNULL)
    listen = f"-c listen_addresses=127.0.0.1 -p {tcp_port}" if tcp_port else "-c listen_addresses=''"
    subprocess.run(user + [f"{PGBIN}/pg_ctl", "-D", data, "-o", f"-k {sock} {listen} -c max_connections=50", "-w", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        port = ["-p", str(tcp_port)] if tcp_port else []
        base = ["psql", "-h", sock, "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"] + port
        subprocess.run(base + ["-c", "CREATE DATABASE bench"], check=True)
        subprocess.run(base + ["-d", "bench", "-c", "CREATE EXTENSION postgis"], check=True)
        yield base + ["-d", "bench"], sock, user
    finally:
        subprocess.run(user + [f"{PGBIN}/pg_ctl", "-D", data, "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
