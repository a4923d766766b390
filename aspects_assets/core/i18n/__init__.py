"""What is translated and how: the field registry, localized copies, extraction,
catalog checks and status."""
