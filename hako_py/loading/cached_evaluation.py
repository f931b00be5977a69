"""One definition's evaluation through the render cache (see :mod:`hako_py.loading.render_cache`).

Kept apart from the loader so that commands which never use the cache do not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hako_py.loading.evaluation import Evaluated, Evaluation, Refused
from hako_py.loading.render_cache import RenderCache, open_cache
from hako_py.workers.failure import Failure


def evaluation_key(request: Evaluation, cache: RenderCache) -> dict[str, Any]:
    """What decides an evaluation besides the bytes of the files it reads."""
    return {
        "file": cache.file_names([request.path])[0],
        "yaml": request.yaml,
        "jpath": cache.file_names(request.jpath),
        "extVars": request.ext_vars,
        "extCodes": request.ext_codes,
        "expand": request.expand,
        "envAllow": request.env_allow,
    }


def evaluate_cached(request: Evaluation, evaluate: Callable[[], Evaluated | Refused | Failure]
                    ) -> Evaluated | Refused | Failure:
    """The cached evaluation of *request* when its inputs are unchanged, else *evaluate*'s
    (stored when it succeeded and depends on files alone)."""
    cache = open_cache("evaluation", request.root)
    if cache is None:
        return evaluate()
    key = evaluation_key(request, cache)
    hit = cache.lookup(key)
    if isinstance(hit, dict):
        return Evaluated(hit["value"], frozenset(Path(cache.path_of(n)) for n in hit["read"]),
                         providers=frozenset(hit["providers"]),
                         absent_files=frozenset(Path(cache.path_of(n)) for n in hit["absent"]))
    outcome = evaluate()
    if isinstance(outcome, Evaluated) and not (request.expand and outcome.providers):
        inputs = {request.path, *outcome.read_files}
        cache.store(key, inputs, outcome.absent_files,
                    {"value": outcome.value, "read": cache.file_names(outcome.read_files),
                     "absent": cache.file_names(outcome.absent_files), "providers": sorted(outcome.providers)})
    return outcome
