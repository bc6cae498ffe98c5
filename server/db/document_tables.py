"""The document registry (issue 14): every slip, notice and decision printed for a case, with
its number (文号), its verification code and the fields its layout was built from, so the same
paper can be previewed, reprinted and verified later exactly as it was issued."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Index, Integer, String, Table

from server.db.metadata import TS, hall_column, metadata

documents = Table(
    "documents",
    metadata,
    hall_column(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(40), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("doc_number", String(64), nullable=False, unique=True),
    Column("department", String(20), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("issued_at", TS, nullable=False),
    # 80 random bits, canonical Crockford base32 (server/core/documents.py); what /verify looks up.
    Column("verify_code", String(16), nullable=False, unique=True),
    # The layout builder's keyword arguments (printers/legal_docs.py), JSON values only.
    Column("fields", JSON, nullable=False),
    Column("window", String(16)),
    Column("issued_by", String(80), nullable=False),
    Index("ix_documents_case_number", "case_number", "id"),
)
