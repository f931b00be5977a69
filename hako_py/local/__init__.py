"""Running a definition's tasks on a local Docker engine (``hako oneshot --local``)."""
