"""State in the database, behind small repositories over one unit of work.

This is the storage's public face for the engine and the service: the store, its unit of work,
and the records repositories hand out. Only `bot.storage` talks SQL.
"""

from bot.storage.classroom import ClassRun
from bot.storage.learning import Progress, QuizResult
from bot.storage.pending import MemoryPending, PendingClaims
from bot.storage.reviews import card_state
from bot.storage.tables import (
    Answer,
    AssessmentResponse,
    Feedback,
    QueuedClaim,
    QuizAttempt,
    ReviewCard,
    Subscription,
    User,
)
from bot.storage.unit import Store, Unit

__all__ = [
    "Answer",
    "AssessmentResponse",
    "ClassRun",
    "Feedback",
    "MemoryPending",
    "PendingClaims",
    "Progress",
    "QueuedClaim",
    "QuizAttempt",
    "QuizResult",
    "ReviewCard",
    "Store",
    "Subscription",
    "Unit",
    "User",
    "card_state",
]
