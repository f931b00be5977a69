"""Scripts: lifecycle plugins named in a definition's ``scripts`` list."""

from hako_py.scripts.base import Script, ScriptContext, ScriptError, ScriptWrite

__all__ = ["Script", "ScriptContext", "ScriptError", "ScriptWrite"]
