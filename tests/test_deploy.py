"""The shipped deployment configuration works: deploy/check_nginx.py runs deploy/nginx/*.conf as they are (only the
machine-specific lines swapped for loopback ones) in front of real `trygge serve` instances, and drives a learner in
Chromium through it. See docs/deployment.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light; .ci/run does)"),
]


@pytest.mark.parametrize("variant", [[], ["--many"]], ids=["one-server-tls", "two-instances-postgresql"])
def test_the_nginx_configuration_serves_the_course_to_a_learner(variant: list[str]) -> None:
    run = subprocess.run([sys.executable, str(REPO / "deploy" / "check_nginx.py"), *variant], capture_output=True,
                         text=True, timeout=900, cwd=REPO, check=False)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    assert "Traceback" not in out
    passed = re.search(r"(\d+) of (\d+) checks passed", out)
    assert passed and passed.group(1) == passed.group(2) and int(passed.group(2)) >= 8, out[-2000:]
    assert "quiz answer gets feedback" in out and "a typed chat turn through the coach" in out
