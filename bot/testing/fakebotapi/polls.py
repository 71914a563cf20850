"""Polls and group members in the fake Bot API: sendPoll and stopPoll with a real server's
checks, getChatMember, and what tests do in a group: make someone an administrator, vote.

A vote updates the poll's counts and queues the `poll` update a bot gets for its own polls, and,
for a poll that is not anonymous, the `poll_answer` update that names the voter. A closed poll
(stopped, or expired by a test) takes no more votes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from bot.testing.fakebotapi.files import ApiError
from bot.testing.fakebotapi.methods import BotApiMethods, _require

QUESTION_CHARS = 300
OPTION_CHARS = 100
EXPLANATION_CHARS = 200
EXPLANATION_LINE_FEEDS = 2
ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


@dataclass
class SentPoll:
    """A poll the bot sent, as the fake keeps it."""

    chat_id: int
    message_id: int
    poll: dict[str, Any]
    voters: dict[int, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.poll["id"])

    @property
    def closed(self) -> bool:
        return bool(self.poll["is_closed"])


class PollMethods(BotApiMethods):
    def __init__(self, *, max_poll: float) -> None:
        super().__init__(max_poll=max_poll)
        self._polls: dict[str, SentPoll] = {}
        self._statuses: dict[tuple[int, int], str] = {}

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        raise NotImplementedError  # the server queues updates

    # -- what tests do --------------------------------------------------------------------
    def set_status(self, chat_id: int, user_id: int, status: str) -> None:
        """A member's rank in a group: "creator", "administrator", "member", "left"."""
        with self._cond:
            self._statuses[(chat_id, user_id)] = status

    def sent_polls(self, chat_id: int | None = None) -> list[SentPoll]:
        """The polls the bot sent (to `chat_id`), oldest first; copies."""
        with self._cond:
            return [
                copy.deepcopy(p)
                for p in self._polls.values()
                if chat_id is None or p.chat_id == chat_id
            ]

    def vote(self, user: dict[str, Any], poll_id: str, option: int) -> bool:
        """`user` (a Bot API User) chooses `option`; False when the poll is closed or they
        answered it already (a quiz poll takes one answer)."""
        with self._cond:
            poll = self._polls[poll_id]
            if poll.closed or user["id"] in poll.voters:
                return False
            poll.voters[user["id"]] = option
            poll.poll["options"][option]["voter_count"] += 1
            poll.poll["total_voter_count"] += 1
            state = copy.deepcopy(poll.poll)
        self.push("poll", state)
        if not state["is_anonymous"]:
            answer = {
                "poll_id": poll_id,
                "user": user,
                "option_ids": [option],
                "option_persistent_ids": [str(option)],
            }
            self.push("poll_answer", answer)
        return True

    def expire(self, poll_id: str) -> None:
        """The poll's open period ran out: Telegram closes it and tells the bot."""
        with self._cond:
            poll = self._polls[poll_id]
            poll.poll["is_closed"] = True
            state = copy.deepcopy(poll.poll)
        self.push("poll", state)

    # -- the methods ----------------------------------------------------------------------
    def _api_send_poll(self, params: dict[str, Any]) -> dict[str, Any]:
        question = _require(params, "question")
        options = [o["text"] if isinstance(o, dict) else o for o in _require(params, "options")]
        if len(question) > QUESTION_CHARS:
            raise ApiError(400, "Bad Request: POLL_QUESTION_INVALID")
        if not 2 <= len(options) <= 12:
            raise ApiError(400, "Bad Request: poll must have 2-12 options")
        if any(not 1 <= len(option) <= OPTION_CHARS for option in options):
            raise ApiError(400, "Bad Request: POLL_OPTION_INVALID")
        explanation = params.get("explanation") or ""
        if len(explanation) > EXPLANATION_CHARS or explanation.count("\n") > 2:
            raise ApiError(400, "Bad Request: explanation is too long")
        period = params.get("open_period")
        if period is not None and not 5 <= int(period) <= 600:
            raise ApiError(400, "Bad Request: open_period is invalid")
        kind = params.get("type", "regular")
        correct = params.get("correct_option_ids")
        if correct is None and params.get("correct_option_id") is not None:
            correct = [params["correct_option_id"]]
        if kind == "quiz" and (not correct or any(not 0 <= c < len(options) for c in correct)):
            raise ApiError(400, "Bad Request: wrong correct option ID")
        with self._cond:
            poll_id = f"poll-{next(self._message_ids)}"
        poll: dict[str, Any] = {
            "id": poll_id,
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": str(index)}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", True),
            "type": kind,
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": False,
            "members_only": False,
        }
        if correct is not None:
            poll["correct_option_ids"] = correct
        if explanation:
            poll["explanation"] = explanation
        if period is not None:
            poll["open_period"] = int(period)
        message = self._new_message(params, poll=poll)
        with self._cond:
            sent = SentPoll(message["chat"]["id"], message["message_id"], copy.deepcopy(poll))
            self._polls[poll_id] = sent
        return message

    def _api_stop_poll(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(_require(params, "chat_id")), int(_require(params, "message_id")))
        with self._cond:
            found = next(
                (p for p in self._polls.values() if (p.chat_id, p.message_id) == key), None
            )
            if found is None:
                raise ApiError(400, "Bad Request: message with poll to stop not found")
            if found.closed:
                raise ApiError(400, "Bad Request: poll has already been closed")
            found.poll["is_closed"] = True
            state = copy.deepcopy(found.poll)
        self.push("poll", state)
        return state

    def _api_get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(_require(params, "chat_id")), int(_require(params, "user_id"))
        with self._cond:
            if chat_id not in self._state.chats:
                raise ApiError(400, "Bad Request: chat not found")
            status = self._statuses.get((chat_id, user_id), "member")
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": "Member"},
        }
        if status == "administrator":
            member.update(dict.fromkeys(ADMIN_RIGHTS, False))
        elif status == "creator":
            member["is_anonymous"] = False
        return member
