"""aspects-assets: Apache Superset assets as code, in many languages."""

__version__ = "0.1.0"
