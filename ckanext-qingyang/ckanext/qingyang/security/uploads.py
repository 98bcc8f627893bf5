"""Uploads: the type is read from the content (libmagic), and what a browser could run is
never served inline.

An uploaded resource file whose content disagrees with its declared format or its file
name's extension is refused (IResourceController, before CKAN stores it). Every resource
download is sent as an attachment with nosniff, and HTML, SVG, scripts and executables
are sent as text/plain or application/octet-stream, whatever mimetype the resource claims.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import magic

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

HEAD = 8192   # libmagic needs ~2 KB for office formats; more costs nothing
OFFICE_ZIP = ("application/zip", "application/octet-stream")
OLE = ("application/CDFV2", "application/x-ole-storage", "application/octet-stream")
TEXT = ("text/plain",)

# declared format or extension -> content types it may have
ACCEPTED: dict[str, tuple[str, ...]] = {
    "csv": ("text/csv", "application/csv", *TEXT),
    "txt": TEXT,
    "tsv": ("text/tab-separated-values", "text/csv", *TEXT),
    "json": ("application/json", *TEXT),
    "geojson": ("application/geo+json", "application/json", *TEXT),
    "xml": ("text/xml", "application/xml"),
    "rdf": ("application/rdf+xml", "text/xml", "application/xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", *OFFICE_ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", *OFFICE_ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", *OFFICE_ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", *OFFICE_ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", *OFFICE_ZIP),
    "xls": ("application/vnd.ms-excel", *OLE),
    "doc": ("application/msword", *OLE),
    "ppt": ("application/vnd.ms-powerpoint", *OLE),
    "pdf": ("application/pdf",),
    "zip": ("application/zip",),
    "png": ("image/png",),
    "jpg": ("image/jpeg",), "jpeg": ("image/jpeg",),
    "gif": ("image/gif",),
    "html": ("text/html",), "htm": ("text/html",),
}
ALIASES = {"excel": "xlsx", "word": "docx", "text": "txt", "jpeg": "jpg"}

# content a browser could run or render as a page
ACTIVE = {"text/html": "HTML", "application/xhtml+xml": "HTML", "image/svg+xml": "SVG",
          "text/javascript": "脚本", "application/javascript": "脚本", "text/x-shellscript": "脚本",
          "text/x-script.python": "脚本", "text/x-python": "脚本", "text/x-php": "脚本",
          "application/x-executable": "可执行程序", "application/x-sharedlib": "可执行程序",
          "application/x-pie-executable": "可执行程序", "application/x-dosexec": "可执行程序",
          "application/x-mach-binary": "可执行程序", "application/java-archive": "可执行程序"}
LABELS = {**ACTIVE, "text/csv": "CSV", "text/plain": "纯文本", "application/pdf": "PDF",
          "application/zip": "ZIP 压缩包", "application/json": "JSON", "text/xml": "XML",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
          "application/vnd.ms-excel": "XLS", "image/png": "PNG 图片", "image/jpeg": "JPEG 图片",
          "image/gif": "GIF 图片", "application/octet-stream": "未知二进制数据"}


def _key(declared: str) -> str:
    k = declared.strip().lower().lstrip(".")
    return ALIASES.get(k, k)


def problem(filename: str, head: bytes, declared_format: str | None) -> str | None:
    """Why the content disagrees with what was declared (Chinese, naming the field), or None."""
    detected = magic.from_buffer(head, mime=True)
    label = LABELS.get(detected, detected)
    ext = os.path.splitext(filename or "")[1]
    claims = [(f"声明的格式 {declared_format.strip()}", _key(declared_format))] if declared_format else []
    if ext:
        claims.append((f"文件扩展名 {ext.lower()}", _key(ext)))
    for said, key in claims:
        accepted = ACCEPTED.get(key)
        if accepted is not None and detected not in accepted:
            return f"文件(upload)的内容是 {label},与{said} 不符"
        if accepted is None and detected in ACTIVE:   # a format we do not know: only the dangerous
            return f"文件(upload)的内容是 {label},与{said} 不符"
    if not claims and detected in ACTIVE:
        return f"文件(upload)的内容是 {label},请声明格式(format)"
    return None


def check_resource(resource: dict[str, Any]) -> None:
    """IResourceController.before_resource_create/_update: refuse a mismatched upload."""
    from werkzeug.datastructures import FileStorage

    upload = resource.get("upload")
    if not isinstance(upload, FileStorage) or not upload.filename:
        return
    stream = upload.stream
    pos = stream.tell()
    head = stream.read(HEAD)
    stream.seek(pos)
    why = problem(upload.filename, head, resource.get("format"))
    if why:
        log.warning("upload refused: %r (format %r): %s", upload.filename, resource.get("format"),
                    magic.from_buffer(head, mime=True))
        raise tk.ValidationError({"upload": [why]})


# ---------------------------------------------------------------- serving
def _is_download() -> bool:
    from flask import request

    return (request.endpoint or "").endswith("resource.download")


def harden_download(response: Any) -> Any:
    """after_request: resource downloads are attachments, never an active type."""
    if response.status_code not in (200, 206) or not _is_download():
        return response
    h = response.headers
    ctype = (response.mimetype or "").lower()
    if ctype in ACTIVE:
        h["Content-Type"] = ("application/octet-stream" if ACTIVE[ctype] == "可执行程序"
                             else "text/plain; charset=utf-8")
    disposition = h.get("Content-Disposition") or ""
    if not disposition.lower().startswith("attachment"):
        rest = disposition.split(";", 1)[1] if ";" in disposition else ""
        h["Content-Disposition"] = "attachment" + (f";{rest}" if rest else "")
    h["X-Content-Type-Options"] = "nosniff"
    return response
