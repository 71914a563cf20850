"""Every sentence the bot says: locale messages as sandboxed Jinja2 templates."""

from bot.texts.templates import RenderError, Texts, compile_error, plain_text

__all__ = ["RenderError", "Texts", "compile_error", "plain_text"]
