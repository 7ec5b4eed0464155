"""Settings for the benchmarks that serve the project over HTTP (bench/public_pages.py): the
project's own settings, with a URLconf that adds a bare view as the baseline. Never used by the
application: only a benchmark sets DJANGO_SETTINGS_MODULE to this module."""

from config.settings import *  # noqa: F403 (the project's settings, unchanged)

ROOT_URLCONF = "config.bench_urls"
