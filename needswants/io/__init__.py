"""Readers and writers for ticket exports (CSV, JSONL, JSON, Parquet)."""
