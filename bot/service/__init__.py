"""The running bot's jobs, independent of any transport: reminders, the outbox, purge, content
reload and answering queued claims. A transport supplies a `Sender`."""

from bot.service.service import Outgoing, Sender, Service
from bot.service.threads import EngineThreads, Runner, run_here
from bot.service.watch import content_signature, watch_content

__all__ = [
    "EngineThreads",
    "Outgoing",
    "Runner",
    "Sender",
    "Service",
    "content_signature",
    "run_here",
    "watch_content",
]
