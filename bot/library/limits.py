"""Telegram Bot API limits the content and the renderer must stay within."""

MESSAGE_CHARS = 4096
CAPTION_CHARS = 1024
CALLBACK_DATA_BYTES = 64
CALLBACK_ANSWER_CHARS = 200
# Buttons have no hard limit, but long labels are cut on phones; poll options allow 100.
BUTTON_CHARS = 100
INLINE_RESULTS = 50


def fit_label(text: str) -> str:
    """Content text shortened to fit a button label."""
    return text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1] + "…"
