"""Run deploy/nginx/*.conf for real, on loopback, with a self-signed certificate, and drive Chromium through it.

    .venv/bin/python deploy/check_nginx.py           # one `trygge serve` behind deploy/nginx/trygge.conf
    .venv/bin/python deploy/check_nginx.py --many    # two instances (/kurs-a/, /kurs-b/) behind trygge-many.conf,
                                                     # both writing to one throw-away PostgreSQL server

Needs Debian's nginx (``apt-get install nginx-light``) and openssl. The production file is used as it is, with only
the machine-specific lines swapped for loopback ones (ports, certificate and cache paths, the course's media folder;
every swap must match, so the check fails if the file changes shape): ``nginx -t`` on it, then HTTP checks (HTTP →
HTTPS, the start-page redirect, gzip, cached static files, media from disk with range requests, no notebooks or
Python files) and a learner in Chromium over HTTPS: start page, theme page, a quiz answer and a chat turn through the
kernel websocket. It also times the theme page twice in one browser profile (first visit, then with the browser
cache nginx allows). With ``--many`` the results store is a throw-away PostgreSQL cluster (Debian's ``postgresql``:
initdb + pg_ctl, as in tests/test_store.py) and a learner on each instance must end up in it. Everything listens on
127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import _serve  # noqa: E402
from widgets import voila_config  # noqa: E402

RESULTS: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    RESULTS.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  — ' + detail if detail else ''}", flush=True)


def swap(text: str, old: str, new: str, count: int | None = None) -> str:
    found = text.count(old)
    if not found or (count is not None and found != count):
        raise SystemExit(f"check_nginx: expected {count or 'some'} × {old!r} in the nginx file, found {found}")
    return text.replace(old, new)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return cert, key


def loopback_site(conf: str, tmp: Path, http_port: int, https_port: int, upstreams: dict[str, int]) -> str:
    cert, key = self_signed(tmp)
    conf = swap(conf, "listen [::]:80;\n", "")
    conf = swap(conf, "listen [::]:443 ssl http2;\n", "")
    conf = swap(conf, "listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = swap(conf, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    conf = swap(conf, "/etc/letsencrypt/live/kurs.example.no/fullchain.pem", str(cert))
    conf = swap(conf, "/etc/letsencrypt/live/kurs.example.no/privkey.pem", str(key))
    conf = swap(conf, "/var/cache/nginx/trygge", str(tmp / "cache"))
    conf = conf.replace("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;")
    for address, port in upstreams.items():
        conf = swap(conf, f"server {address};", f"server 127.0.0.1:{port};")
    if "/srv/trygge/data/media/" in conf:
        conf = swap(conf, "/srv/trygge/data/media/", f"{ROOT / 'data' / 'media'}/")
    return conf


def nginx_main(tmp: Path, site: Path) -> Path:
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
        (tmp / sub).mkdir(exist_ok=True)
    main = tmp / "nginx.conf"
    main.write_text(f"""
user {'root' if os.geteuid() == 0 else os.environ.get('USER', 'nobody')};
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/vtt vtt; video/webm webm; }}
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
""", encoding="utf-8")
    return main


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def learner_in_chromium(entry: str, prefix_check: str | None = None) -> None:
    """A learner over HTTPS: start page, theme page, a quiz answer, a chat turn; the theme twice for the cache."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import pages  # the benchmark's in-page helpers
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_serve.CHROMIUM, args=_serve.CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(ignore_https_errors=True, locale="nb-NO")
            context.add_init_script(pages.INIT_SCRIPT)
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(entry)
            check("the way in lands on the start page over HTTPS",
                  page.url.startswith("https://") and page.url.endswith("/voila/render/notebooks/00-start.ipynb"),
                  page.url)
            if prefix_check:
                check("… on one instance's prefix", f"/{prefix_check}" in page.url or "/kurs-" in page.url, page.url)
            t0, t1 = page.evaluate("async ([rendered, click]) => { await __tsb.until(eval('(' + rendered + ')'));"
                                   " return await (eval('(' + click + ')'))(); }",
                                   [pages.RENDERED, pages.CLICKS["refresh"]])
            check("start page: drawn and its kernel answers through the websocket", t1 > t0, f"{t1 - t0:.0f} ms")
            theme_url = page.url.replace("00-start.ipynb", "01-samtalen.ipynb")
            timings = []
            for visit in ("first visit", "again, with the browser cache"):
                started = time.monotonic()
                page.goto(theme_url, wait_until="commit")
                rendered, (c0, c1) = page.evaluate(
                    "async ([rendered, click]) => { const r = await __tsb.until(eval('(' + rendered + ')'));"
                    " return [r, await (eval('(' + click + ')'))(0)]; }", [pages.RENDERED, pages.CLICKS["quiz"]])
                timings.append(c1)
                check(f"theme page ({visit}): quiz answer gets feedback", c1 > c0,
                      f"interactive after {c1:.0f} ms, click → feedback {c1 - c0:.0f} ms "
                      f"(wall {1000 * (time.monotonic() - started):.0f} ms)")
            c0, c1 = page.evaluate(f"async () => ({pages.CLICKS['chat_text']})({pages.TYPED_REPLY!r})")
            check("theme page: a typed chat turn through the coach", c1 > c0, f"{c1 - c0:.0f} ms")
            page.close(run_before_unload=True)
            context.close()
        finally:
            browser.close()


class ThrowAwayPostgres:
    """A PostgreSQL cluster in a temporary folder on a free loopback port (as ``postgres`` when run as root)."""

    def __init__(self, base: Path) -> None:
        import glob
        import pwd
        import shutil

        bindirs = [Path(shutil.which("pg_ctl")).resolve().parent] if shutil.which("pg_ctl") else []
        bindirs += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
        self.bindir = next((d for d in bindirs if (d / "initdb").exists() and (d / "postgres").exists()), None)
        if self.bindir is None:
            raise SystemExit("check_nginx --many: PostgreSQL is not installed (apt-get install postgresql)")
        self.base = base
        base.mkdir()
        self.run_as: dict = {}
        if os.geteuid() == 0:  # initdb refuses root
            account = pwd.getpwnam("postgres")
            os.chown(base, account.pw_uid, account.pw_gid)
            self.run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self.port = voila_config.find_free_port()
        self._pg("initdb", "-D", str(base / "data"), "-U", "trygge", "--auth=trust", "-E", "UTF8", "--no-locale")
        self._pg("pg_ctl", "-D", str(base / "data"), "-o", f"-p {self.port} -h 127.0.0.1 -k {base}", "-l",
                 str(base / "server.log"), "-w", "-t", "60", "start")
        self.url = f"postgresql+psycopg://trygge@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str) -> None:
        subprocess.run([str(self.bindir / args[0]), *args[1:]], check=True, capture_output=True, cwd=self.base,
                       **self.run_as)

    def stop(self) -> None:
        subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "stop"],
                       capture_output=True, cwd=self.base, **self.run_as)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--many", action="store_true", help="two instances behind deploy/nginx/trygge-many.conf")
    args = parser.parse_args(argv)
    nginx = "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("check_nginx: nginx is not installed (apt-get install nginx-light)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="trygge-nginx-") as tmp_name:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o755)
        http_port, https_port = voila_config.find_free_port(), voila_config.find_free_port()
        prefixes = ["kurs-a", "kurs-b"] if args.many else [""]
        servers = []
        nginx_proc = None
        postgres = ThrowAwayPostgres(tmp / "pg") if args.many else None
        try:
            for i, prefix in enumerate(prefixes):
                work = tmp / f"server{i}"
                work.mkdir()
                extra = ["--base-url", f"/{prefix}/"] if prefix else []
                servers.append(_serve.start_course(work, 1, baseline_pool=0, extra_pools={"notebooks/01-samtalen.ipynb": 3},
                                                   only=["notebooks/00-start.ipynb",
                                                                                   "notebooks/01-samtalen.ipynb"],
                                                   extra_args=extra, db_url=postgres.url if postgres else None))
            name = "trygge-many.conf" if args.many else "trygge.conf"
            source = (ROOT / "deploy" / "nginx" / name).read_text(encoding="utf-8")
            upstreams = ({"10.0.0.11:8866": servers[0].port, "10.0.0.12:8866": servers[1].port} if args.many
                         else {"127.0.0.1:8866": servers[0].port})
            site = tmp / "site.conf"
            site.write_text(loopback_site(source, tmp, http_port, https_port, upstreams), encoding="utf-8")
            main_conf = nginx_main(tmp, site)
            test = subprocess.run([nginx, "-t", "-c", str(main_conf), "-p", str(tmp)], capture_output=True, text=True)
            check(f"nginx -t accepts deploy/nginx/{name}", test.returncode == 0, test.stderr.strip().splitlines()[-1])
            if test.returncode != 0:
                print(test.stderr)
                return 1
            nginx_proc = subprocess.Popen([nginx, "-c", str(main_conf), "-p", str(tmp)], start_new_session=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            base = f"https://127.0.0.1:{https_port}"
            for _ in range(100):
                try:
                    fetch(base + "/")
                    break
                except OSError:
                    time.sleep(0.1)
            for server in servers:
                server.wait_for_pools(timeout=300)

            status, headers, _ = fetch(f"http://127.0.0.1:{http_port}/anything")
            check("HTTP is sent to HTTPS", status == 301 and headers.get("Location", "").startswith("https://"),
                  f"{status} → {headers.get('Location')}")
            landed = set()
            for _ in range(12 if args.many else 1):
                status, headers, _ = fetch(base + "/")
                landed.add(headers.get("Location", ""))
            check("/ redirects to the start page", status == 302 and all(
                loc.endswith("/voila/render/notebooks/00-start.ipynb") for loc in landed), ", ".join(sorted(landed)))
            if args.many:
                check("/ spreads learners over both instances", {p for p in prefixes if any(f"/{p}/" in l for l in landed)}
                      == set(prefixes), f"{len(landed)} distinct targets in 12 visits")
            prefix = f"/{prefixes[0]}" if prefixes[0] else ""
            status, headers, body = fetch(f"{base}{prefix}/voila/render/notebooks/01-samtalen.ipynb",
                                          {"Accept-Encoding": "gzip"})
            check("a theme page comes through, gzipped", status == 200 and headers.get("Content-Encoding") == "gzip",
                  f"{status}, {len(body)} bytes compressed")
            static = f"{base}{prefix}/voila/static/voila.js"
            fetch(static)
            status, headers, _ = fetch(static, {"Accept-Encoding": "gzip"})
            check("Voilà's static files are cacheable and gzipped",
                  status == 200 and "max-age=3600" in headers.get("Cache-Control", "")
                  and headers.get("Content-Encoding") == "gzip" and "Set-Cookie" not in headers,
                  f"Cache-Control: {headers.get('Cache-Control')}")
            if not args.many:
                media = next((ROOT / "data" / "media" / "samtalen").glob("*.webm"))
                url = f"{base}/voila/files/data/media/samtalen/{media.name}"
                status, headers, body = fetch(url, {"Range": "bytes=0-99"})
                check("films come from disk with range requests", status == 206 and len(body) == 100,
                      f"{status}, {headers.get('Content-Range')}")
            for private in ("notebooks/01-samtalen.ipynb", "widgets/__init__.py", "data/course.yaml"):
                status, _, _ = fetch(f"{base}{prefix}/voila/files/{private}")
                check(f"not served: {private}", status in (403, 404), str(status))
            learner_in_chromium(base + "/", prefixes[0] or None)
            if postgres is not None:
                import sqlalchemy as sa

                for prefix in prefixes:  # one more learner straight onto each instance
                    learner_in_chromium(f"{base}/{prefix}/voila/render/notebooks/00-start.ipynb", prefix)
                engine = sa.create_engine(postgres.url)
                with engine.connect() as conn:
                    actors = conn.execute(sa.text("SELECT count(DISTINCT actor) FROM events")).scalar_one()
                    answered = conn.execute(sa.text("SELECT count(*) FROM events WHERE verb = 'answered'")).scalar_one()
                engine.dispose()
                check("both instances write to the one PostgreSQL database", actors >= 3 and answered >= 6,
                      f"{actors} learners, {answered} quiz answers stored")
        finally:
            if nginx_proc is not None and nginx_proc.poll() is None:
                os.killpg(nginx_proc.pid, signal.SIGTERM)
                nginx_proc.wait(timeout=10)
            for server in servers:
                server.stop()
            if postgres is not None:
                postgres.stop()
    failed = [name for name, ok, _ in RESULTS if not ok]
    print(f"\n{len(RESULTS) - len(failed)} of {len(RESULTS)} checks passed." + (f" Failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
