"""Settings, from ``MEDGRADE_PARSER_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from document_parser.parsing.limits import ParseLimits
from medgrade_shared.registry import PARSER
from medgrade_shared.settings import ServiceSettings


class ParserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix=PARSER.env_prefix, extra="ignore")

    port: int = Field(default=PARSER.default_port, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024,
        description="Largest request body read (413 above; an upload may add its multipart framing): room for "
                    "a file at max_upload_bytes and for the JSON of a transcript at max_chars.")
    max_chars: int = Field(
        default=2_000_000, ge=1,
        description="Longest transcript accepted, in characters (also the text of a file): about 24 hours of "
                    "speech with its time stamps.")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest file accepted by /parse/upload.")
    max_utterances: int = Field(
        default=5_000, ge=1,
        description="Most utterances in one transcript (a long consultation has a few hundred); each one costs "
                    "scoring time downstream.")
    max_docx_unpacked_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024,
        description="Largest total size of a Word document's parts once unpacked (a zip bomb stops here).")
    max_docx_xml_nodes: int = Field(
        default=200_000, ge=1,
        description="Most XML elements in a Word document's parts, counted while streaming before the document is "
                    "built (a transcript of an hour has a few tens of thousands).")
    max_pdf_pages: int = Field(default=300, ge=1, description="Most pages in a PDF (text extraction costs per page).")
    upload_workers: int = Field(default=1, ge=1, le=64, description=(
        "Worker processes that read uploaded files (each with the memory and time limits below)."))
    upload_memory_mb: int = Field(default=1024, ge=128, description=(
        "Address space one upload worker may use, MiB (413 parse_memory_limit above)."))
    upload_seconds: float = Field(default=30.0, gt=0, le=600, description=(
        "Longest an upload worker may spend on one file (413 parse_time_limit; the caller's deadline if sooner)."))
    upload_recycle_after: int = Field(default=50, ge=1, description=(
        "Files an upload worker reads before it is replaced, giving back the memory it took."))

    def limits(self) -> ParseLimits:
        return ParseLimits(max_chars=self.max_chars, max_utterances=self.max_utterances,
                           max_docx_unpacked_bytes=self.max_docx_unpacked_bytes,
                           max_docx_xml_nodes=self.max_docx_xml_nodes, max_pdf_pages=self.max_pdf_pages)


@lru_cache
def get_settings() -> ParserSettings:
    return ParserSettings()
