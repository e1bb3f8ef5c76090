"""HTTP interfaces of the stand-in; each view makes one call into a use-case module."""
