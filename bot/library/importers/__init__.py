"""Importers that turn content made elsewhere into civicbot's own content YAML.

Educators already keep question banks in Moodle (GIFT) and fact-checkers already publish their
verdicts as schema.org ClaimReview. Re-typing either by hand loses time and adds mistakes, so each
importer parses its format into validated content items plus a list of what it had to skip and
why, and `common.write_items` writes the items as ordinary files that `civicbot content check`
accepts. Parsing never writes and never raises on bad input: a broken entry is reported.
"""

from bot.library.importers.claimreview import parse_claimreview
from bot.library.importers.common import Entry, Parsed, Written, write_items
from bot.library.importers.gift import parse_gift

__all__ = ["Entry", "Parsed", "Written", "parse_claimreview", "parse_gift", "write_items"]
