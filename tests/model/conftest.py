"""Model fixtures: offscreen Qt, and no QThread left running after a test."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from qt_threads import no_thread_left  # noqa: F401  (autouse: no QThread outlives a test)
