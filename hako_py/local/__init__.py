"""The local Docker engine: the only code that talks to it (finding and pulling images, with an
ECR login when one is needed; reading containers' output). ``hako oneshot --local``
(:mod:`hako_py.oneshot.local_runner`) and the sandbox's Docker mode run tasks through it."""
