"""Exception classes of liesym."""


class LiesymError(Exception):
    """Base class of the errors that liesym raises on its own account."""


class NotCertifiedError(LiesymError, ValueError):
    """A computation needs a property (compactness, connectedness, ...) that was not certified."""
