"""Many apps at once: which to deploy (``plan.py``), deploying them with bounded concurrency
(``runner.py``), the fleet's output (``report.py``) and drift (``drift.py``)."""
