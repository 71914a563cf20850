"""Subcommands of `civicbot`. Each module has `register(subparsers, common)`; the parser it adds
sets `func` to a callable taking the parsed arguments and returning the exit code."""

from types import ModuleType

from bot.commands import bench, chat, content, db, match, report, run, web

COMMANDS: tuple[ModuleType, ...] = (
    chat,
    content,
    db,
    run,
    match,
    bench,
    report,
    web,
)
