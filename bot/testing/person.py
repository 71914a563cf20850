"""A test double for a person: sends text and presses buttons by label, through the real engine."""

from __future__ import annotations

from bot.engine.engine import Engine
from bot.engine.events import Button, Incoming, Reply, SeenPicture
from bot.engine.payloads import Payload, owner_tag
from bot.transports.drawing import drawn
from bot.transports.terminal import render


class Person:
    def __init__(self, engine: Engine, key: str = "a" * 64, language: str | None = None) -> None:
        self.engine = engine
        self.key = key
        self.language = language
        self.address: str | None = None
        self.buttons: list[Button] = []
        self.replies: list[Reply] = []

    def _run(self, incoming: Incoming) -> str:
        self.replies = drawn(self.engine.handle(incoming))
        text, offered = render(self.replies)
        self.buttons = offered
        return text

    def say(self, text: str) -> str:
        return self._run(
            Incoming(self.key, text=text, language=self.language, address=self.address)
        )

    def forward(self, text: str) -> str:
        """Forward someone else's message to the bot."""
        return self._run(
            Incoming(
                self.key,
                text=text,
                language=self.language,
                address=self.address,
                forwarded=True,
            )
        )

    def send_picture(self, picture: SeenPicture, caption: str = "") -> str:
        """Send a picture, as the transport's reader made it out."""
        return self._run(
            Incoming(
                self.key,
                text=caption,
                language=self.language,
                address=self.address,
                picture=picture,
            )
        )

    def press(self, label: str) -> str:
        """Press the first offered button whose label contains `label`."""
        for button in self.buttons:
            if label in button.label:
                return self.send_payload(button.payload)
        offered = [b.label for b in self.buttons]
        raise AssertionError(f"no button with {label!r}; offered: {offered}")

    def send_payload(self, payload: str) -> str:
        return self._run(
            Incoming(self.key, payload=payload, language=self.language, address=self.address)
        )

    def payload(self, verb: str, arg: str | None = None, seq: int = 0) -> str:
        """A payload as the bot would make it for this person (for buttons typed by hand)."""
        return Payload(verb, seq, owner_tag(self.key), arg).encode()

    def labels(self) -> list[str]:
        return [button.label for button in self.buttons]


def start_fixture_quiz(person: Person) -> None:
    """Open the fixture library's first lesson, turn its cards and start its quiz: the first
    question ("... a reaction before thought ...") is on screen."""
    person.say("/lessons")
    person.press("Spotting emotional")
    person.press("Next")
    person.press("Next")
    person.press("Take the quiz")
