"""Files people send: getFile and the download it points to, as Telegram serves them."""

from __future__ import annotations

import threading
from typing import Any

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what getFile lets a bot download


class ApiError(Exception):
    """A refusal, answered as `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class FileMethods:
    """getFile, and the bytes behind the file path it gives."""

    token: str

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}  # file_id -> what a download gets
        self._files_lock = threading.Lock()

    def add_file(self, file_id: str, data: bytes) -> None:
        """A file the bot can fetch with getFile and a download (a photo someone sent)."""
        with self._files_lock:
            self._files[file_id] = data

    def _api_get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        with self._files_lock:
            data = self._files.get(str(file_id))
        if data is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(data) > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(data),
            "file_path": f"photos/{file_id}.jpg",
        }

    def file_bytes(self, token: str, path: str) -> bytes | None:
        """A download from the file URL getFile gave, or None (404)."""
        if token != self.token or not path.startswith("photos/"):
            return None
        with self._files_lock:
            return self._files.get(path.removeprefix("photos/").removesuffix(".jpg"))
