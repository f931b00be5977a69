"""Where the Jsonnet library hako ships lives (``hako_py/lib``, ``import 'hako.libsonnet'``).

Evaluation searches and trusts it, review follows imports into it, and error messages
name its files by their import name; a module of its own keeps those from importing the
evaluator (or each other) just to learn the folder.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED_LIB_DIR = Path(__file__).resolve().parent.parent / "lib"
