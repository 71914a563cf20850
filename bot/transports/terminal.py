"""The terminal chat: the engine in a shell, for trying the bot and previewing content.

Buttons are listed as numbered choices and typing the number presses one. It reads piped input
too and stops at the end of it, so a scripted session prints a transcript. `/photo PATH
[caption]` sends a picture, read here as the Telegram transport reads one.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import TextIO

from bot.engine.engine import Engine
from bot.engine.events import Attachment, Button, Incoming, PictureProblem, Reply, SeenPicture
from bot.service import Service
from bot.transports.drawing import drawn
from bot.transports.drawing.reading import Tesseract, read_picture

PHOTO_COMMAND = "/photo"
PICTURE_BYTES = 10_000_000  # as the Telegram transport's download limit


class _PlainText(HTMLParser):
    """Telegram HTML to plain text: tags dropped, links shown with their address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            href = self._href.pop()
            if href:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(text: str) -> str:
    parser = _PlainText()
    parser.feed(text)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render(
    replies: Iterable[Reply], save: Callable[[Attachment], Path] | None = None
) -> tuple[str, list[Button]]:
    """The transcript text for some replies, and the buttons they offer, numbered from 1.

    Attachments are handed to `save`, and the transcript shows where they went.
    """
    lines: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        if reply.image:
            lines.append(f"[picture: {reply.image}]")
        lines.append(plain(reply.text))
        if reply.attachment is not None:
            where = save(reply.attachment) if save else Path(reply.attachment.filename)
            lines.append(f"[{'picture' if reply.attachment.photo else 'file'}: {where}]")
        for row in reply.buttons:
            cells = []
            for button in row:
                buttons.append(button)
                cells.append(f"[{len(buttons)}] {button.label}")
            lines.append("   ".join(cells))
        lines.append("")
    return "\n".join(lines), buttons


def save_attachment(folder: Path, attachment: Attachment) -> Path:
    """Write an attachment into `folder` (owner-only). A newer one of the same name (the next
    progress chart, the next export) replaces the earlier, so copies do not pile up."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / Path(attachment.filename).name
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".saving-")  # owner-only (0600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(attachment.data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def erase_files(folder: Path) -> int:
    """Delete every file the chat saved in `folder` (after /forget); returns how many."""
    if not folder.is_dir():
        return 0
    erased = 0
    for path in folder.iterdir():
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
            erased += 1
    return erased


class TerminalSender:
    """The service's way to the person at the terminal: unasked messages (reminders,
    notifications) are collected and shown after the reply to their next line."""

    def __init__(self) -> None:
        self.waiting: list[Reply] = []

    async def send(self, address: str, replies: list[Reply]) -> bool:  # noqa: ARG002 - one person
        self.waiting.extend(replies)
        return True

    async def tell_admins(self, text: str) -> None:
        self.waiting.append(Reply(text))  # the person at the terminal runs this bot

    def take(self) -> list[Reply]:
        taken, self.waiting = self.waiting, []
        return taken


def seen_picture(path: Path, tesseract: Tesseract | None) -> SeenPicture:
    """A picture file read as one sent over Telegram would be (in memory, never kept)."""
    try:
        if path.stat().st_size > PICTURE_BYTES:
            return SeenPicture(problem=PictureProblem.TOO_BIG)
        data = path.read_bytes()
    except OSError:
        return SeenPicture(problem=PictureProblem.BROKEN)
    return read_picture(data, tesseract)


def chat(
    engine: Engine,
    user: str,
    stdin: TextIO,
    stdout: TextIO,
    language: str | None = None,
    files: Path | None = None,
    service: Service | None = None,
    address: str | None = None,
    tesseract: Tesseract | None = None,
) -> int:
    """Talk to `engine` as `user` until the input ends. Returns the exit code.

    Files the bot makes (charts, exports) are saved under `files`, one of each kind, and
    deleted when the person erases their data. With a `service`, what it
    has to send (due reminders, news about a sent claim) is shown after each reply; `address`
    is this terminal's sealed address, for the person to opt in to such messages. Pictures
    sent with /photo are read with `tesseract` when given.
    """
    sender = TerminalSender()
    interactive = stdin.isatty()
    if interactive:
        hint = engine.content.texts.render(
            engine.content.texts.resolve_language(language), "terminal.hint"
        )
        stdout.write(plain(hint) + "\n\n")
    buttons: list[Button] = []
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            if interactive:
                stdout.write("\n")
            return 0
        line = line.rstrip("\r\n")
        if not interactive:
            stdout.write(f"> {line}\n")
        choice = line.strip()
        if (
            choice.isascii()
            and choice.isdigit()
            and buttons
            and not 1 <= int(choice) <= len(buttons)
        ):
            # A number is meant as a button: one that is not there is said so, never taken as
            # a claim to check.
            texts = engine.content.texts
            said = texts.render(
                engine.language_of(user, language),
                "terminal.no_button",
                number=int(choice),
                count=len(buttons),
            )
            stdout.write(plain(said) + "\n\n")
            stdout.flush()
            continue
        if choice.isascii() and choice.isdigit() and buttons:
            payload = buttons[int(choice) - 1].payload
            incoming = Incoming(user, payload=payload, language=language, address=address)
        elif choice.split(" ", 1)[0] == PHOTO_COMMAND and len(choice) > len(PHOTO_COMMAND):
            path, _, caption = choice[len(PHOTO_COMMAND) :].strip().partition(" ")
            picture = seen_picture(Path(path).expanduser(), tesseract)
            incoming = Incoming(user, caption, language=language, address=address, picture=picture)
        else:
            incoming = Incoming(user, text=line, language=language, address=address)
        save = (lambda a: save_attachment(files, a)) if files else None
        replies = engine.handle(incoming)
        if service is not None:
            asyncio.run(service.tick(sender, only=user))
            replies += sender.take()
        text, offered = render(drawn(replies), save)
        if files is not None and any(reply.forgotten for reply in replies):
            erase_files(files)  # the export and the charts were the person's data too
        buttons = offered
        stdout.write(text + "\n")
        stdout.flush()
