"""What the tests and the benchmarks share: starting the servers on 127.0.0.1 (gunicorn as
``make serve`` runs it, the Firebase Hosting emulator), opening pages in Debian's Chromium, the
command lines they compare against, and the small sites made for them.

- ``harness.servers``: build a site, start and stop gunicorn and the emulator, ``recommend_cli``.
- ``harness.browser``: Chromium's path and flags, a loopback static server, ``launch_browser``.
- ``harness.sites``: the hand-made five-book site (known similar books).
- ``harness.map_page``: the synthetic 10,000-book map and how to open and zoom it.
- ``harness.goodreads_export``: the columns of a Goodreads library export.

Nothing here imports pytest or tests/: a benchmark is a script, not a test.
"""
