"""Message attachments: read from a form (werkzeug FileStorage) or JSON ({filename, data}
in base64), judged by their content (core.boards.check_attachments), kept under
<ckan.storage_path>/qingyang_boards/<message id>/<attachment id>, and opened again only
for someone who may read the message."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.boards.model import attachment
from ckanext.qingyang.core import boards as rules


def storage_dir() -> Path:
    configured = tk.config.get("ckanext.qingyang.boards.storage_dir")
    return Path(configured or os.path.join(tk.config.get("ckan.storage_path"), "qingyang_boards"))


def read_uploads(value: Any) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(filename, content) pairs from the action's `attachments`, and errors for unreadable ones."""
    if value in (None, "", []):
        return [], []
    items = value if isinstance(value, (list, tuple)) else [value]
    out, errors = [], []
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            try:
                data = base64.b64decode(str(item.get("data") or ""), validate=True)
            except (binascii.Error, ValueError):
                errors.append(f"附件{i}:data 不是有效的 base64")
                continue
            out.append((str(item.get("filename") or ""), data))
        elif hasattr(item, "read"):
            name = getattr(item, "filename", "") or ""
            if not name and not getattr(item, "content_length", 1):
                continue   # an empty file input of a form
            out.append((name, item.read(rules.MAX_FILE_BYTES + 1)))
        else:
            errors.append(f"附件{i}:应为上传的文件,或 {{filename, data(base64)}}")
    return out, errors


def store(message_id: str, files: list[tuple[str, bytes]], checked: list[dict]) -> list[dict]:
    """Write checked files and their rows (in the caller's transaction: nothing commits here)."""
    rows = []
    folder = storage_dir() / message_id
    for (_, data), meta in zip(files, checked):
        folder.mkdir(parents=True, exist_ok=True)
        att_id = str(uuid.uuid4())
        tmp = folder / f".{att_id}.part"
        tmp.write_bytes(data)
        tmp.replace(folder / att_id)
        rows.append(dict(id=att_id, message_id=message_id, filename=meta["filename"], mimetype=meta["mimetype"],
                         size=meta["size"], sha256=hashlib.sha256(data).hexdigest(), created=dt.datetime.utcnow()))
    if rows:
        model.Session.execute(attachment.insert(), rows)
    return rows


def remove_folder(message_id: str) -> None:
    """Undo store() when the message's transaction fails."""
    folder = storage_dir() / message_id
    if folder.is_dir():
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()


def for_message(message_id: str) -> list[dict]:
    t = attachment.c
    rows = model.Session.execute(sa.select(attachment).where(t.message_id == message_id)
                                 .order_by(t.created, t.filename)).mappings()
    return [{"id": r["id"], "filename": r["filename"], "mimetype": r["mimetype"], "size": r["size"]} for r in rows]


def open_attachment(message_id: str, attachment_id: str, user: Any = None, code: str | None = None
                    ) -> tuple[Any, str, str]:
    """(open binary file, filename, sniffed mimetype) for someone who may read the message:
    staff by the access rules, anyone holding its 查询码 (`code`), anyone for a published one.
    NotFound otherwise (the same answer as a missing file)."""
    from ckanext.qingyang.boards import messages

    msg = messages.get(message_id)
    if msg is None or not messages.may_read(msg, user, code):
        raise tk.ObjectNotFound("附件不存在")
    row = model.Session.execute(sa.select(attachment).where(
        attachment.c.id == attachment_id, attachment.c.message_id == message_id)).mappings().first()
    path = storage_dir() / message_id / str(attachment_id)
    if row is None or not path.is_file():
        raise tk.ObjectNotFound("附件不存在")
    return path.open("rb"), row["filename"], row["mimetype"]
