"""What a definition asks for, in API terms: pure functions of its plain data (no AWS).

Checks, rendering, review, verify and the deploy planners all read a definition through
these, so a default (the image tag, the container that receives traffic) is decided in
exactly one place, below everything that uses it.
"""
