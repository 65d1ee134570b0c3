"""Every process that loads the app runs with the collector of ``GC_THRESHOLD``: the loaded
application frozen out of the collected generations, a higher generation-0 threshold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
# What the WSGI entry point (gunicorn's) leaves: the threshold, and how many objects are frozen.
PROBE = (
    "import gc, json; import registry_site.wsgi; "
    "print(json.dumps([gc.get_threshold()[0], gc.get_freeze_count()]))"
)


def wsgi_collector(**env: str) -> tuple[int, int]:
    environment = {key: value for key, value in os.environ.items() if key != "GC_THRESHOLD"}
    environment.update(DATABASE_URL="sqlite:///:memory:", **env)
    environment["DJANGO_SETTINGS_MODULE"] = "registry_site.test_settings"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    threshold, frozen = json.loads(result.stdout.strip().splitlines()[-1])
    return threshold, frozen


def test_the_loaded_app_sets_the_collector():
    import gc

    assert gc.get_threshold()[0] == settings.GC_THRESHOLD
    assert gc.get_freeze_count() > 0


def test_the_wsgi_entry_point_freezes_the_app_with_the_configured_threshold():
    # Django, DRF and the app's modules, models and admin: many thousands of objects.
    assert wsgi_collector()[0] == 5000
    threshold, frozen = wsgi_collector(GC_THRESHOLD="12000")
    assert threshold == 12000
    assert frozen > 10_000


def test_zero_leaves_pythons_collector():
    import gc

    threshold, frozen = wsgi_collector(GC_THRESHOLD="0")
    assert frozen == 0
    # Python's own default, whatever this interpreter's is.
    assert threshold == int(
        subprocess.run(
            [sys.executable, "-c", "import gc; print(gc.get_threshold()[0])"],
            capture_output=True,
            text=True,
        ).stdout
    )
    assert gc.get_threshold()[0] != threshold
