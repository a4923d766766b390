"""Localization: the field registry, catalogs, localized copies, extraction and checks."""
