"""Text out of a resume file (PDF or DOCX), in a child process with bounded time and memory.

``await extract_text(data, limits)`` runs ``python -m server.enrichment.extract`` with the file
on stdin. The child caps its own address space and CPU time (``resource.setrlimit``) before
touching the file, and the parent kills it after a wall-clock timeout, so a hostile or broken
file costs at most that much and can never take the worker down. A file that cannot be read
raises ``UnreadableResume`` with a reason meant for the user.

Checks before parsing: the type is sniffed from the bytes (``%PDF-`` or a ZIP holding
``word/document.xml``), never from the name; a PDF's page count is read before any page is;
a DOCX's ZIP directory is checked (entry count, each entry's and the total uncompressed size,
compression ratio) before python-docx inflates anything, so a zip bomb is refused unopened.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import zipfile
from dataclasses import dataclass

MAX_OUTPUT_CHARS = 200_000


class UnreadableResume(Exception):
    """The file is not a resume we can read; the message says why (shown to the user)."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_pages: int = 30
    max_unzipped_bytes: int = 50 * 1_048_576
    max_zip_entries: int = 2_000
    max_zip_ratio: int = 200
    timeout_seconds: float = 30.0
    memory_bytes: int = 768 * 1_048_576


def sniff(data: bytes) -> str:
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    raise UnreadableResume("unsupported file type: send a PDF or a DOCX (Word) file")


def pdf_text(data: bytes, limits: Limits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableResume("the PDF is password-protected")
        pages = len(reader.pages)
    except UnreadableResume:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise UnreadableResume(f"corrupt or unreadable PDF ({type(exc).__name__})") from exc
    if pages == 0:
        raise UnreadableResume("the PDF has no pages")
    if pages > limits.max_pages:
        raise UnreadableResume(
            f"the PDF has {pages} pages; a resume may have at most {limits.max_pages}"
        )
    chunks: list[str] = []
    size = 0
    for page in reader.pages:
        try:
            chunk = page.extract_text() or ""
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise UnreadableResume(f"corrupt or unreadable PDF ({type(exc).__name__})") from exc
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            break
    text = "\n".join(chunks)
    if not text.strip():
        raise UnreadableResume(
            "no text found in the PDF: it looks like scanned images (image-only PDFs are "
            "not read; export the resume as a text PDF or DOCX)"
        )
    return text


def check_zip(data: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableResume("corrupt DOCX (not a readable ZIP archive)") from exc
    if len(entries) > limits.max_zip_entries:
        raise UnreadableResume(f"the DOCX holds {len(entries)} files; refusing to open it")
    if "word/document.xml" not in {e.filename for e in entries}:
        raise UnreadableResume("not a Word document (no word/document.xml in the archive)")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1_048_576 and ratio > limits.max_zip_ratio:
            raise UnreadableResume(
                f"the DOCX looks like a zip bomb: {entry.filename} expands {ratio:.0f}-fold"
            )
    if total > limits.max_unzipped_bytes:
        raise UnreadableResume(
            f"the DOCX expands to {total:,} bytes; at most {limits.max_unzipped_bytes:,} are read"
        )


def docx_text(data: bytes, limits: Limits) -> str:
    check_zip(data, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableResume(f"corrupt DOCX ({type(exc).__name__})") from exc
    except Exception as exc:  # lxml raises its own hierarchy on broken XML
        raise UnreadableResume(f"corrupt DOCX ({type(exc).__name__})") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    text = "\n".join(lines)
    if not text.strip():
        raise UnreadableResume("no text found in the DOCX")
    return text


def text_of(data: bytes, limits: Limits) -> str:
    kind = sniff(data)
    text = pdf_text(data, limits) if kind == "pdf" else docx_text(data, limits)
    return text[:MAX_OUTPUT_CHARS]


def _child_main() -> int:
    import resource

    limits = Limits(**json.loads(sys.argv[1]))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.timeout_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    data = sys.stdin.buffer.read()
    try:
        result = {"text": text_of(data, limits)}
    except UnreadableResume as exc:
        result = {"error": str(exc)}
    except MemoryError:
        result = {"error": "the file needs more memory to read than a resume may use"}
    except RecursionError:
        result = {"error": "corrupt file (nested too deeply to read)"}
    except Exception as exc:
        result = {"error": f"corrupt or unreadable file ({type(exc).__name__})"}
    sys.stdout.write(json.dumps(result))
    return 0


async def extract_text(data: bytes, limits: Limits) -> str:
    """The file's text, read in a child process; ``UnreadableResume`` with the reason."""
    sniff(data)  # refuse obvious non-resumes without starting a process
    args = json.dumps(
        {
            "max_pages": limits.max_pages,
            "max_unzipped_bytes": limits.max_unzipped_bytes,
            "max_zip_entries": limits.max_zip_entries,
            "max_zip_ratio": limits.max_zip_ratio,
            "timeout_seconds": limits.timeout_seconds,
            "memory_bytes": limits.memory_bytes,
        }
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.enrichment.extract",
        args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(data), limits.timeout_seconds)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise UnreadableResume(
            f"reading the file took longer than {limits.timeout_seconds:g} s"
        ) from None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    try:
        result = json.loads(out)
    except ValueError:
        # Killed by its CPU or memory limit (or crashed in a C extension).
        raise UnreadableResume(
            f"the file could not be read within the time and memory a resume may use "
            f"(reader exited with {proc.returncode})"
        ) from None
    if "error" in result:
        raise UnreadableResume(result["error"])
    return result["text"]


if __name__ == "__main__":
    sys.exit(_child_main())
