"""sharppower: an open observatory of authoritarian influence abroad.

The library is the product: every CLI command and web route calls a function
of this package and renders what it returns.
"""

__version__ = "0.1.0"
